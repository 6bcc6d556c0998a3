#!/bin/sh
# ecert-issue end to end: import -> apply -> issue -> list/show -> export (openssl verify) -> revoke (openssl crl)
# -> renew -> mail -> rotate -> crl -> render, with holder names in several scripts.
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] || skip "ecert-ca or ecert-issue not built"
command -v openssl >/dev/null || skip "openssl not installed"

D=$T/state
DATA=tests/e2e/data
export ECERT_NOW=2026-03-10
# openssl judges at the same instant our tools took as "now".
AT=$(date -u -d 2026-03-10T12:00:00Z +%s)
I() { ecert-issue "$@" -d "$D"; }

expect 0 ecert-ca init -d "$D" --org "E2E Certification Body"
cp "$DATA/catalog.conf" "$D/catalog.conf"

# catalog
expect 0 I catalog
expect_out "Network Expert"
expect 0 I catalog --json
expect_out '"code":"NET-E"'
expect_out '"formats":["paper"]'

# import: BOM, CRLF, quoted fields, an extra column named once, PASS in capitals; re-import changes nothing
expect 0 I import "$DATA/results.csv"
expect_out "8 new"
[ "$(grep -c "ignoring extra column score" "$T/err")" -eq 1 ] || fail "extra column not named exactly once"
expect 0 I import "$DATA/results.csv"
expect_out "0 new, 8 unchanged"

# list: passed exams without an application are Not Applied, emails masked as the guide masks them
expect 0 I list
expect_out "Not Applied"
expect_out "zoe.ob****@example.ie"
expect_out "liru****@example.cn"
grep -q "antonin" "$T/out" && fail "a failed exam is listed"
grep -q "zoe.obrien@" "$T/out" && fail "an email is listed unmasked"
expect 0 I list --status not_applied --json
[ "$(grep -c '"status":"not_applied"' "$T/out")" -eq 7 ] || fail "expected 7 not_applied rows"

# apply: one from options (options in any order), the rest from CSV (quoted multi-line address)
expect 0 ecert-issue apply --consent --name "Zoë  O'Brien " --format electronic -d "$D" --reg-no E2E-0001 \
	--tel "+353 86 123 4567"
expect_out "Zoë O'Brien"
expect 0 I apply --csv "$DATA/apply.csv"
expect_out "5 applications stored"
expect 0 I list --status requested --json
[ "$(grep -c '"status":"requested"' "$T/out")" -eq 6 ] || fail "expected 6 requested applications"
expect_out '"name":"李瑞瑞"'

# issue: one by registration number, then the rest; re-running issues nothing twice
expect 0 I issue E2E-0001
N1=$(cut -f2 "$T/out")
[ "${#N1}" -eq 22 ] || fail "issue printed no number: '$N1'"
expect 0 I issue --all --json
[ "$(grep -c '"number":"' "$T/out")" -eq 5 ] || fail "expected 5 certificates in the second run"
expect 0 I issue --all
expect_err "nothing to issue"
# an empty queue needs no passphrase (a scheduled run must not prompt or fail)
expect 0 env -u ECERT_PASS ecert-issue issue --all -d "$D"
expect_err "nothing to issue"
expect 1 I issue E2E-0001
expect_err "already issued as $N1"

num() { # num REG-NO: the certificate number issued for it
	I list --json | grep "\"reg_no\":\"$1\"" | sed 's/.*"number":"\([0-9]*\)".*/\1/' | head -n 1
}
N2=$(num E2E-0002); N3=$(num E2E-0003); N4=$(num E2E-0004); N5=$(num E2E-0005); N7=$(num E2E-0007)
for n in "$N2" "$N3" "$N4" "$N5" "$N7"; do [ "${#n}" -eq 22 ] || fail "missing number ($n)"; done
case $N3 in 0102*) ;; *) fail "NET-P number $N3 does not start with its programme code 0102" ;; esac

