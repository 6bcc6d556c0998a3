#!/bin/sh
# The main job end to end in a throwaway directory (build/demo): create a CA, import exam results,
# take applications, issue and render the e-Certs, revoke and renew one, verify a PDF offline, then
# serve the public verification endpoint, a replica of it from a published snapshot and the
# candidates' portal on localhost until Ctrl-C.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin
demo=${ECERT_DEMO_DIR:-$top/build/demo}
port=${ECERT_DEMO_PORT:-8080}

rm -rf "$demo"
mkdir -p "$demo/pdfs"
# Demo-only passphrases: real deployments use --pass-file or a TTY prompt.
ECERT_PASS=demo-issuing-passphrase
ECERT_ROOT_PASS=demo-root-passphrase
ECERT_HOME=$demo/state
ECERT_TEMPLATES=$top/templates
export ECERT_PASS ECERT_ROOT_PASS ECERT_HOME ECERT_TEMPLATES

step() { printf '\n== %s\n' "$*"; }
# up URL PID LOG WHAT VAR: wait until the server PID answers URL, or show LOG and stop the demo
up() {
	i=0
	while :; do
		# alive first: another server already on that port would answer for a server that failed
		if [ $i -gt 50 ] || ! kill -0 "$2" 2>/dev/null; then
			cat "$3" >&2
			echo "demo: $4 did not start on $1 (set $5)" >&2
			exit 2
		fi
		curl -fs -o /dev/null "$1" 2>/dev/null && break
		i=$((i + 1))
		sleep 0.1
	done
}

step "create the root and issuing CAs in $ECERT_HOME"
"$bin/ecert-ca" init --org "Example Certification Body" --public-url "http://localhost:$port"
"$bin/ecert-ca" list

step "the certifications this body issues"
"$bin/ecert-issue" catalog

step "import exam results (names in several scripts)"
"$bin/ecert-issue" import "$top/scripts/demo-data/results.csv"

step "take the candidates' applications"
"$bin/ecert-issue" apply --csv "$top/scripts/demo-data/applications.csv"

step "issue every requested certificate"
"$bin/ecert-issue" issue --all >/dev/null
"$bin/ecert-issue" list

numbers=$("$bin/ecert-issue" list --status valid --json | grep -o '"number":"[0-9]*"' | cut -d'"' -f4)
first=$(echo "$numbers" | head -n 1)
second=$(echo "$numbers" | sed -n 2p)

step "render the PDF e-Certs"
# shellcheck disable=SC2086
"$bin/ecert-issue" render $numbers -o "$demo/pdfs"
ls "$demo/pdfs"

step "revoke one, renew another"
"$bin/ecert-issue" revoke "$second" --reason affiliationChanged
"$bin/ecert-issue" renew "$first"
kid=$(cat "$ECERT_HOME/certs/current")
openssl crl -inform DER -in "$ECERT_HOME/crl/$kid.crl" -noout -text | sed -n '/Revoked Certificates/,$p' | head -n 8

step "the holders' emails, waiting in the outbox (set smtp_url in ecert.conf to send them: docs/mail.md)"
"$bin/ecert-issue" outbox list
"$bin/ecert-issue" outbox send

step "verify a PDF offline, as an employer would, with the trust bundle and both CRLs"
"$bin/ecert-verify" --trust "$ECERT_HOME/trust.pem" --crl "$ECERT_HOME/crl/root.crl" --crl "$ECERT_HOME/crl/$kid.crl" \
	"$demo/pdfs/$first.pdf" || true

step "audit the register"
"$bin/ecert-issue" audit verify

echo
echo "PDFs: $demo/pdfs"
echo "trust bundle: $ECERT_HOME/trust.pem"

