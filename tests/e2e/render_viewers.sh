#!/bin/sh
# One e-Cert per design (associate, professional), opened by four independent PDF renderers: poppler
# (pdftoppm), MuPDF (mutool draw), Ghostscript (gs) and pdf.js (npm pdfjs-dist in Chromium). From each one's
# 150 dpi PNG zbarimg decodes exactly the signed QR URL; the text of MuPDF, Ghostscript and pdf.js holds the
# holder's name; none of them reports a damaged file or warns; pdfdetach gives NUMBER.der, identical to
# `ecert-issue export NUMBER --der`.
. tests/e2e/lib.sh

for b in ecert-ca ecert-issue; do [ -x "$BIN/$b" ] || skip "$b not built"; done
for t in pdftoppm pdfdetach zbarimg mutool gs python3; do
	command -v $t >/dev/null || fail "$t is missing (scripts/deps.sh check installs it: poppler-utils, zbar-tools, mupdf-tools, ghostscript)"
done

D=$T/state
export ECERT_HOME="$D" ECERT_NOW=2026-11-20 ECERT_TEMPLATES="$TOP/templates"
expect 0 ecert-ca init --org "Viewer Test Body"

# One certificate per design: HCIA-AI prints as associate, HCIP-AI as professional.
expect_designs
cat >"$T/results.csv" <<'EOF'
registration_no,last_name,first_name,email,tel,certification,exam_date,result,score,centre
RV-0001,O'Brien,Zoë,zoe.obrien@example.ie,,HCIA-AI,2026-11-02,pass,912,Dublin
RV-0002,Müller-Lüdenscheidt,François,francois.mueller@example.de,,HCIP-AI,2026-11-03,pass,788,"Köln, DE"
EOF
cat >"$T/applications.csv" <<'EOF'
registration_no,format,name,email,tel,address,consent
RV-0001,electronic,Zoë O'Brien,,,,yes
RV-0002,electronic,François Müller-Lüdenscheidt,,,,yes
EOF
expect 0 ecert-issue import "$T/results.csv"
expect 0 ecert-issue apply --csv "$T/applications.csv"
expect 0 ecert-issue issue --all
cp "$T/out" "$T/issued"

# pdf.js needs Chromium, node and npm (scripts/deps.sh check installs them) and the npm registry; without
# them the three other renderers still judge, and the run says pdf.js was left out.
PDFJS=pdfjs

