# Shared by the portal's end-to-end scripts (sourced after lib.sh): a CA, a real SMTP server (Debian's
# aiosmtpd) as the relay, exam results for two candidates (Wang Wei with two addresses, Li Na) with
# three certificates issued, and ecert-portald started on a free loopback port as its own user.
# Sets D, I(), U (the portal's URL), NP, NW, NL (the certificates of P-1, W-1, L-1), PD (its pid),
# PY, DATA, DAY2; the relay's Maildir is $T/mail.
for b in ecert-ca ecert-issue ecert-portald ecert-verify; do [ -x "$BIN/$b" ] || skip "$b not built"; done
command -v curl >/dev/null || skip "curl not installed"
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd not installed (/usr/bin/python3)"
DATA=$TOP/tests/e2e/data

D=$T/state
I() { ecert-issue "$@" -d "$D"; }
PIDS=""
trap 'for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM
DAY=$(date -u -d '-20 days' +%F)
DAY2=$(date -u -d '-19 days' +%F)

expect 0 ecert-ca init --org "Portal Test Body" -d "$D"
SMTP_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$T/mail/tmp" "$T/mail/new" "$T/mail/cur"
env PYTHONPATH="$DATA" "$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c smtp_sink.Sink "$T/mail" >"$T/smtp.log" 2>&1 &
PIDS="$PIDS $!"
"$PY" "$DATA/smtp_wait.py" "$SMTP_PORT" || fail "the SMTP server did not start"
printf 'smtp_url = smtp://127.0.0.1:%s\nsmtp_tls = off\nmail_from = portal@example.org\nportal_url = https://portal.example.org\n' \
	"$SMTP_PORT" >>"$D/ecert.conf"

cat >"$T/results.csv" <<CSV
registration_no,last_name,first_name,email,tel,certification,exam_date,result,exam
P-1,Wang,Wei,wang.wei@example.cn,,HCIA-AI,$DAY,pass,
P-2,Wang,Wei,wang.wei@example.cn,,HCIE-Datacom,$DAY,pass,HCIE-Datacom-Written
P-3,Wang,Wei,wang.wei@example.cn,,HCIE-Security,$DAY,pass,HCIE-Security-Written
W-1,Wang,Wei,wei.work@example.com,,HCIP-AI,$DAY,pass,
L-1,Li,Na,li.na@example.cn,,HCIA-AI,$DAY,pass,
S-1,Wang,Wei,w.wei@school.example.edu,,HCIA-Cloud,$DAY,pass,
A-1,Wang,Wei,wang.wei@example.cn,,HCIP-Cloud,$DAY,pass,
A-2,Wang,Wei,wang.wei@example.cn,,HCIE-Security,$DAY,pass,HCIE-Security-Lab
A-3,Wang,Wei,wang.wei@example.cn,,HCIA-Security,$DAY,pass,
CSV
expect 0 I import "$T/results.csv"
for r in P-1 W-1 L-1; do
	expect 0 I apply --reg-no "$r" --format electronic --name "Wang Wei" --consent
done
expect 0 I issue --all
NP=$(awk '$1 == "P-1" { print $2 }' "$T/out")
NW=$(awk '$1 == "W-1" { print $2 }' "$T/out")
NL=$(awk '$1 == "L-1" { print $2 }' "$T/out")
[ ${#NP} -eq 22 ] && [ ${#NW} -eq 22 ] && [ ${#NL} -eq 22 ] || { cat "$T/out" >&2; fail "issuance"; }
# HCIP-AI (NW's) is not renewed: an eighth column of the catalogue
sed -i 's/^\(HCIP-AI .*| professional\) *$/\1 | | no-renew/' "$D/catalog.conf"
grep -q '^HCIP-AI .*no-renew$' "$D/catalog.conf" || fail "could not mark HCIP-AI no-renew"

# The portal runs as its own user: root drops to nobody, which owns the office register's files.
USER_OPT=""
if [ "$(id -u)" -eq 0 ]; then
	USER_OPT="--user nobody"
	chmod 711 "$T"
	chown nobody "$D/register" "$D/register/data.mdb" "$D/register/lock.mdb"
fi
# shellcheck disable=SC2086
"$BIN/ecert-portald" -d "$D" --listen 127.0.0.1:0 --insecure-cookies $USER_OPT 2>"$T/pd.log" &
PD=$!
PIDS="$PIDS $PD"
i=0
until grep -q '"event":"listening"' "$T/pd.log" 2>/dev/null; do
	kill -0 "$PD" 2>/dev/null || { cat "$T/pd.log" >&2; fail "ecert-portald exited at start"; }
	i=$((i + 1))
	[ $i -lt 100 ] || fail "ecert-portald did not start"
	sleep 0.1
done
U=http://$(sed -n 's/.*"event":"listening","address":"\([0-9.:]*\)".*/\1/p' "$T/pd.log")

