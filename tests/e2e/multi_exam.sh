#!/bin/sh
# Certifications of several exams, and corrections after issuance. The guide's HCIE case: a written
# exam passed, a lab failed then passed, one candidate: exactly one certificate, effective the day of
# the lab pass; a written exam alone is listed as partly done (what is missing named) and cannot be
# applied for; a second registration number of the same person is refused. Corrections: results fixed
# with a CSV (--update, old and new shown), a name fixed after issuance by reissue (the old e-Cert
# revoked as superseded in its CRL, the two linked both ways on the public page); audit verify after
# every step.
. tests/e2e/lib.sh
for b in ecert-ca ecert-issue ecert-verifyd ecert-verify; do [ -x "$BIN/$b" ] || skip "$b not built"; done
command -v curl >/dev/null || skip "curl not installed"

D=$T/state
export ECERT_NOW=2026-03-20
I() { ecert-issue "$@" -d "$D"; }
PIDS=""
trap 'for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM
expect 0 ecert-ca init --org "Expert Body" -d "$D"
cat >"$T/results.csv" <<'CSV'
registration_no,last_name,first_name,email,tel,certification,exam_date,result,exam
M-1,Wang,Wei,wang.wei@example.cn,,HCIE-Datacom,2026-03-02,pass,HCIE-Datacom-Written
M-2,Wang,Wei,wang.wei@example.cn,,HCIE-Datacom,2026-03-09,fail,HCIE-Datacom-Lab
M-3,Wang,Wei,Wang.Wei@Example.CN,,HCIE-Datacom,2026-03-16,pass,HCIE-Datacom-Lab
N-1,Li,Na,li.na@example.cn,,HCIE-Datacom,2026-03-02,pass,HCIE-Datacom-Written
N-2,Li,Na,li.na@exmaple.cn,,HCIE-Datacom,2026-03-05,pass,HCIE-Datacom-Lab
A-1,Ng,Ka,ka.ng@example.hk,,HCIA-Datacom,2026-03-02,pass,
CSV
expect 0 I import "$T/results.csv"

# an exam the certification does not list, or none for one that lists two: the row is named
printf 'registration_no,last_name,first_name,email,tel,certification,exam_date,result,exam\nX-1,A,B,a@b.org,,HCIE-Datacom,2026-03-02,pass,H12-999\nX-2,A,B,a@b.org,,HCIE-Datacom,2026-03-02,pass,\n' >"$T/bad.csv"
expect 1 I import "$T/bad.csv"
expect_err "bad.csv:2: field 'exam': exam 'H12-999' is not one that HCIE-Datacom requires (HCIE-Datacom-Written, HCIE-Datacom-Lab)"
expect_err "bad.csv:3: field 'exam': HCIE-Datacom requires the exams HCIE-Datacom-Written, HCIE-Datacom-Lab"

# the listing: Wang Wei has earned it (not applied), Li Na's two addresses are two partly done people
expect 0 I list
expect_out "Not Applied  HCIE-Datacom"
expect_out "Partly Done  HCIE-Datacom (missing HCIE-Datacom-Lab)"
expect_out "Partly Done  HCIE-Datacom (missing HCIE-Datacom-Written)"
[ "$(grep -c 'Not Applied  HCIE-Datacom' "$T/out")" -eq 1 ] || { cat "$T/out" >&2; fail "one person, one Not Applied row"; }
expect 0 I list --status partly_done --json
expect_out '"missing":["HCIE-Datacom-Lab"]'
expect 2 I list --status half_done