step "serve the public verification endpoint on http://localhost:$port"
user_opt=""
if [ "$(id -u)" -eq 0 ]; then
	# The endpoint refuses to run as root: it drops to a system user of its own, which only reads the
	# public side of the state directory and keeps LMDB's reader table (docs/verifier.md). The name key
	# is read before the drop, so it stays readable by root alone.
	vuser=ecert-verifyd
	getent passwd "$vuser" >/dev/null ||
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$vuser"
	user_opt="--user $vuser"
	chown "$vuser" "$ECERT_HOME/public/lock.mdb"
	chmod 600 "$ECERT_HOME/name.key"
	if ! runuser -u "$vuser" -- test -r "$ECERT_HOME/public/data.mdb"; then
		echo "demo: user $vuser cannot reach $ECERT_HOME/public: every directory above it must be searchable" \
		    "(o+x); choose another ECERT_DEMO_DIR" >&2
		exit 2
	fi
fi
# The office's passphrases stay with the office tools: the endpoint starts without them.
# shellcheck disable=SC2086
env -u ECERT_PASS -u ECERT_ROOT_PASS "$bin/ecert-verifyd" -d "$ECERT_HOME" --listen "127.0.0.1:$port" $user_opt \
	2>"$demo/verifyd.log" &
vpid=$!
trap 'kill $vpid 2>/dev/null; wait $vpid 2>/dev/null; echo; echo "ecert-verifyd stopped"' EXIT
up "http://127.0.0.1:$port/healthz" "$vpid" "$demo/verifyd.log" ecert-verifyd ECERT_DEMO_PORT
# What the endpoint runs with, as an operator would check it.
vu=$(stat -c %U "/proc/$vpid")
if tr '\0' '\n' <"/proc/$vpid/environ" | grep -q '^ECERT_\(ROOT_\)\{0,1\}PASS='; then
	echo "demo: ecert-verifyd has a passphrase in its environment" >&2
	exit 2
fi
echo "ecert-verifyd: pid $vpid, user $vu, no passphrase in its environment"
for n in $("$bin/ecert-issue" list --json | grep -o '"number":"[0-9]*"' | cut -d'"' -f4); do
	echo "  http://localhost:$port/v/$n"
done
echo
echo "JSON for $first:"
curl -fsS -H 'Accept: application/json' "http://127.0.0.1:$port/v/$first"
echo

step "publish a snapshot and serve it from a replica, as more machines would (docs/scaling.md)"
"$bin/ecert-issue" publish --to "$demo/snapshots"
rport=${ECERT_DEMO_REPLICA_PORT:-8082}
# shellcheck disable=SC2086
env -u ECERT_PASS -u ECERT_ROOT_PASS "$bin/ecert-verifyd" --from "$demo/snapshots" --listen "127.0.0.1:$rport" \
	$user_opt 2>"$demo/replica.log" &
rpid=$!
trap 'kill $vpid $rpid 2>/dev/null; wait $vpid $rpid 2>/dev/null; echo; echo "servers stopped"' EXIT
up "http://127.0.0.1:$rport/healthz" "$rpid" "$demo/replica.log" "the replica" ECERT_DEMO_REPLICA_PORT
echo "replica on http://localhost:$rport: $(curl -fsS "http://127.0.0.1:$rport/healthz")"
echo "$first there: $(curl -fsS "http://127.0.0.1:$rport/api/v1/certificates/$first" | grep -o '"status":"[a-z_]*"')"

