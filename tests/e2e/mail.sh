#!/bin/sh
# Email notices end to end, delivered to a real SMTP server (Debian's aiosmtpd, tests/e2e/data/smtp_sink.py)
# and read back from its Maildir with Python's email and mailbox modules:
#   issue queues one "issued" notice per certificate; no smtp_url: nothing sent, nothing dropped;
#   delivery: headers, RFC 2047 subject, multipart/alternative in base64 UTF-8, HTML escaping, zh notices;
#   ship and revoke notices, ship of a revoked certificate refused; relay down: deferred, then delivered
#   once; 5xx: failed at once, retry; 4xx: deferred, failed after 3 days; SIGKILL of the sender mid-run:
#   nothing lost, a duplicate only with the same Message-ID; expiry reminders once; 10,000 messages
#   drain with a peak RSS that does not grow with the count.
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] || skip "ecert-ca or ecert-issue not built"
PY=/usr/bin/python3   # Debian's, with python3-aiosmtpd (not a pyenv python3 earlier on PATH)
[ -x "$PY" ] && "$PY" -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd not installed (/usr/bin/python3)"
DATA=$TOP/tests/e2e/data
VG=${ECERT_VALGRIND:-0}
# under valgrind every tool is many times slower and its memory is valgrind's: a smaller kill run, no RSS run
KILL_N=${ECERT_MAIL_KILL_N:-2000}
[ "$VG" = 1 ] && KILL_N=${ECERT_MAIL_KILL_N:-200}
BULK_N=10000 SMALL_N=1000
if [ "$VG" != 1 ]; then
	[ -x /usr/bin/time ] || skip "/usr/bin/time (Debian package time) not installed"
fi

