#!/bin/sh
# Crash safety of `revoke`, `renew` and a single `issue`, interleaved (issue_crash.sh covers bulk issuance):
# for about ECERT_CRASH_OPS_SECONDS (default 60) pick an operation at random, SIGKILL it at a random moment
# (0-120 ms: opening the register, unlocking the key, committing, signing and writing the CRL all take
# part of that), then re-run the same command and require that it completes. Every few rounds and at
# the end: both registers open, `audit verify` passes, every certificate verifies with ecert-verify
# against the trust bundle and the CRL as of the register's status, and the CRL lists exactly the
# revoked numbers (judged by openssl crl), signed by the issuing CA. The tool also runs with core dumps
# off (its limits, read from /proc while it runs).
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] && [ -x "$BIN/ecert-verify" ] || skip "tools not built"
command -v openssl >/dev/null || skip "openssl not installed"
command -v mdb_stat >/dev/null || skip "mdb_stat (lmdb-utils) not installed"

SECS=${ECERT_CRASH_OPS_SECONDS:-60}
N=${ECERT_CRASH_OPS_N:-150}
D=$T/state
export ECERT_NOW=2026-03-10
I() { ecert-issue "$@" -d "$D"; }
rnd() { # rnd MAX: a random number in 0..MAX-1
	echo $(( $(od -An -N4 -tu4 /dev/urandom) % $1 ))
}

expect 0 ecert-ca init -d "$D" --org "Crash Ops Certification Body"
cp tests/e2e/data/catalog.conf "$D/catalog.conf"
awk -v n="$N" 'BEGIN {
	print "registration_no,last_name,first_name,email,tel,certification,exam_date,result"
	split("NET-A NET-P SEC-A", code, " ")
	for (i = 1; i <= n; i++)
		printf "K%05d,Ivanova%d,Anna,k%d@example.org,+7 916%07d,%s,2026-03-02,pass\n", i, i, i, i, code[i % 3 + 1]
}' >"$T/results.csv"
awk -v n="$N" 'BEGIN {
	print "registration_no,format,name,email,tel,address,consent"
	for (i = 1; i <= n; i++)
		printf "K%05d,electronic,Анна Иванова %d,,,,yes\n", i, i
}' >"$T/apply.csv"
expect 0 I import "$T/results.csv"
expect 0 I apply --csv "$T/apply.csv"
# two thirds issued now; the rest are issued one by one by the crash rounds
expect 0 I issue $(awk -v n="$N" 'BEGIN { for (i = 1; i <= n * 2 / 3; i++) printf "K%05d ", i }')
next_reg=$((N * 2 / 3 + 1))

KID=$(cat "$D/certs/current")
openssl x509 -in "$D/certs/issuing-$KID.pem" -out "$T/issuing.pem"

# consistent NAME: the whole state is consistent, judged by the tools and by openssl
consistent() {
	I list --json >"$T/all.json" || fail "$1: the office register does not open"
	mdb_stat -s cert "$D/public" >/dev/null || fail "$1: the public register does not open"
	I audit verify >"$T/audit" 2>&1 || { cat "$T/audit" >&2; fail "$1: audit verify fails"; }
	sed -n 's/.*"number":"\([0-9]*\)","number_display[^}]*"status":"\([a-z_]*\)".*/\1 \2/p' "$T/all.json" >"$T/status"
	: >"$T/crl.serials"
	crlopt=""
	if [ -e "$D/crl/$KID.crl" ]; then   # none until the first revocation
		openssl crl -inform DER -in "$D/crl/$KID.crl" -noout -text >"$T/crl.txt" 2>&1 ||
			fail "$1: openssl cannot read the CRL"
		openssl crl -inform DER -in "$D/crl/$KID.crl" -noout -verify -CAfile "$T/issuing.pem" 2>&1 |
			grep -q "verify OK" || fail "$1: the CRL's signature does not verify"
		grep 'Serial Number:' "$T/crl.txt" | sed 's/.*Serial Number: *//' | sort >"$T/crl.serials"
		crlopt="--crl $D/crl/$KID.crl"
	fi
	: >"$T/reg.serials"
	while read -r num st; do
		I export "$num" -o "$T/c.pem" || fail "$1: export $num"
		# shellcheck disable=SC2086
		ecert-verify --trust "$D/trust.pem" $crlopt --at "$ECERT_NOW" "$T/c.pem" >/dev/null 2>&1
		rc=$?
		case $st in
		revoked)
			[ "$rc" -eq 1 ] || fail "$1: revoked $num: ecert-verify exits $rc, not 1"
			openssl x509 -in "$T/c.pem" -noout -serial | cut -d= -f2 >>"$T/reg.serials" ;;
		*)	[ "$rc" -eq 0 ] || fail "$1: $st $num: ecert-verify exits $rc, not 0" ;;
		esac
	done <"$T/status"
	sort -o "$T/reg.serials" "$T/reg.serials"
	cmp -s "$T/crl.serials" "$T/reg.serials" || {
		diff "$T/reg.serials" "$T/crl.serials" >&2
		fail "$1: the CRL does not list exactly the revoked certificates"
	}
}

