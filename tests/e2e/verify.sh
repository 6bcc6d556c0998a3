#!/bin/sh
# ecert-verify end to end with e-Certs, PDFs, QR URLs and CRLs made by the real tools; openssl and pdfdetach
# judge every valid input too. Forged, swapped, flipped, revoked, expired, stale, truncated, empty, huge.
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] && [ -x "$BIN/ecert-verify" ] || skip "tools not built"
command -v openssl >/dev/null || skip "openssl not installed"
command -v pdfdetach >/dev/null || skip "pdfdetach (poppler-utils) not installed"
PY=$(command -v python3 2>/dev/null && python3 -c 'import zlib' 2>/dev/null && echo python3)

D=$T/ca
O=$T/other
DATA=tests/e2e/data
export ECERT_NOW=2026-03-10
V() { ecert-verify --trust "$D/trust.pem" "$@"; }

# Two CAs: ours, and another whose e-Certs must never verify against our trust bundle.
for dir in "$D" "$O"; do
	expect 0 ecert-ca init -d "$dir" --org "Example Body" --public-url https://certs.example.org
	cp "$DATA/catalog.conf" "$dir/catalog.conf"
	expect 0 ecert-issue import -d "$dir" "$DATA/results.csv"
	expect 0 ecert-issue apply -d "$dir" --reg-no E2E-0001 --format electronic --name "Zoë O'Brien" --consent
	expect 0 ecert-issue apply -d "$dir" --reg-no E2E-0002 --format electronic --name "李瑞瑞" --consent
	expect 0 ecert-issue issue -d "$dir" --all
	cp "$T/out" "$dir.issued"