servers="" sender=""
cleanup() {
	[ -n "$sender" ] && kill -9 "$sender" 2>/dev/null
	for p in $servers; do kill "$p" 2>/dev/null; done
	for p in $servers; do wait "$p" 2>/dev/null; done
	servers="" sender=""
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

export ECERT_NOW=2026-03-10
FROM=notices@certs.example.org
URL=https://certs.example.org

free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# smtp_start PORT CLASS ARG: aiosmtpd with the handler smtp_sink.CLASS (ARG: its Maildir or count file) on
# 127.0.0.1:PORT, once it answers with its 220 banner; $SMTP_PID gets its pid.
smtp_start() {
	env PYTHONPATH="$DATA" "$PY" -m aiosmtpd -n -l "127.0.0.1:$1" -c "smtp_sink.$2" "$3" >>"$T/smtp.log" 2>&1 &
	SMTP_PID=$!
	servers="$servers $SMTP_PID"
	"$PY" "$DATA/smtp_wait.py" "$1" || { cat "$T/smtp.log" >&2; fail "the SMTP server on port $1 did not start"; }
	kill -0 "$SMTP_PID" 2>/dev/null || fail "the SMTP server on port $1 exited (port taken?)"
}
smtp_stop() { # smtp_stop PID
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	servers=$(echo "$servers" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}
maildir() { mkdir -p "$1/tmp" "$1/new" "$1/cur"; }

# The Maildir read back: $T/mail.tsv gets one line per message, "INDEX TO FROM MESSAGE-ID SUBJECT RCPT
# MAILFROM" (tab-separated; the subject RFC 2047-decoded, the Message-ID without its brackets), and
# $T/mail.INDEX.txt and $T/mail.INDEX.html its two parts, decoded. It fails on a message that is not
# multipart/alternative with text/plain then text/html, each base64 UTF-8 with CRLF line ends, or whose
# Subject is not ASCII (RFC 2047) as sent.
cat >"$T/readmail.py" <<'EOF'
import base64, email, mailbox, sys
from email.header import decode_header, make_header

md, out = sys.argv[1], sys.argv[2]
box = mailbox.Maildir(md, factory=None, create=False)
rows, bad = [], []
for i, key in enumerate(sorted(box.keys())):
    m = email.message_from_bytes(box.get_bytes(key))
    def one(name):
        v = m.get_all(name) or []
        if len(v) != 1:
            bad.append(f"{key}: {len(v)} {name} headers")
            return ""
        return str(v[0])
    subj_raw = one("Subject")
    if not subj_raw.isascii():
        bad.append(f"{key}: Subject is not ASCII as sent: {subj_raw!r}")
    subj = str(make_header(decode_header(subj_raw))).replace("\t", " ")
    mid = one("Message-ID").strip()
    if not (mid.startswith("<") and mid.endswith(">")):
        bad.append(f"{key}: Message-ID {mid!r} not in angle brackets")
    one("Date")
    if one("MIME-Version").strip() != "1.0":
        bad.append(f"{key}: MIME-Version is not 1.0")
    if m.get_content_type() != "multipart/alternative" or not m.is_multipart():
        bad.append(f"{key}: {m.get_content_type()}, not multipart/alternative")
        continue
    parts = m.get_payload()
    types = [p.get_content_type() for p in parts]
    if types != ["text/plain", "text/html"]:
        bad.append(f"{key}: parts {types}, not text/plain then text/html")
        continue
    for p, ext in zip(parts, ("txt", "html")):
        cte = (p.get("Content-Transfer-Encoding") or "").lower()
        if cte != "base64" or p.get_content_charset() != "utf-8":
            bad.append(f"{key}: {ext} part is {cte} {p.get_content_charset()}, not base64 utf-8")
            continue
        try:
            body = base64.b64decode("".join(p.get_payload().split()), validate=True).decode("utf-8")
        except Exception as e:
            bad.append(f"{key}: {ext} part does not decode: {e}")
            continue
        if body.replace("\r\n", "").find("\n") >= 0 or body.replace("\r\n", "").find("\r") >= 0:
            bad.append(f"{key}: {ext} part has bare LF or CR line ends")
        with open(f"{out}.{i}.{ext}", "w", encoding="utf-8") as f:
            f.write(body.replace("\r\n", "\n"))
    rows.append("\t".join([str(i), one("To"), one("From"), mid.strip("<>"), subj, one("X-RcptTo"),
                           one("X-MailFrom")]))
with open(out + ".tsv", "w", encoding="utf-8") as f:
    f.write("".join(r + "\n" for r in rows))
for b in bad[:20]:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
readmail() { # readmail MAILDIR
	"$PY" "$T/readmail.py" "$1" "$T/mail" 2>"$T/readmail.err" || { cat "$T/readmail.err" >&2; fail "malformed messages in $1"; }
}

# `outbox list --json` as $T/ob.tsv: "ID STATE KIND LANG MESSAGE-ID ATTEMPTS NEXT LAST" (NEXT "-" when null).
cat >"$T/ob.py" <<'EOF'
import json, sys
for m in json.load(sys.stdin):
    print("\t".join(str(x) for x in (m["id"], m["state"], m["kind"], m["lang"], m["message_id"], m["attempts"],
                                      m["next_attempt"] or "-", m["last"] or "-")))
EOF
outbox() { # outbox DIR [--state S]: `outbox list --json` as $T/ob.tsv
	ecert-issue outbox list --json -d "$@" >"$T/ob.json" || fail "outbox list --json $*"
	"$PY" "$T/ob.py" <"$T/ob.json" >"$T/ob.tsv" || fail "outbox list --json $* is not the expected JSON"
}
outbox_to() { # outbox_to DIR: $T/ob.tsv plus the recipient of each message as a 9th column, in $T/obto.tsv
	outbox "$1"
	: >"$T/obto.tsv"
	while IFS='	' read -r id rest; do
		to=$(ecert-issue outbox show "$id" -d "$1" | sed -n 's/^To: //p')
		[ -n "$to" ] || fail "outbox show $id gives no To"
		printf '%s\t%s\t%s\n' "$id" "$rest" "$to" >>"$T/obto.tsv"
	done <"$T/ob.tsv"
}
count_state() { awk -F'\t' -v s="$1" '$2 == s' "$T/ob.tsv" | wc -l; }
# msgid KIND TO: the Message-ID of the one KIND notice to TO ($T/obto.tsv)
msgid() {
	awk -F'\t' -v k="$2" -v a="$1" '$3 == a && $9 == k { print $5 }' "$T/obto.tsv" >"$T/mid"
	[ "$(wc -l <"$T/mid")" -eq 1 ] || { cat "$T/obto.tsv" >&2; fail "expected one '$1' notice to $2, found $(wc -l <"$T/mid")"; }
	cat "$T/mid"
}
group() { echo "$1" | sed 's/\(....\)/\1 /g; s/ $//'; }   # 0101... as printed: 0101 7525 ...

# check_mail KIND TO NUMBER SUBJECT-TEXT [TEXT...]: the KIND notice to TO arrived exactly once (by its
# Message-ID from the outbox), from $FROM to TO, its subject has SUBJECT-TEXT and the grouped NUMBER,
# both parts the grouped number and the verification URL, the text every TEXT (the HTML escaped).
check_mail() {
	kind=$1 to=$2 number=$3 subj=$4
	shift 4
	mid=$(msgid "$kind" "$to") || exit 1
	awk -F'\t' -v m="$mid" '$4 == m' "$T/mail.tsv" >"$T/row"
	[ "$(wc -l <"$T/row")" -eq 1 ] || fail "$kind notice to $to (<$mid>) arrived $(wc -l <"$T/row") times, not once"
	IFS='	' read -r ix hto hfrom hmid hsubj hrcpt hmfrom <"$T/row"
	[ "$hto" = "$to" ] || fail "$kind notice <$mid>: To '$hto', expected '$to'"
	[ "$hrcpt" = "$to" ] || fail "$kind notice <$mid>: delivered to '$hrcpt', expected '$to'"
	[ "$hfrom" = "$FROM" ] || fail "$kind notice <$mid>: From '$hfrom', expected mail_from '$FROM'"
	[ "$hmfrom" = "$FROM" ] || fail "$kind notice <$mid>: envelope sender '$hmfrom', expected '$FROM'"
	g=$(group "$number")
	case $hsubj in *"$g"*) ;; *) fail "$kind notice <$mid>: subject '$hsubj' lacks the number '$g'" ;; esac
	case $hsubj in *"$subj"*) ;; *) fail "$kind notice <$mid>: subject '$hsubj' lacks '$subj'" ;; esac
	for part in txt html; do
		f=$T/mail.$ix.$part
		grep -qF -- "$g" "$f" || { cat "$f" >&2; fail "$kind notice <$mid>: $part part lacks the number $g"; }
		grep -qF -- "$URL/v/$number" "$f" || { cat "$f" >&2; fail "$kind notice <$mid>: $part part lacks $URL/v/$number"; }
	done
	grep -qF -- "href=\"$URL/v/$number\"" "$T/mail.$ix.html" || fail "$kind notice <$mid>: the URL is not a link"
	for text in "$@"; do
		grep -qF -- "$text" "$T/mail.$ix.txt" || { cat "$T/mail.$ix.txt" >&2; fail "$kind notice <$mid>: text lacks '$text'"; }
		h=$(printf '%s' "$text" | sed "s/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/\"/\&quot;/g; s/'/\&#39;/g")
		grep -qF -- "$h" "$T/mail.$ix.html" || { cat "$T/mail.$ix.html" >&2; fail "$kind notice <$mid>: HTML lacks '$h'"; }
	done
	MAIL_IX=$ix
}
# every message in $T/mail.tsv has a distinct Message-ID, and there are N of them
unique_mail() {
	[ "$(wc -l <"$T/mail.tsv")" -eq "$1" ] || { cat "$T/mail.tsv" >&2; fail "$(wc -l <"$T/mail.tsv") messages in the Maildir, expected $1"; }
	dup=$(cut -f4 "$T/mail.tsv" | sort | uniq -d | head -n 1)
	[ -z "$dup" ] || fail "Message-ID <$dup> delivered more than once"
}
smtp_conf() { # smtp_conf DIR PORT
	printf 'smtp_url = smtp://127.0.0.1:%s\nsmtp_tls = off\nmail_from = %s\n' "$2" "$FROM" >>"$1/ecert.conf"
}
new_office() { # new_office DIR
	expect 0 ecert-ca init -d "$1" --org "Mail Test Certification Body" --public-url "$URL"
	cp "$DATA/catalog.conf" "$1/catalog.conf"
}