# pick STATUS [EXCLUDE]: a random certificate number with that status (lines matching EXCLUDE left out)
pick() {
	I list --status "$1" --json | grep -v "${2:-^$}" | grep -o '^{"number":"[0-9]*"' | cut -d'"' -f4 >"$T/pick"
	[ -s "$T/pick" ] || return 1
	sed -n "$(( $(rnd "$(wc -l <"$T/pick")") + 1 ))p" "$T/pick"
}

start=$(date +%s)
rounds=0 killed=0 core_checked=0
while [ $(( $(date +%s) - start )) -lt "$SECS" ]; do
	rounds=$((rounds + 1))
	op=$(rnd 3)
	[ "$op" -eq 2 ] && [ "$next_reg" -gt "$N" ] && op=0
	case $op in
	0)	num=$(pick valid) || break
		reason=$(echo keyCompromise affiliationChanged superseded cessationOfOperation privilegeWithdrawn |
			awk -v i="$(rnd 5)" '{ print $(i + 1) }')
		cmd="revoke $num --reason $reason" ;;
	1)	num=$(pick valid renewal_of) || break   # a renewal of a renewal would soon outlive the CA
		cmd="renew $num" ;;
	2)	num=$(printf 'K%05d' "$next_reg")
		next_reg=$((next_reg + 1))
		cmd="issue $num" ;;
	esac
	delay=$(awk -v r="$(rnd 121)" 'BEGIN { printf "%.3f", r / 1000 }')
	# shellcheck disable=SC2086
	I $cmd >/dev/null 2>&1 &
	pid=$!
	if [ "$core_checked" -eq 0 ] && [ -r "/proc/$pid/limits" ]; then
		lim=$(grep '^Max core file size' "/proc/$pid/limits" 2>/dev/null | awk '{ print $5 }')
		[ -z "$lim" ] || { [ "$lim" = 0 ] || fail "ecert-issue runs with core dumps allowed ($lim)"; core_checked=1; }
	fi
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ $? -eq 137 ] && killed=$((killed + 1))
	# the interrupted command, re-run, completes
	# shellcheck disable=SC2086
	I $cmd >"$T/out" 2>"$T/err"
	rc=$?
	case $cmd in
	revoke*)
		[ "$rc" -eq 0 ] || { cat "$T/err" >&2; fail "re-run of '$cmd' exits $rc"; }
		I show "$num" --json | grep -q '"status":"revoked"' || fail "'$cmd' re-run: not revoked" ;;
	renew*)
		[ "$rc" -eq 0 ] || grep -q "already renewed" "$T/err" || { cat "$T/err" >&2; fail "re-run of '$cmd' exits $rc"; }
		I show "$num" --json | grep -q '"status":"superseded"' || fail "'$cmd' re-run: not superseded" ;;
	issue*)
		[ "$rc" -eq 0 ] || grep -q "already issued" "$T/err" || { cat "$T/err" >&2; fail "re-run of '$cmd' exits $rc"; }
		I list --json | grep -q "\"reg_no\":\"$num\"" || fail "'$cmd' re-run: no certificate for $num" ;;
	esac
	[ $((rounds % 15)) -eq 0 ] && consistent "after round $rounds ($cmd)"
done
[ "$core_checked" -eq 1 ] || note "could not read an ecert-issue's limits from /proc"
consistent "at the end"
note "$rounds rounds, $killed killed mid-run; $(grep -c revoked "$T/status") revoked, $(grep -c superseded "$T/status") superseded, $(wc -l <"$T/status") certificates"
[ "$killed" -gt 0 ] || fail "no command was ever killed mid-run: the delays are too long for this machine"
echo "crash_ops: ok"