done
N1=$(awk '$1 == "E2E-0001" { print $2 }' "$D.issued")
N2=$(awk '$1 == "E2E-0002" { print $2 }' "$D.issued")
NO=$(awk '$1 == "E2E-0001" { print $2 }' "$O.issued")
[ ${#N1} -eq 22 ] && [ ${#N2} -eq 22 ] && [ ${#NO} -eq 22 ] || fail "issue did not print the numbers"
G1=$(echo "$N1" | sed 's/\(....\)\(....\)\(....\)\(....\)\(....\)\(..\)/\1 \2 \3 \4 \5 \6/')
KID=$(cat "$D/certs/current")
[ -f "$D/certs/issuing-$KID.pem" ] || KID=$(ecert-ca list -d "$D" --json | sed -n 's/.*"kid":"\([^"]*\)".*/\1/p')
[ -f "$D/certs/issuing-$KID.pem" ] || fail "cannot tell the issuing CA's KID"


expect 0 ecert-issue render -d "$D" "$N1" -o "$T/a.pdf"
expect 0 ecert-issue export -d "$D" "$N1" -o "$T/a.pem"
expect 0 ecert-issue export -d "$D" "$N1" --der -o "$T/a.der"
expect 0 ecert-issue export -d "$D" "$N2" -o "$T/b.pem"
expect 0 ecert-issue export -d "$O" "$NO" --der -o "$T/other.der"
expect 0 ecert-issue render -d "$O" "$NO" -o "$T/other.pdf"
expect 0 ecert-issue show -d "$D" "$N1" --json
URL=$(sed -n 's/.*"qr_url":"\([^"]*\)".*/\1/p' "$T/out")
TOK=${URL#*#}
case $URL in https://certs.example.org/v/$N1#*.*.*) ;; *) fail "no QR URL in show --json: '$URL'" ;; esac
printf '%s\n' "$URL" >"$T/url.txt"
printf '%s\n' "$TOK" >"$T/token.txt"

# openssl judges every e-Cert we call valid (and the ones we refuse) with the same CA files.
openssl_ok() { # openssl_ok DER-FILE: 0 when openssl verify accepts it
	openssl x509 -inform DER -in "$1" -out "$1.pem" 2>/dev/null &&
	    openssl verify -attime "$(date -u -d 2026-03-10T12:00:00Z +%s)" -CAfile "$D/certs/root.pem" \
	    -untrusted "$D/certs/issuing-$KID.pem" "$1.pem" >/dev/null 2>&1
}

# --- valid inputs: PDF, PEM, DER, QR URL and token (as arguments and as files), stdin ---
expect 0 V "$T/a.pdf"
expect_out "a.pdf: VALID"
expect_out "Zoë O'Brien"
expect_out "NET-A (Network Associate)"
expect_out "$G1"
expect_out "2026-03-02 to 2029-03-01"
expect_out "Example Body Issuing CA $KID"
expect_out "warning:        revocation not checked: no CRL given"
mkdir "$T/detach"
pdfdetach -saveall -o "$T/detach" "$T/a.pdf" >/dev/null 2>&1 || fail "pdfdetach failed on a.pdf"
cmp -s "$T/detach/$N1.der" "$T/a.der" || fail "pdfdetach's attachment differs from the exported DER"
openssl_ok "$T/detach/$N1.der" || fail "openssl verify rejects the PDF's e-Cert that ecert-verify accepts"

for f in a.pem a.der url.txt token.txt; do
	expect 0 V "$T/$f"
	expect_out "$f: VALID"
	expect_out "$G1"
done
openssl_ok "$T/a.der" || fail "openssl verify rejects a.der"

# --- a genuine token behind another address: valid, but the QR code would send people elsewhere ---
expect 0 V "$URL"
grep -q "not to the issuer" "$T/out" && fail "the issuer's own QR URL is warned about"
expect 0 V --json "$URL"
expect_out "at the issuer's address https://certs.example.org"
expect 0 V "https://evil.example/v/$N1#$TOK"
expect_out "VALID"
expect_out "warning:        the QR URL points to https://evil.example, not to the issuer's https://certs.example.org"
expect 0 V "https://certs.example.org.evil.example/v/$N1#$TOK"
expect_out "not to the issuer's"
expect 0 V "HTTPS://CERTS.EXAMPLE.ORG/v/$N1#$TOK"
grep -q "not to the issuer" "$T/out" && fail "the issuer's address in capitals is warned about"
true
expect 0 V "$URL"
expect_out "VALID"
expect_out "certification:  NET-A"
expect 0 V "$TOK"
expect_out "VALID"
V - <"$T/a.pdf" >"$T/out" 2>"$T/err" || fail "stdin PDF not valid"
expect_out "(stdin): VALID"
V - <"$T/a.pem" >"$T/out" 2>"$T/err" || fail "stdin PEM not valid"
printf '%s\r\n' "$URL" | V - >"$T/out" 2>"$T/err" || fail "stdin URL not valid"
# The trust bundle from -d and from $ECERT_HOME.
expect 0 ecert-verify -d "$D" "$T/a.pdf"
(ECERT_HOME=$D; export ECERT_HOME; expect 0 ecert-verify "$T/a.pem") || exit 1
# Several inputs, JSON.
expect 0 V --json "$T/a.pdf" "$T/a.pem" "$URL"
expect_out '"verdict":"valid"'
expect_out '"failed_stage":null'
expect_out '"stage":"consistency"'
if [ -n "$PY" ]; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d)==3 and all(x["valid"] for x in d)' \
	    "$T/out" || fail "--json is not a JSON array of three valid results"
fi
expect 0 V --json "$T/a.der"
case $(head -c 1 "$T/out") in "{") ;; *) fail "one input should give one JSON object" ;; esac

# --- revocation: a current CRL, then a revoked certificate, then a stale CRL ---
expect 0 ecert-issue crl -d "$D"
CRL=$D/crl/$KID.crl
expect 0 V --crl "$CRL" "$T/a.pdf" "$T/b.pem" "$TOK"
grep -q "warning" "$T/out" && fail "a CRL was given but revocation still reads as unchecked"
expect 0 ecert-issue revoke -d "$D" "$N2" --reason keyCompromise
expect 1 V --crl "$CRL" "$T/b.pem"
expect_out "NOT VALID: revocation: revoked on 2026-03-10 (keyCompromise)"
expect_err "b.pem: not valid: revocation"
expect 0 V "$T/b.pem"
expect_out "revocation not checked"
openssl crl -inform DER -in "$CRL" -noout -text | grep -q "Key Compromise" || fail "openssl does not see the revocation"
expect 0 V --crl "$CRL" "$T/a.pdf"
# the root's CRL completes the check: the issuing CA itself is not revoked
expect 0 V --json --crl "$CRL" "$T/a.pdf"
expect_out "no root CRL given"
expect 0 V --json --crl "$D/crl/root.crl" --crl "$CRL" "$T/a.pdf"
grep -q "no root CRL" "$T/out" && fail "the root CRL was given but is reported missing"
expect 1 V --crl "$D/crl/root.crl" --crl "$CRL" "$T/b.pem"
expect_out "revoked on 2026-03-10 (keyCompromise)"
# Stale: the CRL's nextUpdate is 7 days after 2026-03-10.
expect 0 V --crl "$CRL" --at 2026-03-16 "$T/a.pdf"
expect 1 V --crl "$CRL" --at 2026-03-18 "$T/a.pdf"
expect_out "NOT VALID: revocation: CRL '$CRL' is stale"
expect_err "a.pdf: not valid: revocation"
# A CRL from outside the trust bundle is never used.
expect 0 ecert-issue crl -d "$O"
expect 1 V --crl "$O/crl/$(cat "$O/certs/current").crl" "$T/a.pdf"
expect_out "is unusable"

