#!/bin/sh
# Publishing a register of ECERT_PUBLISH_N certificates (default 100,000; `make bench` does 1 M) while
# the office's issuance runs: snapshot after snapshot, each checked by a replica's own verification,
# at least one of them taken between two of the issuance's commits (neither waited for the other).
. tests/e2e/lib.sh

RL=$TOP/build/bench/reg_lookup
[ -x "$RL" ] || skip "build/bench/reg_lookup not built"
for b in ecert-issue ecert-verifyd; do [ -x "$BIN/$b" ] || skip "$b not built"; done
N=${ECERT_PUBLISH_N:-100000}
M=10000
D=$T/big

# the bench's filler writes N certificates through the real write path, its CA in D/ca: made a state
# directory by moving the CA up (its passphrases are the filler's)
"$RL" "$D" "$N" 0.1 >"$T/fill.out" 2>"$T/fill.err" || { cat "$T/fill.err" >&2; fail "filling the register"; }
mv "$D"/ca/* "$D"/
rmdir "$D/ca"
export ECERT_PASS="bench pass" ECERT_ROOT_PASS="bench pass"
awk -v m="$M" 'BEGIN {
	print "registration_no,last_name,first_name,email,tel,certification,exam_date,result"
	for (i = 1; i <= m; i++) printf "S%06d,Ng,Mai%d,s%d@example.com,,HCIA-AI,2026-10-27,pass\n", i, i, i
}' >"$T/results.csv"
awk -v m="$M" 'BEGIN {
	print "registration_no,format,name,email,tel,address,consent"
	for (i = 1; i <= m; i++) printf "S%06d,electronic,Ng Mai %d,,,,yes\n", i, i
}' >"$T/apps.csv"
expect 0 ecert-issue import -d "$D" "$T/results.csv"
expect 0 ecert-issue apply -d "$D" --csv "$T/apps.csv"

ecert-issue issue -d "$D" --all >"$T/issue.out" 2>"$T/issue.err" &
ISSUE=$!
k=0
while kill -0 "$ISSUE" 2>/dev/null; do
	k=$((k + 1))
	expect 0 ecert-issue publish -d "$D" --to "$T/pub" --keep 2
	sed -n 's/^published snapshot [0-9]* to .*: \([0-9]*\) certificates.*/\1/p' "$T/out" >>"$T/counts"
	[ $k -lt 200 ] || break
done
wait "$ISSUE" || { cat "$T/issue.err" >&2; fail "issuance failed while snapshots were published"; }
[ "$(wc -l <"$T/issue.out")" -eq "$M" ] || fail "issuance issued $(wc -l <"$T/issue.out") of $M"
expect 0 ecert-issue publish -d "$D" --to "$T/pub" --keep 2
expect_out "$((N + M)) certificates"
note "$k snapshots taken during issuance, certificates in each: $(tr '\n' ' ' <"$T/counts")"
awk -v lo="$N" -v hi="$((N + M))" '$1 > lo && $1 < hi { found = 1 } $1 < lo || $1 > hi { bad = 1 }
    END { exit !(found && !bad) }' "$T/counts" || fail "no snapshot caught issuance between two commits: $(tr '\n' ' ' <"$T/counts")"

# a replica takes the last one: its own check of every file, then a number issued last answers
LAST=$(tail -n 1 "$T/issue.out" | cut -f 2)
USER_OPT=""
[ "$(id -u)" -eq 0 ] && USER_OPT="--user nobody" && chmod 711 "$T"
# shellcheck disable=SC2086
"$BIN/ecert-verifyd" --from "$T/pub" --listen 127.0.0.1:0 --rate 0 $USER_OPT 2>"$T/vd.log" &
VD=$!
trap 'kill "$VD" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
i=0
until grep -q '"event":"listening"' "$T/vd.log"; do
	kill -0 "$VD" 2>/dev/null || { cat "$T/vd.log" >&2; fail "the replica refused the snapshot"; }
	i=$((i + 1))
	[ $i -lt 200 ] || fail "the replica did not start"
	sleep 0.1
done
ADDR=$(sed -n 's/.*"event":"listening","address":"\([0-9.:]*\)".*/\1/p' "$T/vd.log")
curl -fs "http://$ADDR/api/v1/certificates/$LAST" | grep -q '"status":"valid"' || fail "the replica does not know $LAST"