started=$(date +%s)
P1=$(free_port)
MD=$T/md
maildir "$MD"
smtp_start "$P1" Sink "$MD"
S1=$SMTP_PID

##### A: issued, shipped and revoked notices, a relay that is down, expiry reminders
A=$T/a
I() { ecert-issue "$@" -d "$A"; }
new_office "$A"
cat >"$T/a-results.csv" <<'EOF'
registration_no,last_name,first_name,email,tel,certification,exam_date,result
M-0001,O'Brien,Sons,holder1@example.org,,NET-A,2026-03-02,pass
M-0002,李,瑞瑞,liruirui@example.cn,,NET-A,2026-03-02,pass
M-0003,Nguyễn,Thị Minh Khai,khai@example.vn,,NET-P,2026-03-02,pass
M-0004,Müller,Jürgen,juergen@example.de,,NET-A,2026-03-02,pass
M-0005,Down,Dora,dora@example.org,,NET-A,2026-03-02,pass
M-0006,Down,Dan,dan@example.org,,NET-A,2026-03-02,pass
EOF
cat >"$T/a-apply.csv" <<'EOF'
registration_no,format,name,email,tel,address,consent
M-0001,electronic,"O'Brien & Sons <Ltd>",,,,yes
M-0003,paper,Nguyễn Thị Minh Khai,,,"12 Phố Huế, Hai Bà Trưng, Hà Nội",yes
M-0004,paper,Jürgen Müller,,,"Hauptstraße 1, 10115 Berlin",yes
EOF
expect 0 I import "$T/a-results.csv"
expect 0 I apply --csv "$T/a-apply.csv"
expect 0 I apply --reg-no M-0002 --format electronic --name 李瑞瑞 --consent --lang zh
expect 0 I issue --all
awk -F'\t' '{ print $1, $2 }' "$T/out" >"$T/numbers"
num() { awk -v r="$1" '$1 == r { print $2 }' "$T/numbers"; }
N1=$(num M-0001) N2=$(num M-0002) N3=$(num M-0003) N4=$(num M-0004)
for n in "$N1" "$N2" "$N3" "$N4"; do [ "${#n}" -eq 22 ] || { cat "$T/out" >&2; fail "issue printed no number ($n)"; }; done