# --- validity as of --at ---
expect 0 V --at 2029-03-01 "$T/a.pdf"
expect 1 V --at 2029-03-02 "$T/a.pdf"
expect_out "NOT VALID: validity: expired on 2029-03-01"
expect_err "a.pdf: not valid: validity"
expect 1 V --at 2026-03-01 "$URL"
expect_out "not valid before 2026-03-02"

# --- forged and tampered ---
expect 1 V "$T/other.der"
expect_out "NOT VALID: signature"
expect_err "other.der: not valid: signature"
openssl_ok "$T/other.der" && fail "openssl accepts another CA's e-Cert against our CA files"
expect 1 V "$T/other.pdf"
expect_out "NOT VALID: signature"
size=$(wc -c <"$T/a.der")
for off in 5 60 150 300 $((size - 1)); do
	cp "$T/a.der" "$T/flip.der"
	b=$(od -An -tu1 -j "$off" -N1 "$T/flip.der" | tr -d ' ')
	printf "\\$(printf %03o $((b ^ 1)))" | dd of="$T/flip.der" bs=1 seek="$off" conv=notrunc 2>/dev/null
	cmp -s "$T/flip.der" "$T/a.der" && fail "byte $off not flipped"
	expect 1 V "$T/flip.der"
	openssl_ok "$T/flip.der" && fail "openssl accepts the e-Cert with byte $off flipped"