# the written exam alone cannot be applied for
expect 1 I apply --reg-no N-1 --format paper --name "Li Na" --address "1 Road, Beijing" --consent
expect_err "registration number 'N-1': HCIE-Datacom also needs exam HCIE-Datacom-Lab passed by 'li.na@example.cn'"
# Wang Wei applies once; the lab's registration number of the same person is refused
expect 0 I apply --reg-no M-1 --format paper --name "Wang Wei" --address "8 Hai Road, Shenzhen" --consent
expect 1 I apply --reg-no M-3 --format paper --name "Wang Wei" --address "8 Hai Road, Shenzhen" --consent
expect_err "already applied for HCIE-Datacom under registration number 'M-1'"
expect 0 I issue --all
[ "$(grep -c '^M-' "$T/out")" -eq 1 ] || { cat "$T/out" >&2; fail "expected exactly one HCIE-Datacom certificate"; }
N=$(awk '$1 == "M-1" { print $2 }' "$T/out")
[ ${#N} -eq 22 ] || fail "M-1 was not issued"
expect 0 I show "$N" --json
expect_out '"effective":"2026-03-16"'
expect_out '"expires":"2029-03-15"'
expect 0 I audit verify

# Li Na's lab result carried a mistyped address: corrected by CSV, shown, audited; now she has earned it
cat >"$T/fix.csv" <<'CSV'
registration_no,last_name,first_name,email,tel,certification,exam_date,result,exam
N-2,Li,Na,li.na@example.cn,,HCIE-Datacom,2026-03-05,pass,HCIE-Datacom-Lab
CSV
expect 1 I import "$T/fix.csv"
expect_err "registration number 'N-2' already imported with different data"
expect 0 I amend-result --update "$T/fix.csv"
expect_out "email         'li.na@exmaple.cn' -> 'li.na@example.cn'"
expect_out "1 amended"
expect 0 I audit verify
expect_out "verified"
# an update for a registration number never imported, or for one applied for: nothing changes
printf 'registration_no,last_name,first_name,email,tel,certification,exam_date,result,exam\nZ-9,A,B,a@b.org,,HCIA-Datacom,2026-03-02,pass,\n' >"$T/new.csv"
expect 1 I amend-result --update "$T/new.csv"
expect_err "no exam result for registration number 'Z-9' to correct"
sed 's/8 Hai/9 Hai/; s/M-1,Wang,Wei,wang.wei@example.cn/M-1,Wang,Wei,wei@example.cn/' "$T/results.csv" | grep -e '^registration_no' -e '^M-1' >"$T/late.csv"
expect 1 I import --update "$T/late.csv"
expect_err "registration number 'M-1' has an application: withdraw it first"
expect 2 I amend-result --update "$T/fix.csv" --email x@example.org
expect 0 I apply --reg-no N-1 --format paper --name "Li Na" --address "1 Road, Beijing" --consent
expect 0 I issue --all
NL=$(awk '$1 == "N-1" { print $2 }' "$T/out")
expect 0 I show "$NL" --json
expect_out '"effective":"2026-03-05"'

# reissue with a corrected name: same dates, the old one revoked (superseded) in its CRL, linked both ways
expect 1 I reissue "$N" --name "Wang Wei"
expect_err "already has that name and email"
expect 2 I reissue "$N"
expect 1 I reissue "$N" --name "王伟 𝔘"
expect 0 I reissue "$N" --name "Wang Wei (王伟)"
N2=$(sed -n 's/^reissued [0-9]* as \([0-9]*\) .*/\1/p' "$T/out")
[ ${#N2} -eq 22 ] || { cat "$T/out" >&2; fail "reissue printed no number"; }
expect_out "$N revoked (superseded)"
expect 0 I audit verify
expect 0 I show "$N" --json
expect_out '"status":"revoked"'
expect_out '"superseded_by":"'"$N2"'"'
expect 0 I show "$N2" --json
expect_out '"effective":"2026-03-16"'
expect_out '"expires":"2029-03-15"'
expect_out '"renewal_of":"'"$N"'"'
expect_out '"name":"Wang Wei (王伟)"'
KID=$(ls "$D/crl" | sed -n 's/^\([A-Za-z0-9_-]\{11\}\)\.crl$/\1/p' | head -n 1)
openssl crl -inform DER -in "$D/crl/$KID.crl" -noout -text >"$T/crl.txt" 2>/dev/null ||
	openssl crl -in "$D/crl/$KID.crl" -noout -text >"$T/crl.txt"
grep -q "Superseded" "$T/crl.txt" || { cat "$T/crl.txt" >&2; fail "the CRL does not list the old e-Cert as superseded"; }
expect 1 I reissue "$N" --name "Again"
expect_err "is revoked by $N2"
# a reissue to another address that already holds this certification is refused
expect 1 I reissue "$NL" --email wang.wei@example.cn
expect_err "already holds HCIE-Datacom certificate $N2"

# the public page: the old one revoked and replaced by the new one, the new one replacing the old
USER_OPT=""
if [ "$(id -u)" -eq 0 ]; then
	USER_OPT="--user nobody"
	chmod 711 "$T" "$D"
	chown nobody "$D/public/lock.mdb"
fi
# shellcheck disable=SC2086
"$BIN/ecert-verifyd" -d "$D" --listen 127.0.0.1:0 $USER_OPT 2>"$T/vd.log" &
PIDS="$PIDS $!"
i=0
until grep -q '"event":"listening"' "$T/vd.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$T/vd.log" >&2; fail "ecert-verifyd did not start"; }
	sleep 0.1
done
U=http://127.0.0.1:$(sed -n 's/.*"event":"listening","address":"127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$T/vd.log")
curl -s "$U/v/$N" >"$T/old.html"
grep -q "REVOKED" "$T/old.html" || fail "the old e-Cert's page does not say revoked"
grep -q "<dt>Replaced by</dt><dd><a href=\"/v/$N2\">" "$T/old.html" || { cat "$T/old.html" >&2; fail "no link to the new e-Cert"; }
curl -s "$U/v/$N2" >"$T/new.html"
grep -q "VALID" "$T/new.html" || fail "the new e-Cert's page does not say valid"
grep -q "<dt>Replaces</dt><dd><a href=\"/v/$N\">" "$T/new.html" || { cat "$T/new.html" >&2; fail "no link to the old e-Cert"; }
curl -s "$U/api/v1/certificates/$N" | grep -q '"superseded_by":"'"$N2"'"' || fail "the API lacks the link to the new e-Cert"
note "HCIE written + lab issued once ($N, effective 2026-03-16); reissued as $N2; results corrected by CSV"
exit 0
