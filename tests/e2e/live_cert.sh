#!/bin/sh
# One live certificate per person and certification: two passed exam rows of one candidate for the same
# certification (a written and a lab exam, the guide's HCIE case) issue exactly one certificate; the
# other application is named and left waiting until the office withdraws it (audited); a later
# application is refused pointing to renew;
# renewal is the way to a new one; the audit chain verifies throughout.
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
N-1,Li,Na,li.na@example.cn,,HCIA-Datacom,2026-03-02,pass
CSV
expect 0 I import "$T/results.csv"
for r in M-1 M-3 M-4 N-1; do
	expect 0 I apply --reg-no "$r" --format electronic --name "Wang Wei" --consent
done

# both HCIA-Datacom applications were taken; issuance stores one and names the other
expect 1 I issue --all
[ "$(wc -l <"$T/out")" -eq 3 ] || { cat "$T/out" >&2; fail "expected three certificates (one HCIA-Datacom for Wang Wei, his HCIP, Li Na's)"; }
expect_err "registration number 'M-3' not issued"
expect_err "renew"
expect_err "1 not issued"
N1=$(awk '$1 == "M-1" { print $2 }' "$T/out")
[ ${#N1} -eq 22 ] || fail "M-1 was not issued"
grep -q "^M-3" "$T/out" && fail "M-3 was issued too: two live HCIA-Datacom certificates for one person"
expect 0 I list --email wang.wei@example.cn --json
[ "$(grep -o '"code":"HCIA-Datacom"' "$T/out" | wc -l)" -ge 1 ] || fail "the listing lost the certificate"
[ "$(grep -c "\"number\":\"[0-9]\{22\}\"" "$T/out")" -eq 2 ] || { cat "$T/out" >&2; fail "Wang Wei should hold exactly two certificates"; }

# a later application for the same certification is refused, naming the live certificate and renew
expect 1 I apply --reg-no M-5 --format electronic --name "Wang Wei" --consent
expect_err "already holds HCIA-Datacom certificate $N1"
expect_err "ecert-issue renew $N1"

# running issuance again still refuses M-3 (it waits for a withdrawal); the chain verifies
expect 1 I issue --all
expect_err "registration number 'M-3' not issued"
expect 0 I audit verify

# the office withdraws M-3: audited, no longer pending; an issued one cannot be withdrawn
expect 0 I withdraw M-3
expect_out "withdrawn: the application for 'M-3'"
expect 0 I audit verify
expect 0 I issue --all
expect_err "nothing to issue"
expect 1 I withdraw M-3
expect_err "no application for registration number 'M-3'"
expect 1 I withdraw M-1
expect_err "was issued as $N1"
expect 2 I withdraw "no such"
# withdrawn, M-3 may be applied for again, and is refused for the live certificate, not the old application
expect 1 I apply --reg-no M-3 --format electronic --name "Wang Wei" --consent
expect_err "already holds HCIA-Datacom certificate $N1"

# renewal is the way to a new certificate of the same certification
expect 0 I renew "$N1"
expect 0 I audit verify
note "one live HCIA-Datacom certificate for Wang Wei ($N1), renewal allowed, second issuance refused"
exit 0
