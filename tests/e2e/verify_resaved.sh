#!/bin/sh
# ecert-verify on genuine e-Certs re-saved by common tools: qpdf (object and cross-reference streams),
# MuPDF (mutool clean), Ghostscript (pdfwrite) and poppler (pdftocairo, which drops attachments).
# Each is VALID when the attachment survived and CANNOT CHECK when it did not, never NOT VALID; a
# printed-to-PDF file is CANNOT CHECK; a 16 MB trailer is answered in well under a second.
. tests/e2e/lib.sh

for c in qpdf mutool pdftocairo gs python3; do command -v "$c" >/dev/null 2>&1 || skip "$c not installed"; done
for b in ecert-ca ecert-issue ecert-verify; do [ -x "$BIN/$b" ] || skip "$b not built"; done

D=$T/ca
export ECERT_TEMPLATES=$TOP/templates ECERT_NOW=2026-03-10
expect 0 ecert-ca init -d "$D" --org "Resave Test Body" --public-url https://verify.example.org
cp tests/e2e/data/catalog.conf "$D/catalog.conf"
expect 0 ecert-issue import -d "$D" tests/e2e/data/results.csv
expect 0 ecert-issue apply -d "$D" --reg-no E2E-0002 --format electronic --name "李瑞瑞" --consent
expect 0 ecert-issue issue -d "$D" --all
N=$(awk '$1 == "E2E-0002" { print $2 }' "$T/out")
expect 0 ecert-issue render -d "$D" "$N" -o "$T/orig.pdf"
V() { ecert-verify --trust "$D/trust.pem" "$@"; }

expect 0 V "$T/orig.pdf"
qpdf --object-streams=generate "$T/orig.pdf" "$T/qpdf.pdf" || fail "qpdf cannot re-save"
grep -aq '/Type */XRef' "$T/qpdf.pdf" || fail "qpdf did not write cross-reference streams"
qpdf --linearize "$T/orig.pdf" "$T/linear.pdf" || fail "qpdf cannot linearize"
mutool clean "$T/orig.pdf" "$T/mutool.pdf" || fail "mutool clean failed"
mutool clean -gg -d "$T/orig.pdf" "$T/mutool-d.pdf" || fail "mutool clean -d failed"
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sOutputFile="$T/gs.pdf" "$T/orig.pdf" || fail "gs failed"
pdftocairo -pdf "$T/orig.pdf" "$T/cairo.pdf" || fail "pdftocairo failed"
# an incremental update that changes nothing about the attachment
python3 - "$T/orig.pdf" "$T/incr.pdf" <<'EOF'
import re, sys
pdf = open(sys.argv[1], "rb").read()
# append a new revision redefining the Info dictionary: a classic incremental update
start = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
size = int(re.search(rb"/Size (\d+)", pdf[pdf.rindex(b"trailer"):]).group(1))
root = re.search(rb"/Root (\d+ \d+ R)", pdf[pdf.rindex(b"trailer"):]).group(1)
info = re.search(rb"/Info (\d+ \d+ R)", pdf[pdf.rindex(b"trailer"):]).group(1)
obj = b"%d 0 obj\n<< /Producer (an editor) >>\nendobj\n" % size
off = len(pdf) + 1
xref = b"xref\n%d 1\n%010d 00000 n \n" % (size, off)
tail = b"trailer\n<< /Size %d /Root %s /Info %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
    size + 1, root, info, start, off + len(obj))
open(sys.argv[2], "wb").write(pdf + b"\n" + obj + xref + tail)
EOF
for f in qpdf linear mutool mutool-d gs incr; do
	expect 0 V "$T/$f.pdf"
	expect_out "$f.pdf: VALID"
	expect_out "李瑞瑞"
done
expect 0 V --json "$T/qpdf.pdf"
expect_out '"verdict":"valid"'

# dropped attachments: nothing to check, which is not the same as a forgery
expect 1 V "$T/cairo.pdf"
expect_out "cairo.pdf: CANNOT CHECK: no attachment found in the PDF"
expect_err "cannot check"
expect 1 V --json "$T/cairo.pdf"
expect_out '"verdict":"cannot_check"'
# a certificate printed to PDF (the e-Cert's pages, no attachment)
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfimage24 -r72 -sOutputFile="$T/printed.pdf" "$T/orig.pdf" 2>/dev/null ||
    pdftocairo -pdf "$T/orig.pdf" "$T/printed.pdf"
expect 1 V "$T/printed.pdf"
expect_out "CANNOT CHECK"
# a genuine certificate tampered with after re-saving is still NOT VALID, not CANNOT CHECK: the
# attachment decompressed by mutool, one byte of the holder name in the DER flipped
python3 - "$T/mutool-d.pdf" "$T/forged.pdf" <<'EOF' || fail "no holder name to tamper with in the decompressed PDF"
import sys
pdf = bytearray(open(sys.argv[1], "rb").read())
name = "李瑞瑞".encode()
i = pdf.find(b"\x0c" + bytes([len(name)]) + name)   # the UTF8String inside the e-Cert
if i < 0:
    sys.exit(1)
pdf[i + 3] ^= 1
open(sys.argv[2], "wb").write(pdf)
EOF
expect 1 V "$T/forged.pdf"
expect_out "NOT VALID"
grep -q "CANNOT CHECK" "$T/out" && fail "a tampered e-Cert is reported as unreadable, not as not valid"
# not a PDF at all, and an empty input
printf 'hello' >"$T/hello.txt"
expect 1 V "$T/hello.txt"
expect_out "CANNOT CHECK"
: >"$T/empty"
expect 1 V "$T/empty"
expect_out "CANNOT CHECK"

# a 16 MB trailer of small integers: refused by its size at once, not re-read again and again
python3 - "$T/orig.pdf" "$T/big.pdf" <<'EOF'
import sys
pdf = open(sys.argv[1], "rb").read()
i = pdf.rindex(b"trailer"); j = pdf.index(b">>", i)
xref = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
n = (16 << 20) // 2 - 16384
open(sys.argv[2], "wb").write(pdf[:j] + b" /Junk [" + b"1 " * n + b"]>>\nstartxref\n%d\n%%%%EOF\n" % xref)
EOF
start=$(date +%s%N)
expect 1 V "$T/big.pdf"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
note "16 MB trailer: $ms ms"
expect_out "CANNOT CHECK"
[ "$ms" -lt 1000 ] || fail "a 16 MB trailer took $ms ms"
echo "verify_resaved: ok"
