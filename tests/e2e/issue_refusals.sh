#!/bin/sh
# ecert-issue refusals: every refused request says why, exits with the contract's code, and leaves both
# registers byte for byte as they were (ecert-issue list --json and mdb_dump of the office and public registers).
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] || skip "ecert-ca or ecert-issue not built"
command -v mdb_dump >/dev/null || skip "mdb_dump (lmdb-utils) not installed"

D=$T/state
DATA=tests/e2e/data
export ECERT_NOW=2026-03-10
I() { ecert-issue "$@" -d "$D"; }
HDR=registration_no,last_name,first_name,email,tel,certification,exam_date,result

snap() {
	I list --json >"$T/snap.list" 2>&1 || fail "list failed"
	mdb_dump -a "$D/register" >"$T/snap.reg" 2>&1 || fail "mdb_dump register failed"
	mdb_dump -a "$D/public" >"$T/snap.pub" 2>&1 || fail "mdb_dump public failed"
}
same() { # same WHAT: nothing changed since snap
	I list --json >"$T/now.list" 2>&1
	mdb_dump -a "$D/register" >"$T/now.reg" 2>&1
	mdb_dump -a "$D/public" >"$T/now.pub" 2>&1
	cmp -s "$T/snap.list" "$T/now.list" || fail "$1 changed the listing"
	cmp -s "$T/snap.reg" "$T/now.reg" || fail "$1 changed the office register"
	cmp -s "$T/snap.pub" "$T/now.pub" || fail "$1 changed the public register"
}
# refused CODE TEXT CMD...: CMD exits CODE, says TEXT, and changes nothing
refused() {
	code=$1 text=$2; shift 2
	expect "$code" "$@"
	expect_err "$text"
	same "'$*'"
}

expect 0 ecert-ca init -d "$D" --org "Refusals Certification Body"
cp "$DATA/catalog.conf" "$D/catalog.conf"
expect 0 I import "$DATA/results.csv"
expect 0 I apply --reg-no E2E-0001 --format electronic --name "Zoë O'Brien" --consent
expect 0 I apply --reg-no E2E-0003 --format paper --name "Nguyễn Thị Minh Khai" --address "12 Phố Huế, Hà Nội" --consent
expect 0 I issue --all
N1=$(I list --json | grep '"reg_no":"E2E-0001"' | sed 's/.*"number":"\([0-9]*\)".*/\1/')
[ "${#N1}" -eq 22 ] || fail "no certificate issued"
snap

# --- import: malformed rows are named FILE:LINE and nothing from the file is stored
csv() { f=$T/$1; shift; printf '%s\n' "$@" >"$f"; }
csv bad-email.csv "$HDR" "N-1,Good,Row,good@example.org,,NET-A,2026-03-02,pass" \
	"N-2,Bad,Row,not-an-email,,NET-A,2026-03-02,pass"
