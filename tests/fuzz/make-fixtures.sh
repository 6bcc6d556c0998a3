#!/bin/sh
# Remake tests/fuzz/data/ (the fixed trust bundle and CRL) and the seeds in tests/fuzz/corpus/ that
# come from the tools (e-Certs, tokens, CRLs, a PDF, QR URLs), dated ECERT_NOW=2026-03-10. Run it from
# the top of the tree after `make` whenever a format changes, and commit the result.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
bin=$top/build/bin
t=$(mktemp -d "${TMPDIR:-/tmp}/ecert-fuzz-fixtures.XXXXXX")
trap 'rm -rf "$t"' EXIT INT TERM
ECERT_HOME=$t/ca ECERT_PASS=fuzz-issuing-pass ECERT_ROOT_PASS=fuzz-root-pass ECERT_NOW=2026-03-10
ECERT_TEMPLATES=$top/templates
export ECERT_HOME ECERT_PASS ECERT_ROOT_PASS ECERT_NOW ECERT_TEMPLATES

"$bin/ecert-ca" init --org "Fuzz Cert Body" --public-url http://localhost:8080 >/dev/null
cp tests/e2e/data/catalog.conf "$ECERT_HOME/catalog.conf"
cat >"$t/results.csv" <<'EOF'
registration_no,last_name,first_name,email,tel,certification,exam_date,result
FZ-0001,Müller,"Jürgen, Jr.",jm@example.de,,NET-A,2026-03-02,pass
FZ-0002,李,瑞瑞,liruirui@example.cn,+86 139 2522 2157,NET-A,2026-03-02,pass
FZ-0003,Nguyễn,Thị Minh Khai,khai@example.vn,,NET-P,2026-03-02,pass
FZ-0004,Иванова,Анна,anna@example.ru,,SEC-A,2026-03-02,pass
FZ-0005,Παπαδόπουλος,Γιώργος,gp@example.gr,,NET-E,2026-03-03,pass
EOF
cat >"$t/apply.csv" <<'EOF'
registration_no,format,name,email,tel,address,consent
FZ-0001,electronic,"Jürgen Müller, Jr.",,,,yes
FZ-0002,electronic,李瑞瑞,,,,yes
FZ-0003,paper,Nguyễn Thị Minh Khai,,,"12 Phố Huế, Hà Nội",yes
FZ-0004,electronic,Анна Иванова,,,,yes
FZ-0005,paper,Γιώργος Παπαδόπουλος,,,"Οδός Ερμού 10, Αθήνα",yes
EOF
"$bin/ecert-issue" import "$t/results.csv" >/dev/null
"$bin/ecert-issue" apply --csv "$t/apply.csv" >/dev/null
"$bin/ecert-issue" issue --all >/dev/null 2>&1
numbers=$("$bin/ecert-issue" list --json | grep -o '"number":"[0-9]*"' | cut -d'"' -f4)
first=$(echo "$numbers" | head -n 1)
second=$(echo "$numbers" | sed -n 2p)
renewed=$("$bin/ecert-issue" renew "$first" | sed -n 's/^renewed [0-9]* as \([0-9]*\),.*/\1/p')
"$bin/ecert-issue" revoke "$second" --reason keyCompromise >/dev/null
kid=$(cat "$ECERT_HOME/certs/current")

d=tests/fuzz/data c=tests/fuzz/corpus
cp "$ECERT_HOME/trust.pem" "$d/trust.pem"
cp "$ECERT_HOME/crl/$kid.crl" "$d/issuing.crl"
cp "$ECERT_HOME/crl/$kid.crl" "$c/crl/issuing.crl"
cp "$ECERT_HOME/crl/root.crl" "$c/crl/root.crl"
openssl crl -inform DER -in "$d/issuing.crl" -out "$c/crl/issuing-crl.pem"
"$bin/ecert-issue" export "$first" --der -o "$c/ecert/ecert.der"
"$bin/ecert-issue" export "$second" --der -o "$c/ecert/revoked.der"
openssl x509 -in "$ECERT_HOME/certs/root.pem" -outform DER -out "$c/ecert/root.der"
"$bin/ecert-issue" render "$first" -o "$c/pdf/ecert.pdf" --force >/dev/null
cp "$c/ecert/ecert.der" "$c/verify/ecert.der"
cp "$c/pdf/ecert.pdf" "$c/verify/ecert.pdf"
cp "$d/issuing.crl" "$c/verify/issuing.crl"
"$bin/ecert-issue" export "$first" -o "$c/verify/ecert.pem"
"$bin/ecert-issue" export "$second" -o "$c/verify/revoked.pem"
rm -f "$c"/token/token*
i=0
for n in $numbers $renewed; do
	i=$((i + 1))
	[ $i -le 6 ] || break
	url=$("$bin/ecert-issue" show "$n" --json | grep -o '"qr_url":"[^"]*"' | cut -d'"' -f4)
	[ -n "$url" ] || { echo "make-fixtures: no QR payload in 'ecert-issue show $n --json'" >&2; exit 2; }
	printf '%s' "${url#*#}" >"$c/token/token$i"
	[ $i -le 2 ] && printf '%s' "$url" >"$c/verify/url$i"
done
cp "$c/token/token3" "$c/verify/token3"
echo "fixtures remade: $d, $c (issuing CA $kid)"