# one "issued" notice per certificate, in the register with them
outbox_to "$A"
[ "$(wc -l <"$T/obto.tsv")" -eq 4 ] || { cat "$T/ob.json" >&2; fail "4 certificates issued, $(wc -l <"$T/obto.tsv") messages queued"; }
[ "$(awk -F'\t' '$2 == "queued" && $3 == "issued"' "$T/obto.tsv" | wc -l)" -eq 4 ] || fail "not 4 queued issued notices"
cut -f9 "$T/obto.tsv" | sort >"$T/to"
printf '%s\n' holder1@example.org liruirui@example.cn khai@example.vn juergen@example.de | sort | cmp -s - "$T/to" ||
	{ cat "$T/to" >&2; fail "the issued notices do not go one to each holder"; }
[ "$(awk -F'\t' '$9 == "liruirui@example.cn" { print $4 }' "$T/obto.tsv")" = zh ] || fail "apply --lang zh: the notice is not in zh"
[ "$(awk -F'\t' '$9 == "holder1@example.org" { print $4 }' "$T/obto.tsv")" = en ] || fail "the default notice language is not en"

# no smtp_url: nothing sent (the server is up and gets nothing), exit 0, the count said, nothing dropped
expect 0 I outbox send
expect_out "no smtp_url in ecert.conf: 4 messages wait in the outbox"
outbox "$A"
[ "$(count_state queued)" -eq 4 ] || { cat "$T/ob.json" >&2; fail "a send without smtp_url changed the outbox"; }
awk -F'\t' '$6 != 0' "$T/ob.tsv" | grep -q . && fail "a send without smtp_url counted an attempt"
[ -z "$(ls "$MD/new")" ] || fail "a send without smtp_url delivered mail"

# the relay configured: all delivered once, and as they should read
smtp_conf "$A" "$P1"
expect 0 I outbox send
expect_out "sent 4, deferred 0, failed 0; 0 failed in the outbox"
outbox "$A"
[ "$(count_state sent)" -eq 4 ] || { cat "$T/ob.json" >&2; fail "not every message is listed sent"; }
awk -F'\t' '$6 != 1 || $7 != "-"' "$T/ob.tsv" | grep -q . && { cat "$T/ob.json" >&2; fail "a sent message with attempts != 1 or a next attempt"; }
readmail "$MD"
unique_mail 4
check_mail issued holder1@example.org "$N1" "is ready" "Dear O'Brien & Sons <Ltd>," "Network Associate (NET-A)"
# the name's <&> escaped in the HTML, never markup
grep -qF '&amp; Sons &lt;Ltd&gt;' "$T/mail.$MAIL_IX.html" || { cat "$T/mail.$MAIL_IX.html" >&2; fail "HTML does not escape the name"; }
grep -qF '<Ltd>' "$T/mail.$MAIL_IX.html" && fail "the name's <Ltd> is raw in the HTML"
check_mail issued liruirui@example.cn "$N2" "您的电子证书" "李瑞瑞，您好" "证书编号"
check_mail issued khai@example.vn "$N3" "is ready" "Dear Nguyễn Thị Minh Khai," "Network Professional (NET-P)"
check_mail issued juergen@example.de "$N4" "is ready" "Dear Jürgen Müller,"
expect 1 I outbox retry 1
expect_err "sent already"

