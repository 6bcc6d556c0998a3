#!/bin/sh
# Corrections before issuance, each audited: amend-result fixes an exam result's email or telephone
# while no application exists (old and new shown), withdraw takes an application back so that the
# candidate may apply again; audit verify passes after every step; refusals change nothing.
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] || skip "ecert-ca or ecert-issue not built"

D=$T/state
export ECERT_NOW=2026-03-10
I() { ecert-issue "$@" -d "$D"; }
expect 0 ecert-ca init --org "Corrections Body" -d "$D"
cat >"$T/results.csv" <<'CSV'
registration_no,last_name,first_name,email,tel,certification,exam_date,result
C-1,Li,Na,li.na@exmaple.cn,,HCIA-Datacom,2026-03-02,pass
C-2,Ng,Ka,ka.ng@example.hk,+852 5555 0000,HCIA-Datacom,2026-03-02,pass
CSV
expect 0 I import "$T/results.csv"

# the mistyped domain is corrected before any application; old and new shown; audited
expect 0 I amend-result C-1 --email li.na@example.cn
expect_out "email  'li.na@exmaple.cn' -> 'li.na@example.cn'"
expect 0 I audit verify
expect_out "audit chain: 3 entries verified"
expect 0 I apply --reg-no C-1 --format electronic --name "Li Na" --consent
expect_out "li.****@example.cn"
# the original file is now a different row: named, nothing imported
expect 1 I import "$T/results.csv"
expect_err "registration number 'C-1' already imported with different data"

# with an application: refused, pointing to withdraw; bad values are usage errors
expect 1 I amend-result C-1 --tel "+86 139 0000 0000"
expect_err "has an application: withdraw it first"
expect 2 I amend-result C-1 --email "not an address"
expect 2 I amend-result C-1
expect 2 I amend-result C-2 --tel "call me maybe"
expect 1 I amend-result C-9 --email x@example.org
expect_err "no exam result for registration number 'C-9'"

# withdraw, then amend and apply again
expect 0 I withdraw C-1
expect 0 I amend-result C-1 --tel "+86 139 0000 0000"
expect_out "tel    '(none)' -> '+86 139 0000 0000'"
expect 0 I apply --reg-no C-1 --format electronic --name "Li Na" --consent
expect 0 I audit verify
expect_out "audit chain: 7 entries verified"
expect 0 I issue --all
expect 0 I show C-1 --json
expect_out '"tel":"+86 139 0000 0000"'
expect 1 I amend-result C-1 --email other@example.cn
expect 0 I audit verify
note "amend-result and withdraw corrected C-1 before issuance, audited at each step"
exit 0