# list and show
expect 0 I list
expect_out "Approved"
expect_out "$N1"
head -n 1 "$T/out" | grep -q "^Status  *Certificate Name  *Certificate Number  *Renewal  *Effective Date  *Expiration Date  *Email$" || fail "table header"
expect 0 I list --email LIRUIRUI@example.cn --json
[ "$(grep -c '"number":"' "$T/out")" -eq 1 ] || fail "--email should select one certificate"
expect_out "\"number\":\"$N2\""
expect 0 I show "$N2" --json
expect_out '"status":"valid"'
expect_out '"name":"李瑞瑞"'
expect_out '"name_masked":"李***"'
expect_out '"tel_masked":"+86 139****2157"'
expect_out '"effective":"2026-03-02"'
expect_out '"expires":"2029-03-01"'
# typed with spaces and dashes, as a person copies it from a PDF
G=$(echo "$N2" | sed 's/\(....\)\(....\)\(....\)\(....\)\(....\)\(..\)/\1 \2-\3 \4 \5 \6/')
expect 0 I show "$G"
expect_out "Approved"
expect_out "李瑞瑞"

# export: PEM and DER, accepted by openssl, names readable
openssl x509 -in "$D/certs/root.pem" -out "$T/root.pem"
KID=$(cat "$D/certs/current" 2>/dev/null || ls "$D/certs" | sed -n 's/^issuing-\([A-Za-z0-9_-]\{11\}\)\.pem$/\1/p' | head -n 1)
cp "$D/certs/issuing-$KID.pem" "$T/issuing.pem"
for n in "$N1" "$N2" "$N3" "$N4" "$N5" "$N7"; do
	expect 0 I export "$n" -o "$T/$n.pem"
	openssl verify -x509_strict -attime "$AT" -CAfile "$T/root.pem" -untrusted "$T/issuing.pem" "$T/$n.pem" \
		>"$T/v" 2>&1 || { cat "$T/v"; fail "openssl verify rejects $n"; }
done
openssl x509 -in "$T/$N2.pem" -noout -subject -nameopt utf8 | grep -q "CN=李瑞瑞" || fail "CJK name not in the subject"
openssl x509 -in "$T/$N4.pem" -noout -subject -nameopt utf8 | grep -q "CN=Анна Иванова" || fail "Cyrillic name"
openssl x509 -in "$T/$N5.pem" -noout -subject -nameopt utf8 | grep -q "CN=Γιώργος Παπαδόπουλος" || fail "Greek name"
openssl x509 -in "$T/$N3.pem" -noout -subject -nameopt utf8 | grep -q "CN=Nguyễn Thị Minh Khai" || fail "Vietnamese"
openssl x509 -in "$T/$N1.pem" -noout -subject -nameopt utf8 | grep -q "serialNumber=$N1" || fail "serialNumber"
expect 0 I export "$N1" --der -o "$T/n1.der"
openssl x509 -inform DER -in "$T/n1.der" -noout || fail "exported DER does not parse"
expect 0 I export "$N1"
expect_out "BEGIN CERTIFICATE"

# mail: paper only
expect 0 I ship "$N3" --carrier "SF Express" --order SF1234567890
expect 0 I show "$N3"
expect_out "SF Express, order SF1234567890"
expect 0 I show "$N3" --json
expect_out '"carrier":"SF Express"'
expect_out '"address":"12 Phố Huế, Hai Bà Trưng, Hà Nội"'
expect 1 I ship "$N1" --carrier DHL --order 1
expect_err "is electronic"

# revoke: status, reason and the CRL re-signed at once
expect 0 I revoke "$N7" --reason keyCompromise
expect_out "re-signed"
SER=$(openssl x509 -in "$T/$N7.pem" -noout -serial | cut -d= -f2)
openssl crl -inform DER -in "$D/crl/$KID.crl" -noout -text >"$T/crl.txt" || fail "openssl crl cannot read the CRL"
grep -q "Serial Number: $SER" "$T/crl.txt" || { cat "$T/crl.txt"; fail "CRL lacks serial $SER"; }
grep -q "Key Compromise" "$T/crl.txt" || fail "CRL lacks the reason"
openssl crl -inform DER -in "$D/crl/$KID.crl" -noout -verify -CAfile "$T/issuing.pem" 2>&1 | grep -q "verify OK" ||
	fail "CRL signature does not verify"
expect 0 I show "$N7" --json
expect_out '"status":"revoked"'
expect_out '"reason":"keyCompromise"'
expect 0 I list --status revoked
expect_out "Revoked"
expect 1 I revoke "$N7" --reason superseded
expect_err "already revoked"
expect 1 I renew "$N7"
expect_err "revoked"

# renew before expiry: effective today, expires validity after the old expiry: no gap, no time lost
export ECERT_NOW=2028-12-01
expect 0 I renew "$N3"
R3=$(sed -n 's/^renewed [0-9]* as \([0-9]*\),.*/\1/p' "$T/out")
[ "${#R3}" -eq 22 ] || fail "renew printed no number"
expect_out "valid 2028-12-01 to 2032-03-01"
expect 0 I show "$N3" --json
expect_out '"status":"superseded"'
expect_out "\"superseded_by\":\"$R3\""
expect 0 I show "$R3" --json
expect_out '"status":"valid"'
expect_out "\"renewal_of\":\"$N3\""
expect_out '"address":"12 Phố Huế, Hai Bà Trưng, Hà Nội"'
expect 0 I list --email khai@example.vn
expect_out "Superseded"
expect_out "Yes"
expect 1 I renew "$N3"
expect_err "already renewed as '$R3'"
# renew after expiry: validity counts from today, never "not yet valid"
export ECERT_NOW=2029-06-01
expect 0 I show "$N4" --json
expect_out '"status":"expired"'
expect 0 I renew "$N4"
expect_out "valid 2029-06-01 to 2031-05-31"
export ECERT_NOW=2026-03-10

# rotation: the retired CA keeps signing its own CRL; new e-Certs come from the new CA
expect 0 ecert-ca rotate -d "$D"
KID2=$(cat "$D/certs/current" 2>/dev/null || ls -t "$D/certs" | sed -n 's/^issuing-\([A-Za-z0-9_-]\{11\}\)\.pem$/\1/p' | head -n 1)
[ "$KID2" != "$KID" ] || fail "rotate did not make a new current CA"
expect 0 I revoke "$N5" --reason affiliationChanged
openssl crl -inform DER -in "$D/crl/$KID.crl" -noout -text | grep -q "Affiliation Changed" ||
	fail "the retired CA's CRL was not re-signed"
expect 0 I crl
expect_out "$KID.crl"
expect_out "$KID2.crl"
openssl crl -inform DER -in "$D/crl/$KID2.crl" -noout -text >/dev/null || fail "new CA's CRL unreadable"

# the audit chain and every e-Cert against the trust bundle and the public register
expect 0 I publish
expect_out "published 8 certificates"
expect 0 I audit verify
expect_out "certificates: 8 verified"

# render: a PDF, refused for revoked unless --force
if command -v pdftotext >/dev/null; then
	expect 0 I render "$N2" -o "$T/n2.pdf"
	pdftotext "$T/n2.pdf" - 2>/dev/null | grep -q "李瑞瑞" || fail "pdftotext does not give the CJK name back"
	expect 1 I render "$N7" -o "$T/n7.pdf"
	expect_err "is revoked"
	[ -e "$T/n7.pdf" ] && fail "a refused render wrote a file"
	expect 0 I render "$N7" "$N1" -o "$T/pdfs" --force
	[ -s "$T/pdfs/$N7.pdf" ] && [ -s "$T/pdfs/$N1.pdf" ] || fail "render to a directory"
fi

# the interface contract
expect 0 ecert-issue --version
expect_out "ecert-issue "
expect 0 ecert-issue list --help
expect_out "usage: ecert-issue list"
expect 2 ecert-issue list --bogus -d "$D"
expect_err "ecert-issue: unknown option"
expect 2 ecert-issue frobnicate
expect 2 I import "$T/missing.csv"
expect_err "ecert-issue: cannot open '$T/missing.csv': No such file or directory"
expect 0 env ECERT_HOME="$D" ecert-issue list --status valid
expect_out "Approved"
echo "issue_flow: ok"