# shipping a paper certificate: a "shipped" notice with the carrier and order; again: no second notice
expect 0 I ship "$N3" --carrier "SF Express" --order SF1234567890
expect_out "notice queued"
expect 0 I ship "$N3" --carrier "SF Express" --order SF1234567890
expect_out "already recorded"
# revocation: a "revoked" notice with the reason in words
expect 0 I revoke "$N4" --reason keyCompromise
# a revoked certificate is not shipped, and nothing is queued
expect 1 I ship "$N4" --carrier DHL --order 1234567890
expect_err "revoked"
outbox_to "$A"
[ "$(wc -l <"$T/obto.tsv")" -eq 6 ] || { cat "$T/ob.json" >&2; fail "expected 6 messages after ship, ship again, revoke and a refused ship"; }
[ "$(awk -F'\t' '$3 == "shipped"' "$T/obto.tsv" | wc -l)" -eq 1 ] || fail "not one shipped notice"
msgid shipped khai@example.vn >/dev/null
msgid revoked juergen@example.de >/dev/null
expect 0 I outbox send
expect_out "sent 2, deferred 0, failed 0"
readmail "$MD"
unique_mail 6
check_mail shipped khai@example.vn "$N3" "has shipped" "Carrier: SF Express" "Order number: SF1234567890" \
	"handed to SF Express on 2026-03-10"
check_mail revoked juergen@example.de "$N4" "has been revoked" "was revoked on 2026-03-10: its key was compromised."

# the relay down: the first message deferred (exit 0, nothing failed) with a next attempt, and the run
# stops there rather than wait a timeout per message; once the relay is back, both delivered exactly once
smtp_stop "$S1"
cat >"$T/a-apply2.csv" <<'EOF'
registration_no,format,name,email,tel,address,consent
M-0005,electronic,Dora Down,,,,yes
M-0006,electronic,Dan Down,,,,yes
EOF
expect 0 I apply --csv "$T/a-apply2.csv"
expect 0 I issue --all
awk -F'\t' '{ print $1, $2 }' "$T/out" >>"$T/numbers"
N5=$(num M-0005) N6=$(num M-0006)
expect 0 I outbox send
expect_out "sent 0, deferred 1, failed 0; 0 failed in the outbox"
outbox "$A" --state deferred
[ "$(wc -l <"$T/ob.tsv")" -eq 1 ] || { cat "$T/ob.json" >&2; fail "expected 1 deferred message"; }
awk -F'\t' '$6 != 1 || $7 != "2026-03-10T12:01:00Z" || $8 == "-"' "$T/ob.tsv" | grep -q . &&
	{ cat "$T/ob.json" >&2; fail "a deferred message without one attempt, its reason and a next attempt 1 minute on"; }
outbox "$A" --state queued
[ "$(wc -l <"$T/ob.tsv")" -eq 1 ] || { cat "$T/ob.json" >&2; fail "the second message should still wait, untried"; }
expect 0 I outbox list --state deferred
expect_out "deferred"
smtp_start "$P1" Sink "$MD"
S1=$SMTP_PID
# the untried one is due: sent; the deferred one is not due yet
expect 0 I outbox send
expect_out "sent 1, deferred 0, failed 0"
export ECERT_NOW=2026-03-11
expect 0 I outbox send
expect_out "sent 1, deferred 0, failed 0; 0 failed in the outbox"
outbox_to "$A"
[ "$(count_state sent)" -eq 8 ] || { cat "$T/ob.json" >&2; fail "not all 8 messages sent"; }
readmail "$MD"
unique_mail 8
check_mail issued dora@example.org "$N5" "is ready" "Dear Dora Down,"
check_mail issued dan@example.org "$N6" "is ready" "Dear Dan Down,"
[ "$(awk -F'\t' '$9 == "dora@example.org" { print $6 }' "$T/obto.tsv")" -eq 2 ] || fail "the deferred message does not show 2 attempts"

# expiry reminders: none 120 days before expiry; one per valid certificate 60 days before; never twice
expect 0 I show "$N1" --json
EXP=$(sed -n 's/.*"expires":"\([0-9-]*\)".*/\1/p' "$T/out")
[ -n "$EXP" ] || fail "show --json has no expiry date"
export ECERT_NOW="$(date -u -d "$EXP - 120 days" +%F)"
expect 0 I outbox send
grep -q "reminder" "$T/out" && fail "reminders queued 120 days before expiry: $(cat "$T/out")"
export ECERT_NOW="$(date -u -d "$EXP - 60 days" +%F)"
expect 0 I list --status valid --json
valid=$(grep -c '"number":"' "$T/out")
[ "$valid" -eq 5 ] || fail "expected 5 valid certificates (one revoked), found $valid"
expect 0 I outbox send
expect_out "5 expiry reminders queued"
expect_out "sent 5, deferred 0, failed 0; 0 failed in the outbox"
expect 0 I outbox send
grep -q "reminder" "$T/out" && fail "the second send queued reminders again: $(cat "$T/out")"
expect_out "sent 0, deferred 0, failed 0"
outbox_to "$A"
[ "$(awk -F'\t' '$3 == "expiry"' "$T/obto.tsv" | wc -l)" -eq 5 ] || { cat "$T/ob.json" >&2; fail "not 5 expiry notices"; }
awk -F'\t' '$3 == "expiry" && $9 == "juergen@example.de"' "$T/obto.tsv" | grep -q . && fail "a reminder for a revoked certificate"
readmail "$MD"
unique_mail 13
for pair in "holder1@example.org $N1" "khai@example.vn $N3" "dora@example.org $N5" "dan@example.org $N6"; do
	check_mail expiry "${pair% *}" "${pair#* }" "expires on $EXP" "is valid until $EXP"
