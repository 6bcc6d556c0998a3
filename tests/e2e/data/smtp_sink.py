# An SMTP sink for tests/e2e/mail.sh and bench/run.sh, run by Debian's aiosmtpd (/usr/bin/python3):
#   PYTHONPATH=tests/e2e/data /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink MAILDIR
#   PYTHONPATH=tests/e2e/data /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Count FILE
# Sink keeps every accepted message in the Maildir MAILDIR (which must hold tmp/ new/ cur/); Count keeps
# nothing and appends one line per accepted message to FILE (the recipient). Both refuse recipients
# the way relays do: "bounce..." for good (550), "later..." for now (451).
import os

from aiosmtpd.handlers import Mailbox


def _refusal(address):
    local = address.lower()
    if local.startswith("bounce"):
        return "550 5.1.1 no such user"
    if local.startswith("later"):
        return "451 4.3.0 try later"
    return None


class Sink(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = _refusal(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Count:
    def __init__(self, path):
        self.out = open(path, "a", buffering=1)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("Count needs the file to count in")
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = _refusal(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.out.write(" ".join(envelope.rcpt_tos) + "\n")
        return "250 OK"
