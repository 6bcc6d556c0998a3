#!/bin/sh
# Crash safety of `ecert-issue issue`: 20,000 certificates, the process killed with SIGKILL at random moments
# several times; then both registers open and agree, every e-Cert verifies (all through the library, a random
# 200 with openssl), no number is used twice, the audit chain holds, and a re-run completes the rest.
#
# A kill between a batch's office commit and its public-register commit leaves the public register one batch
# behind; the next writable open by ecert-issue (here the completing re-run) brings it up to date itself, so
# `publish` is never needed. The read-only checks right after the kills therefore look at the office register.
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] || skip "ecert-ca or ecert-issue not built"
command -v openssl >/dev/null || skip "openssl not installed"
command -v mdb_stat >/dev/null || skip "mdb_stat (lmdb-utils) not installed"

N=${ECERT_CRASH_N:-20000}
KILLS=${ECERT_CRASH_KILLS:-5}
D=$T/state
export ECERT_NOW=2026-03-10
AT=$(date -u -d 2026-03-10T12:00:00Z +%s)
I() { ecert-issue "$@" -d "$D"; }

expect 0 ecert-ca init -d "$D" --org "Crash Test Certification Body"
cp tests/e2e/data/catalog.conf "$D/catalog.conf"
awk -v n="$N" 'BEGIN {
	print "registration_no,last_name,first_name,email,tel,certification,exam_date,result"
	split("NET-A NET-P SEC-A", code, " ")
	for (i = 1; i <= n; i++)
		printf "C%06d,Nguyễn%d,Zoë,c%d@example.org,+86 139%08d,%s,2026-03-0%d,pass\n", i, i, i, i, code[i % 3 + 1], i % 5 + 2
}' >"$T/results.csv"
awk -v n="$N" 'BEGIN {
	print "registration_no,format,name,email,tel,address,consent"
	for (i = 1; i <= n; i++)
		printf "C%06d,electronic,Zoë Nguyễn %d,,,,yes\n", i, i
}' >"$T/apply.csv"
expect 0 I import "$T/results.csv"
expect 0 I apply --csv "$T/apply.csv"

count() { # certificates issued so far; fails when the register does not open
	I list --status valid --json >"$T/count.json" || return 1
	grep -c '"number":"' "$T/count.json" || true
}

k=0
while [ "$k" -lt "$KILLS" ]; do
	k=$((k + 1))
	delay=$(awk -v s="$$$k" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * 1.7 }')
	ecert-issue issue --all -d "$D" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	c=$(count) || fail "the office register does not open after kill $k"
	mdb_stat -s cert "$D/public" >/dev/null || fail "the public register does not open after kill $k"
	note "kill $k after ${delay}s: $c of $N issued"
	[ "$c" -ge "$N" ] && break
done
[ "$c" -lt "$N" ] || note "the machine issued everything before the last kill"

# right after the kills: the office register is consistent on its own
I list --json >"$T/list.json" || fail "list after the kills"
grep -o '"number":"[0-9]*"' "$T/list.json" | sort | uniq -d >"$T/dup"
[ -s "$T/dup" ] && fail "a number appears twice: $(head -n 3 "$T/dup")"
grep '"number":"' "$T/list.json" | grep -o '"reg_no":"[^"]*"' | sort | uniq -d >"$T/dup"
[ -s "$T/dup" ] && fail "an application was issued twice: $(head -n 3 "$T/dup")"

# re-running completes the rest, issuing nothing twice
expect 0 I issue --all
[ "$(count)" -eq "$N" ] || fail "after the re-run $(count) of $N are issued"
expect 0 I issue --all
expect_err "nothing to issue"
I list --json >"$T/list.json"
[ "$(grep -c '"number":"' "$T/list.json")" -eq "$N" ] || fail "not $N certificates"
grep -o '"number":"[0-9]*"' "$T/list.json" | sort | uniq -d >"$T/dup"
[ -s "$T/dup" ] && fail "a number appears twice"

# both registers agree: the same count, and each certificate as the office has it (audit verify checks
# every e-Cert's signature and token through the library, and each against the public register)
pub=$(mdb_stat -s cert "$D/public" | sed -n 's/^ *Entries: *//p')
[ "$pub" = "$N" ] || fail "the public register holds $pub certificates, the office $N"
expect 0 I audit verify
expect_out "certificates: $N verified"

# a random 200 judged by openssl
openssl x509 -in "$D/certs/root.pem" -out "$T/root.pem"
cp "$D/certs/issuing-$(cat "$D/certs/current").pem" "$T/issuing.pem"
mkdir "$T/pem"
grep -o '"number":"[0-9]*"' "$T/list.json" | cut -d'"' -f4 | shuf -n 200 >"$T/sample"
while read -r n; do
	ecert-issue export "$n" -o "$T/pem/$n.pem" -d "$D" || fail "export $n"
done <"$T/sample"
openssl verify -x509_strict -attime "$AT" -CAfile "$T/root.pem" -untrusted "$T/issuing.pem" "$T"/pem/*.pem >"$T/v" 2>&1
[ "$(grep -c ': OK$' "$T/v")" -eq 200 ] || { grep -v ': OK$' "$T/v" | head; fail "openssl rejects sampled e-Certs"; }
echo "issue_crash: ok"