done
n=${#TOK}
for i in 5 40 80 $((n - 20)) $((n - 2)); do
	c=$(printf %s "$TOK" | cut -c"$i")
	[ "$c" = . ] && continue
	[ "$c" = A ] && r=B || r=A
	bad=$(printf %s "$TOK" | cut -c1-$((i - 1)))$r$(printf %s "$TOK" | cut -c$((i + 1))-)
	[ "$bad" != "$TOK" ] || fail "token character $i not changed"
	expect 1 V "$bad"
	expect_out "NOT VALID"
	grep -q "holder:" "$T/out" && fail "unverified token content shown"
done

# The PDF's e-Cert swapped (an incremental update, as any PDF editor writes it) for another CA's,
# and for another genuine one of ours; pdfdetach extracts the swapped DER, openssl refuses it too.
if [ -n "$PY" ]; then
	swap() { # swap PDF DER OUT: replace the embedded file stream of PDF by DER
		python3 - "$1" "$2" "$3" <<-'EOF'
		import re, sys, zlib
		pdf = open(sys.argv[1], 'rb').read()
		der = open(sys.argv[2], 'rb').read()
		m = re.search(rb'(\d+) 0 obj\s*<<[^>]*/Type /EmbeddedFile', pdf)
		size = int(re.findall(rb'/Size (\d+)', pdf)[-1])
		prev = int(re.findall(rb'startxref\s+(\d+)', pdf)[-1])
		z = zlib.compress(der)
		off = len(pdf)
		obj = b'%s 0 obj\n<< /Type /EmbeddedFile /Length %d /Filter /FlateDecode >>\nstream\r\n' % (m.group(1), len(z))
		obj += z + b'\nendstream\nendobj\n'
		xref = len(pdf) + len(obj)
		tail = b'xref\n0 1\n0000000000 65535 f\r\n%s 1\n%010d 00000 n\r\n' % (m.group(1), off)
		tail += b'trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' % (size, prev, xref)
		open(sys.argv[3], 'wb').write(pdf + obj + tail)
		EOF
	}
	root=$(sed -n 's/.*\/Root \([0-9]*\) 0 R.*/\1/p' "$T/a.pdf" | head -n 1)
	[ "$root" = 1 ] || skip "unexpected /Root object $root in the rendered PDF"
	swap "$T/a.pdf" "$T/other.der" "$T/swapped.pdf" || fail "cannot build the swapped PDF"
	expect 1 V "$T/swapped.pdf"
	expect_out "NOT VALID: signature"
	rm -rf "$T/detach" && mkdir "$T/detach"
	pdfdetach -saveall -o "$T/detach" "$T/swapped.pdf" >/dev/null 2>&1 || fail "pdfdetach failed on swapped.pdf"
	cmp -s "$T/detach/$N1.der" "$T/other.der" || fail "pdfdetach does not see the swapped e-Cert"
	openssl_ok "$T/detach/$N1.der" && fail "openssl accepts the swapped e-Cert"
	openssl x509 -in "$T/b.pem" -outform DER -out "$T/b.der"
	swap "$T/a.pdf" "$T/b.der" "$T/swapped2.pdf" || fail "cannot build the second swapped PDF"
	expect 1 V "$T/swapped2.pdf"
	expect_out "NOT VALID: consistency"
	# A PDF with no attachment: the catalog replaced by one without /Names.
	python3 - "$T/a.pdf" "$T/noatt.pdf" <<-'EOF'
	import re, sys
	pdf = open(sys.argv[1], 'rb').read()
	size = int(re.findall(rb'/Size (\d+)', pdf)[-1])
	prev = int(re.findall(rb'startxref\s+(\d+)', pdf)[-1])
	pages = re.search(rb'/Pages (\d+) 0 R', pdf).group(1)
	obj = b'1 0 obj\n<< /Type /Catalog /Pages %s 0 R >>\nendobj\n' % pages
	xref = len(pdf) + len(obj)
	tail = b'xref\n0 2\n0000000000 65535 f\r\n%010d 00000 n\r\n' % len(pdf)
	tail += b'trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' % (size, prev, xref)
	open(sys.argv[2], 'wb').write(pdf + obj + tail)
	EOF
	expect 1 V "$T/noatt.pdf"
	expect_out "no attachment found"
else
	note "python3 missing: swapped-PDF and no-attachment cases not run"
fi

# --- malformed input ---
head -c $(($(wc -c <"$T/a.pdf") / 2)) "$T/a.pdf" >"$T/trunc.pdf"
expect 1 V "$T/trunc.pdf"
expect_out "CANNOT CHECK: truncated PDF"
expect_err "trunc.pdf: cannot check: truncated PDF"
echo "hello, world" >"$T/hello.txt"
expect 1 V "$T/hello.txt"
expect_out "not a PDF, an e-Cert (PEM or DER), a QR URL or a token"
: >"$T/empty"
expect 1 V "$T/empty"
expect_out "empty input"
truncate -s 100M "$T/big.pdf" 2>/dev/null || dd if=/dev/zero of="$T/big.pdf" bs=1M count=100 2>/dev/null
if [ -x /usr/bin/time ] && [ "${ECERT_VALGRIND:-0}" != 1 ]; then   # under valgrind its own memory counts
	expect 1 /usr/bin/time -f 'maxrss %M' ecert-verify --trust "$D/trust.pem" "$T/big.pdf"
	rss=$(sed -n 's/^maxrss //p' "$T/err")
	[ "$rss" -lt 32768 ] || fail "100 MB file: max RSS ${rss} KB"
	head -c 100000000 /dev/zero | /usr/bin/time -f 'maxrss %M' ecert-verify --trust "$D/trust.pem" - \
	    >"$T/out" 2>"$T/err" && fail "100 MB on stdin accepted"
	rss=$(sed -n 's/^maxrss //p' "$T/err")
	[ "$rss" -lt 65536 ] || fail "100 MB on stdin: max RSS ${rss} KB"
	expect_err "larger than 16 MiB"
fi
expect 1 V "$T/big.pdf"
expect_err "big.pdf' is larger than 16 MiB"

# --- exit codes: the highest wins; usage and I/O are 2 ---
expect 1 V "$T/a.pdf" "$T/hello.txt"
expect_out "a.pdf: VALID"
expect 2 V "$T/a.pdf" "$T/hello.txt" "$T/missing.pdf"
expect_err "cannot open '$T/missing.pdf'"
expect 2 V
expect_err "no input given"
expect 2 V --at 2026-02-30 "$T/a.pdf"
expect 2 V --bogus "$T/a.pdf"
expect 2 ecert-verify --trust "$T/missing.pem" "$T/a.pdf"
expect_err "trust bundle"
expect 2 V --crl "$T/missing.crl" "$T/a.pdf"
expect 0 ecert-verify --help
expect_out "usage: ecert-verify"
expect 0 ecert-verify --version
exit 0