# view DESIGN REG-NO NAME PHRASE: render the e-Cert and put it before the three renderers
view() {
	design=$1 reg=$2 name=$3 phrase=$4
	n=$(awk -v r="$reg" '$1 == r { print $2 }' "$T/issued")
	[ ${#n} -eq 22 ] || fail "$reg was not issued"
	what="$design ($n, '$name')"
	expect 0 ecert-issue show "$n" --json
	url=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["qr_url"])' <"$T/out")
	got=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["holder"]["name"])' <"$T/out")
	[ "$got" = "$name" ] || fail "$what: show --json holds the name '$got'"
	pdf=$T/$design.pdf
	expect 0 ecert-issue render "$n" -o "$pdf"
	note "$what: $(wc -c <"$pdf") bytes"

	# poppler
	pdftoppm -r 150 -png -singlefile "$pdf" "$T/poppler" 2>"$T/err" || { cat "$T/err" >&2; fail "pdftoppm failed on $what"; }
	[ -s "$T/err" ] && { cat "$T/err" >&2; fail "pdftoppm warns about $what"; }
	# MuPDF; Debian's build says "ICC support is not available" on every file, which is about mutool only
	mutool draw -q -r 150 -o "$T/mupdf.png" "$pdf" 2>"$T/err" || { cat "$T/err" >&2; fail "mutool draw failed on $what"; }
	grep -v 'ICC support is not available' "$T/err" | grep -qi 'error\|warning' && { cat "$T/err" >&2; fail "mutool draw complains about $what"; }
	mutool draw -q -F txt -o "$T/mupdf.txt" "$pdf" 2>"$T/err" || { cat "$T/err" >&2; fail "mutool draw -F txt failed on $what"; }
	grep -v 'ICC support is not available' "$T/err" | grep -qi 'error\|warning' && { cat "$T/err" >&2; fail "mutool draw -F txt complains about $what"; }
	# Ghostscript; it reports a file it had to repair with "****" lines
	gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=png16m -r150 -sOutputFile="$T/gs.png" "$pdf" >"$T/out" 2>"$T/err" ||
	    { cat "$T/out" "$T/err" >&2; fail "gs (png16m) failed on $what"; }
	grep -q '\*\*\*\*' "$T/out" "$T/err" && { cat "$T/out" "$T/err" >&2; fail "gs (png16m) reports a damaged file: $what"; }
	gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=txtwrite -sOutputFile="$T/gs.txt" "$pdf" >"$T/out" 2>"$T/err" ||
	    { cat "$T/out" "$T/err" >&2; fail "gs (txtwrite) failed on $what"; }
	grep -q '\*\*\*\*' "$T/out" "$T/err" && { cat "$T/out" "$T/err" >&2; fail "gs (txtwrite) reports a damaged file: $what"; }

	# pdf.js in Chromium
	pdfjs 150 "$T/pdfjs" "$pdf" >"$T/out" 2>"$T/err"
	case $? in
	0) mv "$T/pdfjs/$design.png" "$T/pdfjs.png"; mv "$T/pdfjs/$design.txt" "$T/pdfjs.txt" ;;
	77) PDFJS="" ;;
	*) cat "$T/out" "$T/err" >&2; fail "pdf.js failed on $what or warned about it" ;;
	esac

	# every renderer's picture carries exactly the signed URL (zbarimg looks for QR codes only: with every
	# symbology on, its interleaved 2 of 5 decoder now and then reads a few digits out of a genuine QR)
	for r in poppler mupdf gs $PDFJS; do
		[ -s "$T/$r.png" ] || fail "$r wrote no PNG for $what"
		qr=$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$T/$r.png" 2>/dev/null) || fail "zbarimg finds no QR code in $r's rendering of $what"
		[ "$qr" = "$url" ] || fail "QR in $r's rendering of $what decodes to '$qr', expected '$url'"
		rm -f "$T/$r.png"
	done
	# MuPDF, Ghostscript and pdf.js read the name (and the design's lead-in) as text
	for r in mupdf gs $PDFJS; do
		grep -qF -- "$name" "$T/$r.txt" || { cat "$T/$r.txt" >&2; fail "$r's text of $what lacks '$name'"; }
		grep -qF -- "$phrase" "$T/$r.txt" || { cat "$T/$r.txt" >&2; fail "$r's text of $what lacks '$phrase' (not the $design design?)"; }
	done

	# the attachment is the stored e-Cert
	rm -rf "$T/detach" && mkdir "$T/detach"
	pdfdetach -saveall -o "$T/detach" "$pdf" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; fail "pdfdetach failed on $what"; }
	[ -s "$T/detach/$n.der" ] || { ls -l "$T/detach" >&2; fail "pdfdetach gives no $n.der from $what"; }
	expect 0 ecert-issue export "$n" --der -o "$T/exported.der"
	cmp -s "$T/exported.der" "$T/detach/$n.der" || fail "the attachment of $what differs from ecert-issue export --der"
}

view associate RV-0001 "Zoë O'Brien" "This is to certify that"
view professional RV-0002 "François Müller-Lüdenscheidt" "This certifies that"
[ -n "$PDFJS" ] || note "SKIPPED pdf.js: Chromium, node or the npm packages puppeteer-core and pdfjs-dist are not to be had"
note "both designs: QR decoded from poppler, MuPDF, Ghostscript${PDFJS:+ and pdf.js}; name in the text of the others; attachment = export --der"
exit 0