step "the candidates' portal: Zoë signs in with the code mailed to her and downloads her e-Cert"
pport=${ECERT_DEMO_PORTAL_PORT:-8081}
sport=${ECERT_DEMO_SMTP_PORT:-8025}
ppid_=""
if /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
	# A local SMTP server keeps the portal's mail in a Maildir: the demo reads Zoë's code from it.
	mkdir -p "$demo/mail/tmp" "$demo/mail/new" "$demo/mail/cur"
	/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$sport" -c aiosmtpd.handlers.Mailbox "$demo/mail" \
		>"$demo/smtp.log" 2>&1 &
	spid=$!
	printf 'smtp_url = smtp://127.0.0.1:%s\nsmtp_tls = off\nmail_from = certificates@example.org\n' "$sport" \
		>>"$ECERT_HOME/ecert.conf"
	puser_opt=""
	if [ "$(id -u)" -eq 0 ]; then
		# the portal writes the office register as its own user (docs/portal.md: a shared group in production)
		puser=ecert-portal
		getent passwd "$puser" >/dev/null ||
			useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$puser"
		chown "$puser" "$ECERT_HOME/register" "$ECERT_HOME/register/data.mdb" "$ECERT_HOME/register/lock.mdb"
		puser_opt="--user $puser"
	fi
	sleep 0.5
	# shellcheck disable=SC2086
	env -u ECERT_PASS -u ECERT_ROOT_PASS "$bin/ecert-portald" -d "$ECERT_HOME" --listen "127.0.0.1:$pport" \
		--public-url "http://localhost:$pport" --insecure-cookies $puser_opt 2>"$demo/portald.log" &
	ppid_=$!
	trap 'kill $vpid $rpid $ppid_ $spid 2>/dev/null; wait $vpid $rpid $ppid_ $spid 2>/dev/null || true; echo; echo "servers stopped"' EXIT
	up "http://127.0.0.1:$pport/login" "$ppid_" "$demo/portald.log" ecert-portald ECERT_DEMO_PORTAL_PORT
	jar=$demo/zoe.cookies
	u=http://127.0.0.1:$pport
	csrf=$(curl -fsS -c "$jar" -b "$jar" "$u/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
	curl -fsS -c "$jar" -b "$jar" -o /dev/null -d "csrf=$csrf&email=zoe.obrien%40example.ie" "$u/login"
	echo "asked to sign in as zoe.obrien@example.ie; the portal mailed a link and a code"
	code=""
	i=0
	while [ -z "$code" ] && [ $i -lt 50 ]; do
		code=$(/usr/bin/python3 -c '
import mailbox, re, sys
for m in mailbox.Maildir(sys.argv[1], create=False):
    for p in m.walk():
        if p.get_content_type() == "text/plain":
            c = re.search(r"\b(\d{6})\b", p.get_payload(decode=True).decode())
            if c: print(c.group(1))' "$demo/mail" | tail -n 1)
		i=$((i + 1))
		[ -z "$code" ] && sleep 0.1
	done
	[ -n "$code" ] || { echo "demo: no sign-in mail arrived" >&2; exit 2; }
	echo "the code in her mailbox ($demo/mail/new): $code"
	curl -fsS -c "$jar" -b "$jar" -o /dev/null -d "csrf=$csrf&email=zoe.obrien%40example.ie&code=$code" "$u/login/code"
	echo "My Certificates, as her browser shows it (text only):"
	curl -fsS -c "$jar" -b "$jar" "$u/me" | sed -n '/<tbody>/,/<\/tbody>/p' | sed 's/<\/t[dh]>/ | /g; s/<[^>]*>//g' | grep -v '^ *$'
	zn=$(curl -fsS -c "$jar" -b "$jar" "$u/me" | grep -o '/me/certificates/[0-9]*\.pdf' | head -n 1)
	curl -fsS -c "$jar" -b "$jar" -o "$demo/zoe.pdf" "$u$zn"
	echo "downloaded $demo/zoe.pdf; checked offline:"
	"$bin/ecert-verify" --trust "$ECERT_HOME/trust.pem" --crl "$ECERT_HOME/crl/root.crl" \
		--crl "$ECERT_HOME/crl/$kid.crl" "$demo/zoe.pdf" || true
	echo "the portal: http://localhost:$pport/login (sign-in mails land in $demo/mail/new)"
else
	echo "python3-aiosmtpd is not installed: no local SMTP server, so the portal is not started (docs/portal.md)"
fi

if [ -t 0 ]; then
	echo "open a URL above in a browser; Ctrl-C stops the servers"
	wait $vpid || true
fi