refused 1 "bad-email.csv:3: field 'email': 'not-an-email' is not an email address" I import "$T/bad-email.csv"
expect_err "nothing imported"
csv bad-date.csv "$HDR" "N-1,A,B,a@example.org,,NET-A,2026-02-30,pass"
refused 1 "bad-date.csv:2: field 'exam_date': '2026-02-30' is not a date" I import "$T/bad-date.csv"
csv future.csv "$HDR" "N-1,A,B,a@example.org,,NET-A,2026-04-01,pass"
refused 1 "future.csv:2: field 'exam_date': exam date 2026-04-01 is in the future" I import "$T/future.csv"
csv unknown-cert.csv "$HDR" "N-1,A,B,a@example.org,,NOPE-X,2026-03-02,pass"
refused 1 "unknown-cert.csv:2: field 'certification': unknown certification 'NOPE-X'" I import "$T/unknown-cert.csv"
csv bad-result.csv "$HDR" "N-1,A,B,a@example.org,,NET-A,2026-03-02,passed"
refused 1 "bad-result.csv:2: field 'result': 'passed' is neither pass nor fail" I import "$T/bad-result.csv"
csv bad-tel.csv "$HDR" "N-1,A,B,a@example.org,call me,NET-A,2026-03-02,pass"
refused 1 "bad-tel.csv:2: field 'tel': 'call me' is not a telephone number" I import "$T/bad-tel.csv"
csv bad-regno.csv "$HDR" "N 1,A,B,a@example.org,,NET-A,2026-03-02,pass"
refused 1 "bad-regno.csv:2: field 'registration_no'" I import "$T/bad-regno.csv"
printf '%s\nN-1,A\377,B,a@example.org,,NET-A,2026-03-02,pass\n' "$HDR" >"$T/bad-utf8.csv"
refused 1 "bad-utf8.csv:2:" I import "$T/bad-utf8.csv"
expect_err "UTF-8"
csv ragged.csv "$HDR" "N-1,A,B,a@example.org,,NET-A,2026-03-02,pass" "N-2,A,B,a@example.org,,NET-A,2026-03-02"
refused 1 "ragged.csv:3:" I import "$T/ragged.csv"
# a quoted field spanning lines: the record is named by the line where it starts; the line feed is refused
csv multiline.csv "$HDR" "N-1,A,B,a@example.org,,NET-A,2026-03-02,pass" "N-2,\"Two" "Lines\",B,b@example.org,,NET-A,2026-03-02,pass"
refused 1 "multiline.csv:3: field 'last_name': control character" I import "$T/multiline.csv"
csv unterminated.csv "$HDR" "N-1,\"A,B,a@example.org,,NET-A,2026-03-02,pass"
refused 1 "unterminated.csv:2:" I import "$T/unterminated.csv"
csv missing-col.csv "registration_no,last_name,first_name,tel,certification,exam_date,result" "N-1,A,B,,NET-A,2026-03-02,pass"
refused 1 "missing-col.csv:1: missing column 'email'" I import "$T/missing-col.csv"
csv dup.csv "$HDR" "N-1,A,B,a@example.org,,NET-A,2026-03-02,pass" "N-1,A,B,a@example.org,,NET-A,2026-03-02,fail"
refused 1 "dup.csv:3: field 'registration_no': 'N-1' appears also on line 2 with different data" I import "$T/dup.csv"
# a conflicting re-import of a registration number is refused and named
csv conflict.csv "$HDR" "N-9,New,Row,n9@example.org,,NET-A,2026-03-02,pass" \
	"E2E-0001,O'Brien,Zoë,zoe.obrien@example.ie,+353 86 123 4567,NET-A,2026-03-02,fail"
refused 1 "'E2E-0001'" I import "$T/conflict.csv"
refused 2 "cannot open '$T/none.csv': No such file or directory" I import "$T/none.csv"

# --- apply: the guide's rules
refused 1 "no exam result for registration number 'NOPE'" I apply --reg-no NOPE --format electronic --name X --consent
refused 1 "was not passed" I apply --reg-no E2E-0006 --format electronic --name "Antonín Dvořák" --consent
refused 1 "too early: registration number 'E2E-0008' can apply from 2026-03-11" \
	I apply --reg-no E2E-0008 --format electronic --name "Lucy Late" --consent
refused 1 "no consent" I apply --reg-no E2E-0002 --format electronic --name "李瑞瑞"
refused 1 "a paper certificate needs a postal address" I apply --reg-no E2E-0002 --format paper --name "李瑞瑞" --consent
refused 1 "a paper certificate needs a postal address" I apply --reg-no E2E-0002 --format paper --name "李瑞瑞" \
	--address "$(printf ' \n\t\n')" --consent
refused 1 "ecert-issue: --address: 9 lines, at most 8" I apply --reg-no E2E-0002 --format paper --name "李瑞瑞" \
	--address "$(printf '1\n2\n3\n4\n5\n6\n7\n8\n9')" --consent