done
check_mail expiry liruirui@example.cn "$N2" "将于 $EXP 到期" "有效期至 $EXP"
note "A: issued, shipped, revoked, deferred and expiry notices checked ($(($(date +%s) - started)) s)"

##### B: refusals: 5xx fails at once, 4xx is deferred and fails after 3 days
export ECERT_NOW=2026-03-10
B=$T/b
new_office "$B"
cat >"$T/b-results.csv" <<'EOF'
registration_no,last_name,first_name,email,tel,certification,exam_date,result
R-0001,Unce,Bo,bounce1@example.org,,NET-A,2026-03-02,pass
R-0002,Ter,La,later1@example.org,,NET-A,2026-03-02,pass
EOF
cat >"$T/b-apply.csv" <<'EOF'
registration_no,format,name,email,tel,address,consent
R-0001,electronic,Bo Unce,,,,yes
R-0002,electronic,La Ter,,,,yes
EOF
expect 0 ecert-issue import "$T/b-results.csv" -d "$B"
expect 0 ecert-issue apply --csv "$T/b-apply.csv" -d "$B"
expect 0 ecert-issue issue --all -d "$B"
smtp_conf "$B" "$P1"
expect 1 ecert-issue outbox send -d "$B"
expect_out "sent 0, deferred 1, failed 1; 1 failed in the outbox"
expect 0 ecert-issue outbox list --state failed -d "$B"
[ "$(grep -c failed "$T/out")" -eq 1 ] || { cat "$T/out" >&2; fail "outbox list --state failed: not one row"; }
expect_out "boun****@example.org"
expect_out "550 5.1.1 no such user"
outbox_to "$B"
BOUNCE=$(awk -F'\t' '$9 == "bounce1@example.org" { print $1 }' "$T/obto.tsv")
LATER=$(awk -F'\t' '$9 == "later1@example.org" { print $1 }' "$T/obto.tsv")
awk -F'\t' -v i="$BOUNCE" '$1 == i && $2 == "failed" && $8 ~ /550/ && $7 == "-"' "$T/obto.tsv" | grep -q . ||
	{ cat "$T/ob.json" >&2; fail "the 550 message is not failed with its reply"; }
awk -F'\t' -v i="$LATER" '$1 == i && $2 == "deferred" && $8 ~ /451 4.3.0 try later/ && $7 != "-"' "$T/obto.tsv" | grep -q . ||
	{ cat "$T/ob.json" >&2; fail "the 451 message is not deferred with its reply and a next attempt"; }
expect 0 ecert-issue outbox retry --failed -d "$B"
expect_out "1 message queued again"
expect 0 ecert-issue outbox list --state failed -d "$B"
grep -q failed "$T/out" && fail "a failed message remains after retry --failed"
outbox "$B"
awk -F'\t' -v i="$BOUNCE" '$1 == i && $2 == "queued"' "$T/ob.tsv" | grep -q . || { cat "$T/ob.json" >&2; fail "retry --failed did not queue it"; }
# the retried one fails again; the 451 one is not due yet
expect 1 ecert-issue outbox send -d "$B"
expect_out "sent 0, deferred 0, failed 1; 1 failed in the outbox"
export ECERT_NOW=2026-03-11
expect 1 ecert-issue outbox send -d "$B"
expect_out "sent 0, deferred 1, failed 0; 1 failed in the outbox"
outbox "$B"
awk -F'\t' -v i="$LATER" '$1 == i && $2 == "deferred" && $6 == 2' "$T/ob.tsv" | grep -q . ||
	{ cat "$T/ob.json" >&2; fail "a day on, the 451 message is not deferred after 2 attempts"; }
export ECERT_NOW=2026-03-14
expect 1 ecert-issue outbox send -d "$B"
expect_out "sent 0, deferred 0, failed 1; 2 failed in the outbox"
outbox "$B" --state failed
awk -F'\t' -v i="$LATER" '$1 == i && $8 ~ /3 days/ && $8 ~ /451/' "$T/ob.tsv" | grep -q . ||
	{ cat "$T/ob.json" >&2; fail "4 days on, the 451 message is not failed with the 3-day reason"; }
