#!/bin/sh
# The office's views: show by registration number (the application and its certificates), the
# application date in show and list --json, list --csv for spreadsheets, and list --shipping, the
# paper queue with its due days (7 working days after approval) and overdue flags.
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] || skip "ecert-ca or ecert-issue not built"

D=$T/state
export ECERT_NOW=2026-11-20 ECERT_TEMPLATES="$TOP/templates"
I() { ecert-issue "$@" -d "$D"; }
expect 0 ecert-ca init --org "Views Test Body" -d "$D"
expect 0 I import "$TOP/scripts/demo-data/results.csv"
expect 0 I apply --csv "$TOP/scripts/demo-data/applications.csv"
expect 0 I issue --all
N1=$(awk '$1 == "DEMO-0001" { print $2 }' "$T/out")
N5=$(awk '$1 == "DEMO-0005" { print $2 }' "$T/out")
[ ${#N1} -eq 22 ] && [ ${#N5} -eq 22 ] || fail "DEMO-0001 and DEMO-0005 should be issued"

# show by registration number: the application, then its certificate
expect 0 I show DEMO-0001
expect_out "Application      2026-11-20, electronic, issued"
expect_out "$(echo "$N1" | sed 's/\(....\)\(....\)\(....\)\(....\)\(....\)\(..\)/\1 \2 \3 \4 \5 \6/')"
expect_out "Applied          2026-11-20"
expect 0 I show DEMO-0001 --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["reg_no"]=="DEMO-0001" and d["application"]["applied"]=="2026-11-20" and d["certificates"][0]["number"]==sys.argv[2] and d["certificates"][0]["applied"]=="2026-11-20", d' "$T/out" "$N1" ||
	fail "show DEMO-0001 --json lacks the application or its certificate"
expect 1 I show NO-SUCH-REG
expect_err "no application for registration number 'NO-SUCH-REG'"
expect 2 I show "not a reg no"
expect 0 I show "$N1" --json
expect_out '"applied":"2026-11-20"'

# list --json carries the application date; list --csv is the same table as CSV
expect 0 I list --json
python3 -c 'import json,sys; rows=json.load(open(sys.argv[1])); assert all(r.get("applied")=="2026-11-20" for r in rows if r["number"]), rows' "$T/out" ||
	fail "list --json rows lack the application date"
expect 0 I list --csv
head -n 1 "$T/out" | grep -q '^Status,Certificate Name,Certificate Number,Renewal,Effective Date,Expiration Date,Email' ||
	fail "list --csv has no header line"
python3 -c 'import csv,sys; rows=list(csv.reader(open(sys.argv[1], newline=""))); assert len(rows) >= 12 and all(len(r)==7 for r in rows), rows' "$T/out" ||
	fail "list --csv is not a 7-column CSV with every row"
expect 2 I list --csv --json

expect 2 I list --shipping --email li.na@example.cn
expect_err "takes no --email or --status"

# the paper queue: due 7 working days after approval (2026-11-20 is a Friday: due 2026-12-01)
expect 0 I list --shipping
expect_out "2026-11-20"
expect_out "2026-12-01"
expect_err "paper certificates to ship, 0 overdue"
grep -q OVERDUE "$T/out" && fail "nothing is overdue on the day of issuance"
ECERT_NOW=2026-12-02 expect 0 I list --shipping --json
python3 -c 'import json,sys; rows=json.load(open(sys.argv[1])); assert rows and all(r["overdue"] and r["due"]=="2026-12-01" and r["address"] for r in rows), rows' "$T/out" ||
	fail "list --shipping --json: not every unshipped paper certificate overdue with its address"
ECERT_NOW=2026-12-02 expect 0 I list --shipping
expect_out "OVERDUE"
before=$(grep -c OVERDUE "$T/out")
expect 0 I ship "$N5" --carrier "SF Express" --order SF1
ECERT_NOW=2026-12-02 expect 0 I list --shipping --csv
grep -q "$N5" "$T/out" && fail "a shipped certificate is still in the queue"
[ "$(grep -c OVERDUE "$T/out")" -eq $((before - 1)) ] || fail "shipping one did not take it off the overdue list"
note "show REG-NO, applied dates, list --csv and the shipping queue checked"
exit 0