refused 1 "NET-E is issued as paper only" I apply --reg-no E2E-0005 --format electronic --name "Γιώργος" --consent
refused 2 "" I apply --reg-no E2E-0002 --format fax --name "李瑞瑞" --consent
refused 1 "already has an application, submitted 2026-03-10: electronic, name 'Zoë O'Brien'" \
	I apply --reg-no E2E-0001 --format paper --name "Zoe OBrien" --address "Dublin" --consent
expect_err "issued as $N1"
refused 1 "U+200C is a format character" I apply --reg-no E2E-0002 --format electronic --name "$(printf 'مهدی\342\200\214زاده')" --consent
refused 1 "no font covers U+13A0" I apply --reg-no E2E-0002 --format electronic --name "Ꭰ Ꮟ" --consent
refused 1 "outside the Basic Multilingual Plane" I apply --reg-no E2E-0002 --format electronic --name "Zoë 😀" --consent
refused 1 "control character" I apply --reg-no E2E-0002 --format electronic --name "$(printf 'A\tB')" --consent
refused 1 "" I apply --reg-no E2E-0002 --format electronic \
	--name "$(printf 'x%.0s' $(seq 1 65))" --consent
# 60 CJK characters fit the certificate but not the QR code
refused 1 "too long for the QR code" I apply --reg-no E2E-0002 --format electronic \
	--name "$(printf '瑞%.0s' $(seq 1 60))" --consent
refused 1 "is not an email address" I apply --reg-no E2E-0002 --format electronic --name "李瑞瑞" --email x@ --consent
refused 2 "" I apply --reg-no E2E-0002 --format electronic --consent

# apply --csv: all or nothing, FILE:LINE
printf '%s\n' "registration_no,format,name,email,tel,address,consent" \
	"E2E-0002,electronic,李瑞瑞,,,,yes" \
	"E2E-0004,electronic,Анна Иванова,,,,no" >"$T/a1.csv"
refused 1 "a1.csv:3: field 'consent': no consent" I apply --csv "$T/a1.csv"
expect_err "no application stored"
printf '%s\n' "registration_no,format,name,email,tel,address,consent" \
	"E2E-0002,electronic,李瑞瑞,,,,yes" \
	"E2E-0002,electronic,李瑞瑞,,,,yes" >"$T/a2.csv"
refused 1 "a2.csv:3: field 'registration_no': 'E2E-0002' is applied for also on line 2" I apply --csv "$T/a2.csv"
printf '%s\n' "registration_no,format,name,email,tel,address,consent" \
	"E2E-0002,electronic,李瑞瑞,,,,yes" \
	"E2E-0005,paper,Γιώργος,,,,yes" \
	"E2E-0001,electronic,Zoë O'Brien,,,,yes" >"$T/a3.csv"
refused 1 "a3.csv:3: field 'address': a paper certificate needs a postal address" I apply --csv "$T/a3.csv"
expect_err "a3.csv:4: field 'registration_no': registration number 'E2E-0001' already has an application"
printf '%s\n' "registration_no,format,name,email,tel,address" "E2E-0002,electronic,李瑞瑞,,," >"$T/a4.csv"
refused 1 "a4.csv:1: missing column 'consent'" I apply --csv "$T/a4.csv"

# weekends and the catalogue's holidays: an exam on Thursday 24 December opens on Monday 28 December
export ECERT_NOW=2026-12-27
snap
csv xmas.csv "$HDR" "X-1,Noel,Eve,eve@example.org,,NET-A,2026-12-24,pass"
expect 0 I import "$T/xmas.csv"
snap
refused 1 "can apply from 2026-12-28" I apply --reg-no X-1 --format electronic --name "Eve Noel" --consent