readmail "$MD"
unique_mail 13
grep -q "bounce1@\|later1@" "$T/mail.tsv" && fail "a refused message arrived"
# a relay login whose password file cannot be read: a system error naming the file, nothing recorded
cp "$B/ecert.conf" "$T/b.conf"
printf 'smtp_user = ecert\nsmtp_pass_file = %s/no-such.pass\n' "$T" >>"$B/ecert.conf"
outbox "$B"
cp "$T/ob.json" "$T/before.json"
expect 2 ecert-issue outbox send -d "$B"
expect_err "cannot read smtp_pass_file '$T/no-such.pass'"
outbox "$B"
cmp -s "$T/before.json" "$T/ob.json" || fail "a failed password read changed the outbox"
cp "$T/b.conf" "$B/ecert.conf"
# the outbox commands' usage errors
expect 2 ecert-issue outbox frobnicate -d "$B"
expect_err "unknown outbox command 'frobnicate'"
expect 2 ecert-issue outbox show 0 -d "$B"
expect 2 ecert-issue outbox retry -d "$B"
expect 2 ecert-issue outbox retry 1 --failed -d "$B"
expect 2 ecert-issue outbox list --state lost -d "$B"
expect 1 ecert-issue outbox show 999999 -d "$B"
expect_err "no message 999999 in the outbox"
note "B: 550 failed and retried, 451 deferred then failed after 3 days ($(($(date +%s) - started)) s)"

##### C: the sender killed with SIGKILL mid-run loses nothing; a duplicate keeps its Message-ID (mail_lang = zh)
export ECERT_NOW=2026-03-10
C=$T/c
new_office "$C"
awk -v n="$KILL_N" 'BEGIN {
	print "registration_no,last_name,first_name,email,tel,certification,exam_date,result"
	for (i = 1; i <= n; i++) printf "K%06d,Li,Rui%d,k%d@example.cn,,NET-A,2026-03-02,pass\n", i, i, i
}' >"$T/c-results.csv"
awk -v n="$KILL_N" 'BEGIN {
	print "registration_no,format,name,email,tel,address,consent"
	for (i = 1; i <= n; i++) printf "K%06d,electronic,李瑞 %d,,,,yes\n", i, i
}' >"$T/c-apply.csv"
echo "mail_lang = zh" >>"$C/ecert.conf"
expect 0 ecert-issue import "$T/c-results.csv" -d "$C"
expect 0 ecert-issue apply --csv "$T/c-apply.csv" -d "$C"
expect 0 ecert-issue issue --all -d "$C"
MD2=$T/md2
maildir "$MD2"
P2=$(free_port)
smtp_start "$P2" Sink "$MD2"
smtp_conf "$C" "$P2"
ecert-issue outbox send -d "$C" >"$T/killed.out" 2>&1 &
sender=$!
# killed once a good part has arrived, past the sender's first batch of 256, well before the end
want=$((KILL_N / 5))
i=0
while [ "$(ls "$MD2/new" | wc -l)" -lt "$want" ] && kill -0 "$sender" 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -9 "$sender" 2>/dev/null
wait "$sender" 2>/dev/null
rc=$?
sender=""
[ "$rc" -eq 137 ] || { cat "$T/killed.out" >&2; fail "the sender was not killed mid-run (exit $rc): raise ECERT_MAIL_KILL_N"; }
at_kill=$(ls "$MD2/new" | wc -l)
outbox "$C"
sent_at_kill=$(count_state sent)
[ "$sent_at_kill" -lt "$KILL_N" ] || fail "every message was sent before the kill"
expect 0 ecert-issue outbox send -d "$C"
expect_out "failed 0; 0 failed in the outbox"
outbox "$C"
[ "$(count_state sent)" -eq "$KILL_N" ] || { sed -n 1,5p "$T/ob.tsv" >&2; fail "$(count_state sent) of $KILL_N messages sent after the kill and a second send"; }
readmail "$MD2"
"$PY" - "$T/ob.tsv" "$T/mail.tsv" <<'EOF' >"$T/dups" || fail "messages lost or changed by the kill"
import collections, sys
ids = [l.split("\t")[4] for l in open(sys.argv[1], encoding="utf-8")]
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2], encoding="utf-8")]
got = collections.Counter(r[3] for r in rows)
by_to = collections.defaultdict(set)
for r in rows:
    by_to[r[1]].add(r[3])
bad = 0
if len(set(ids)) != len(ids):
    print("duplicate Message-IDs in the outbox", file=sys.stderr); bad = 1
missing = [m for m in ids if got[m] == 0]
if missing:
    print(f"{len(missing)} messages never arrived, e.g. <{missing[0]}>", file=sys.stderr); bad = 1
