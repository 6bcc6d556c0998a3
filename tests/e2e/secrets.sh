#!/bin/sh
# Secrets and privilege of the tools that hold keys: no option takes a passphrase itself; key files are
# 0600 and encrypted (judged by openssl); the public register holds no personal data and no QR token;
# ecert-ca and ecert-issue run non-dumpable with core dumps off and their passphrase buffer locked in
# memory (read from /proc while each waits on a passphrase FIFO).
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] || skip "ecert-ca or ecert-issue not built"
command -v openssl >/dev/null || skip "openssl not installed"
D=$T/state
export ECERT_NOW=2026-03-10

# the options: only files and variables carry passphrases
for t in ecert-ca ecert-issue ecert-verify ecert-verifyd; do
	[ -x "$BIN/$t" ] || continue
	"$BIN/$t" --help 2>&1 | grep -o -- '--[a-z-]*pass[a-z-]*' | sort -u | while read -r opt; do
		case $opt in --pass-file|--root-pass-file) ;; *) fail "$t has option $opt" ;; esac
	done
done
expect 2 ecert-ca init -d "$D" --org X --passphrase secret
expect 2 ecert-ca init -d "$D" --org X --password secret

expect 0 ecert-ca init -d "$D" --org "Secrets Test Body"
KID=$(cat "$D/certs/current")
for k in "$D/keys/root.key" "$D/keys/issuing-$KID.key"; do
	[ "$(stat -c %a "$k")" = 600 ] || fail "$k has mode $(stat -c %a "$k")"
	grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$k" || fail "$k is not encrypted PKCS#8"
	openssl pkey -in "$k" -passin pass:wrong -noout 2>/dev/null && fail "openssl opens $k with a wrong passphrase"
done
openssl pkey -in "$D/keys/root.key" -passin env:ECERT_ROOT_PASS -noout || fail "the root key does not open"
openssl pkey -in "$D/keys/issuing-$KID.key" -passin env:ECERT_PASS -noout || fail "the issuing key does not open"
[ "$(stat -c %a "$D/keys")" = 700 ] || fail "keys/ has mode $(stat -c %a "$D/keys")"

# the public register (what the public host holds) carries no personal data and no QR token: the raw
# file searched for every personal field of the certificates issued, and for a token's header
cp tests/e2e/data/catalog.conf "$D/catalog.conf"
expect 0 ecert-issue import tests/e2e/data/results.csv -d "$D"
expect 0 ecert-issue apply --csv tests/e2e/data/apply.csv -d "$D"
expect 0 ecert-issue issue --all -d "$D"
[ -s "$D/public/data.mdb" ] || fail "no public register"
: >"$T/personal"
for n in $(cut -f2 "$T/out"); do
	ecert-issue show "$n" --json -d "$D" | grep -o '"\(name\|email\|tel\|reg_no\|address\)":"[^"]*"' |
		cut -d'"' -f4 >>"$T/personal"
done
[ "$(wc -l <"$T/personal")" -ge 15 ] || fail "show --json gave too few personal fields"
echo eyJhbGciOi >>"$T/personal"
while read -r v; do
	grep -qaF -- "$v" "$D/public/data.mdb" && fail "the public register holds '$v'"
	case $v in eyJ*) ;; *) grep -qaF -- "$v" "$D/register/data.mdb" || fail "'$v' is not even in the office register" ;; esac
done <"$T/personal"
note "public register: none of $(wc -l <"$T/personal") personal values or a token"

# watch NAME CMD...: start CMD (it reads its passphrase from the FIFO $T/pass), check its process while it
# waits, then feed it the passphrase and require success
mkfifo "$T/pass"
RUNAS=""
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || skip "running as root without setpriv: cannot watch a tool as a user"
	# as root every /proc file is readable; run the tool as nobody, so ownership shows dumpability
	chown -R nobody "$D" && chmod 755 "$T" && chmod 666 "$T/pass"
	RUNAS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
watch() {
	name=$1
	shift
	$RUNAS "$@" >"$T/out" 2>"$T/err" &
	pid=$!
	i=0
	until grep -q '^VmLck:' "/proc/$pid/status" 2>/dev/null && [ "$(awk '/^VmLck:/ { print $2 }' "/proc/$pid/status")" -gt 0 ]; do
		kill -0 "$pid" 2>/dev/null || { cat "$T/err" >&2; fail "$name exited before reading its passphrase"; }
		i=$((i + 1))
		[ $i -lt 400 ] || fail "$name locked no memory for its passphrase"
		sleep 0.05
	done
	lim=$(awk '/^Max core file size/ { print $5 }' "/proc/$pid/limits")
	[ "$lim" = 0 ] || fail "$name runs with core dumps allowed ($lim)"
	if [ -n "$RUNAS" ]; then
		# a non-dumpable process' /proc files belong to root, whatever user it runs as
		[ "$(stat -c %u "/proc/$pid/environ")" = 0 ] || fail "$name is dumpable"
	else
		cat "/proc/$pid/environ" >/dev/null 2>&1 && fail "$name is dumpable: its environment is readable"
	fi
	note "$name: non-dumpable, core limit 0, $(awk '/^VmLck:/ { print $2, $3 }' "/proc/$pid/status") locked"
	echo "$ECERT_PASS" >"$T/pass"
	wait "$pid" || { cat "$T/err" >&2; fail "$name failed"; }
}
watch "ecert-issue crl" "$BIN/ecert-issue" crl -d "$D" --pass-file "$T/pass"
watch "ecert-ca rotate" "$BIN/ecert-ca" rotate -d "$D" --pass-file "$T/pass"
echo "secrets: ok"