# --- issue, numbers and passphrases
export ECERT_NOW=2026-03-10
snap
refused 1 "no application for registration number 'E2E-0002'" I issue E2E-0002
refused 1 "already issued as $N1" I issue E2E-0001
refused 2 "" I issue
expect 0 I apply --reg-no E2E-0002 --format electronic --name "李瑞瑞" --consent
snap
refused 2 "passphrase" env ECERT_PASS=wrong ecert-issue issue --all -d "$D"
echo wrong >"$T/pass"
refused 2 "passphrase" I issue --all --pass-file "$T/pass"
refused 2 "" env -u ECERT_PASS ecert-issue issue --all -d "$D" </dev/null

BAD=$(echo "$N1" | sed 's/\(.*\)\(.\)$/\1/; s/$/X/')
TYPO=$(echo "$N1" | awk '{ d = substr($0, 22, 1); d = (d + 1) % 10; print substr($0, 1, 21) d }')
UNKNOWN=$(echo "$N1" | awk '{ print substr($0, 1, 4) "0000000000000000" }')
# an unknown number with valid check digits: find the two digits that make it 1 mod 97
for cd in $(seq -w 0 99); do
	if [ "$(echo "$UNKNOWN$cd" | awk '{ r = 0; for (i = 1; i <= 22; i++) r = (r * 10 + substr($0, i, 1)) % 97; print r }')" = 1 ]; then
		UNKNOWN=$UNKNOWN$cd
		break
	fi
done
[ "${#UNKNOWN}" -eq 22 ] || fail "could not build an unknown number"
refused 1 "probably a typo" I show "$TYPO"
refused 1 "probably a typo" I revoke "$TYPO" --reason keyCompromise
refused 1 "malformed" I show "$BAD"
refused 1 "malformed" I export 1234
refused 1 "unknown certificate number '$UNKNOWN'" I show "$UNKNOWN"
refused 1 "unknown certificate number" I export "$UNKNOWN"
refused 1 "unknown certificate number" I revoke "$UNKNOWN" --reason keyCompromise
refused 1 "unknown certificate number" I renew "$UNKNOWN"
refused 1 "unknown certificate number" I ship "$UNKNOWN" --carrier DHL --order 1
refused 2 "unknown revocation reason 'lost'" I revoke "$N1" --reason lost
refused 2 "revoke needs --reason" I revoke "$N1"
refused 2 "passphrase" env ECERT_PASS=wrong ecert-issue revoke "$N1" --reason keyCompromise -d "$D"
refused 2 "passphrase" env ECERT_PASS=wrong ecert-issue renew "$N1" -d "$D"
refused 1 "is electronic" I ship "$N1" --carrier DHL --order 123
refused 2 "" I ship "$N1" --carrier DHL
refused 2 "unknown status 'approved'" I list --status approved
refused 2 "unknown audit command" I audit check

# --- an e-Cert that would outlive its issuing CA: refused until `ecert-ca rotate`.
# A CA starts at the earlier of the clock and ECERT_NOW, so this rehearsal is dated in the past.
D=$T/old
export ECERT_NOW=2010-03-10
expect 0 ecert-ca init -d "$D" --org "Old Certification Body"
cp "$DATA/catalog.conf" "$D/catalog.conf"
NA=$(ecert-ca list --json -d "$D" | tr '{' '\n' | grep '"current":true' | sed 's/.*"not_after":"\([0-9]*\)-.*/\1/')
[ -n "$NA" ] || fail "cannot read the issuing CA's notAfter"
Y=$((NA - 1))
export ECERT_NOW=$Y-06-08
csv late.csv "$HDR" "L-1,Late,Exam,late@example.org,,NET-A,$Y-06-01,pass"
expect 0 I import "$T/late.csv"
expect 0 I apply --reg-no L-1 --format electronic --name "Exam Late" --consent
snap
refused 1 "run 'ecert-ca rotate' first" I issue --all
expect_err "would outlive the issuing CA"
expect 0 ecert-ca rotate -d "$D"
expect 0 I issue --all
expect 0 I audit verify
echo "issue_refusals: ok"
