#!/bin/sh
# One live certificate per person and certification: two passed exam rows of one candidate (one
# address in two cases) for the same certification give one application and one certificate; a later
# application is refused pointing to renew; an application is withdrawn (audited) only before
# issuance; renewal is the way to a new one; the audit chain verifies throughout.
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] || skip "ecert-ca or ecert-issue not built"

D=$T/state
export ECERT_NOW=2026-03-10
I() { ecert-issue "$@" -d "$D"; }
expect 0 ecert-ca init --org "Live Test Body" -d "$D"
cat >"$T/results.csv" <<'CSV'
registration_no,last_name,first_name,email,tel,certification,exam_date,result
M-1,Wang,Wei,wang.wei@example.cn,,HCIA-Datacom,2026-03-02,pass
M-2,Wang,Wei,wang.wei@example.cn,,HCIA-Datacom,2026-03-03,fail
M-3,Wang,Wei,Wang.Wei@Example.CN,,HCIA-Datacom,2026-03-04,pass
M-4,Wang,Wei,wang.wei@example.cn,,HCIP-Datacom,2026-03-04,pass
M-5,Wang,Wei,wang.wei@example.cn,,HCIA-Datacom,2026-03-05,pass
M-6,Wang,Wei,wang.wei@example.cn,,HCIP-Security,2026-03-05,pass
N-1,Li,Na,li.na@example.cn,,HCIA-Datacom,2026-03-02,pass
CSV
expect 0 I import "$T/results.csv"
for r in M-1 M-4 N-1; do
	expect 0 I apply --reg-no "$r" --format electronic --name "Wang Wei" --consent
done
# M-3 is the same person (the address in another case) for the same certification: refused at once
expect 1 I apply --reg-no M-3 --format electronic --name "Wang Wei" --consent
expect_err "already applied for HCIA-Datacom under registration number 'M-1'"

expect 0 I issue --all
[ "$(wc -l <"$T/out")" -eq 3 ] || { cat "$T/out" >&2; fail "expected three certificates (one HCIA-Datacom for Wang Wei, his HCIP, Li Na's)"; }
N1=$(awk '$1 == "M-1" { print $2 }' "$T/out")
[ ${#N1} -eq 22 ] || fail "M-1 was not issued"
expect 0 I list --email wang.wei@example.cn --json
[ "$(grep -c "\"number\":\"[0-9]\{22\}\"" "$T/out")" -eq 2 ] || { cat "$T/out" >&2; fail "Wang Wei should hold exactly two certificates"; }
grep -q '"status":"not_applied","certification":{"code":"HCIA-Datacom"' "$T/out" &&
	{ cat "$T/out" >&2; fail "a certification held live is listed as not applied"; }

# a later application for the same certification is refused, naming the live certificate and renew
expect 1 I apply --reg-no M-5 --format electronic --name "Wang Wei" --consent
expect_err "already holds HCIA-Datacom certificate $N1"
expect_err "ecert-issue renew $N1"
expect 1 I apply --reg-no M-3 --format electronic --name "Wang Wei" --consent
expect_err "already holds HCIA-Datacom certificate $N1"
expect 0 I audit verify

# withdrawal: only before issuance; the candidate may then apply again
expect 0 I apply --reg-no M-6 --format electronic --name "Wang Wei" --consent
expect 0 I withdraw M-6
expect_out "withdrawn: the application for 'M-6'"
expect 0 I audit verify
expect 0 I issue --all
expect_err "nothing to issue"
expect 1 I withdraw M-6
expect_err "no application for registration number 'M-6'"
expect 1 I withdraw M-1
expect_err "was issued as $N1"
expect 2 I withdraw "no such"
expect 0 I apply --reg-no M-6 --format electronic --name "Wang Wei" --consent

# renewal is the way to a new certificate of the same certification
expect 0 I renew "$N1"
expect 0 I audit verify
note "one live HCIA-Datacom certificate for Wang Wei ($N1), renewal allowed, second issuance refused"
exit 0
