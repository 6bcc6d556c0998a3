"""Wait for the newest message to ADDRESS in the Maildir MAILDIR (at most 10 s) and print its link and code.
   /usr/bin/python3 mail_pick.py MAILDIR ADDRESS [SINCE-COUNT]
Prints "LINK CODE" (CODE "-" when the text has none) for the newest message to ADDRESS once more than
SINCE-COUNT messages to it exist; exit 1 when none arrives."""
import mailbox
import re
import sys
import time

maildir, address = sys.argv[1], sys.argv[2].lower()
since = int(sys.argv[3]) if len(sys.argv) > 3 else 0
end = time.time() + 10
while time.time() < end:
    found = []
    for key, m in mailbox.Maildir(maildir, create=False).items():
        if m["To"] and m["To"].lower() == address:
            for part in m.walk():
                if part.get_content_type() == "text/plain":
                    found.append((m["Date"], key, part.get_payload(decode=True).decode()))
    if len(found) > since:
        def order(f):
            m = re.match(r"(\d+)\.M(\d+)", f[1])
            return (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        text = sorted(found, key=order)[-1][2]
        link = re.search(r"https?://\S+", text).group(0)
        code = re.search(r"\b(\d{6})\b", text)
        print(link, code.group(1) if code else "-")
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