strange = [m for m in got if m not in set(ids)]
if strange:
    print(f"{len(strange)} arrived Message-IDs are not in the outbox, e.g. <{strange[0]}>", file=sys.stderr); bad = 1
split = [t for t, s in by_to.items() if len(s) > 1]
if split:
    print(f"{len(split)} recipients got differing Message-IDs, e.g. {split[0]}", file=sys.stderr); bad = 1
if len(by_to) != len(ids):
    print(f"{len(by_to)} recipients got mail, {len(ids)} messages", file=sys.stderr); bad = 1
zh = [r for r in rows if not r[4].startswith("您的电子证书")]
if zh:
    print(f"mail_lang = zh: subject '{zh[0][4]}'", file=sys.stderr); bad = 1
print(sum(c - 1 for c in got.values()))
sys.exit(bad)
EOF
note "C: killed after $at_kill arrivals ($sent_at_kill committed sent); $KILL_N messages all sent, $(cat "$T/dups") delivered twice with the same Message-ID ($(($(date +%s) - started)) s)"
smtp_stop "$SMTP_PID"
smtp_stop "$S1"

##### D: 10,000 messages drain; the sender's peak RSS for 1,000 and for 10,000 messages
# One register for both runs: 1,000 issued on 2026-03-10, 9,000 more on 2026-03-11. A copy sent on
# 2026-03-10 has 1,000 messages due, the original sent on 2026-03-11 all 10,000: the register and the
# rest are the same, only the number of messages differs.
if [ "$VG" = 1 ]; then
	note "D: skipped under valgrind (its memory, and its speed)"
else
	export ECERT_NOW=2026-03-10
	E=$T/d
	new_office "$E"
	awk -v n="$BULK_N" 'BEGIN {
		print "registration_no,last_name,first_name,email,tel,certification,exam_date,result"
		for (i = 1; i <= n; i++) printf "D%06d,Li,Rui%d,d%d@example.com,,NET-A,2026-03-02,pass\n", i, i, i
	}' >"$T/d-results.csv"
	awk -v n="$BULK_N" 'BEGIN {
		print "registration_no,format,name,email,tel,address,consent"
		for (i = 1; i <= n; i++) printf "D%06d,electronic,Li Rui %d,,,,yes\n", i, i
	}' >"$T/d-apply.csv"
	head -n $((SMALL_N + 1)) "$T/d-apply.csv" >"$T/d-apply1.csv"
	{ head -n 1 "$T/d-apply.csv"; tail -n +$((SMALL_N + 2)) "$T/d-apply.csv"; } >"$T/d-apply2.csv"
	expect 0 ecert-issue import "$T/d-results.csv" -d "$E"
	expect 0 ecert-issue apply --csv "$T/d-apply1.csv" -d "$E"
	expect 0 ecert-issue issue --all -d "$E"
	export ECERT_NOW=2026-03-11
	expect 0 ecert-issue apply --csv "$T/d-apply2.csv" -d "$E"
	expect 0 ecert-issue issue --all -d "$E"
	P3=$(free_port)
	smtp_start "$P3" Count "$T/count"
	smtp_conf "$E" "$P3"
	cp -a "$E" "$T/d1k"
	expect 0 env ECERT_NOW=2026-03-10 /usr/bin/time -v -o "$T/time1" ecert-issue outbox send -d "$T/d1k"
	expect_out "sent $SMALL_N, deferred 0, failed 0; 0 failed in the outbox"
	t0=$(date +%s.%N)
	expect 0 /usr/bin/time -v -o "$T/time10" ecert-issue outbox send -d "$E"
	t1=$(date +%s.%N)
	expect_out "sent $BULK_N, deferred 0, failed 0; 0 failed in the outbox"
	[ "$(wc -l <"$T/count")" -eq $((SMALL_N + BULK_N)) ] || fail "the server counted $(wc -l <"$T/count") messages, expected $((SMALL_N + BULK_N))"
	outbox "$E"
	[ "$(count_state sent)" -eq "$BULK_N" ] || fail "$(count_state sent) of $BULK_N listed sent"
	rss1=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time1")
	rss10=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time10")
	[ -n "$rss1" ] && [ -n "$rss10" ] || fail "/usr/bin/time -v gave no peak RSS"
	rate=$(awk -v n="$BULK_N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
	note "D: peak RSS $rss1 KB for $SMALL_N messages, $rss10 KB for $BULK_N ($rate messages/s)"
	[ "$rss10" -lt $((rss1 + 16384)) ] || fail "the sender's peak RSS grows with the messages: $rss1 KB for $SMALL_N, $rss10 KB for $BULK_N"
	smtp_stop "$SMTP_PID"
fi
echo "mail: ok ($(($(date +%s) - started)) s)"
