#!/bin/sh
# ecert-issue render with holder names in many scripts, in both designs, judged by real peers: pdftotext
# gives each name back in logical order, zbarimg decodes exactly the signed QR URL, poppler says nothing on
# stderr, MuPDF draws every glyph, pdf.js (in Chromium) warns about nothing and reads QR and name too,
# ecert-verify accepts the PDF, a second rendering is byte for byte the same, and the PDF stays small
# (20 KiB with a CJK or Hangul name, 24 KiB otherwise).
# ECERT_TEST_KEEP=DIR keeps a 150 dpi PNG of the name, per script and design, for a human to look at.
. tests/e2e/lib.sh

for b in ecert-ca ecert-issue ecert-verify; do [ -x "$BIN/$b" ] || skip "$b not built"; done
for t in pdftotext pdffonts pdftoppm zbarimg mutool python3; do
	command -v $t >/dev/null || fail "$t is missing (scripts/deps.sh check installs it)"
done
KEEP=${ECERT_TEST_KEEP:-}
if [ -n "$KEEP" ]; then mkdir -p "$KEEP" || fail "cannot create $KEEP"; fi

D=$T/state
export ECERT_HOME="$D" ECERT_NOW=2026-11-20 ECERT_TEMPLATES="$TOP/templates"
expect 0 ecert-ca init --org "Render Scripts Body"

# Each name is issued twice: HCIA-AI prints with the associate design, HCIP-AI with the professional.
expect_designs

# TAG|KIND|LAST|FIRST|NAME as printed. KIND: cjk (a CJK or Hangul name: the 20 KiB limit), mixed (right-to-left
# and left-to-right scripts in one name), plain (anything else). All names are already NFC.
cat >"$T/names" <<'EOF'
latin|plain|O'Brien|Zoë|Zoë O'Brien
greek|plain|Παπαδόπουλος|Γιώργος|Γιώργος Παπαδόπουλος
cyrillic|plain|Иванова|Анна|Анна Иванова
chinese|cjk|李|瑞瑞|李瑞瑞
japanese|cjk|山田|はなこ|山田はなこ
korean|cjk|김|민준|김민준
arabic|plain|علي|محمد|محمد علي
arabic-latin|mixed|Al-Sayed|محمد|محمد Al-Sayed
hebrew|plain|כהן|דוד|דוד כהן
hebrew-latin|mixed|Cohen|דוד|דוד Cohen
devanagari-latin|plain|Kumar|राहुल|राहुल Kumar
bengali|plain|গাঙ্গুলী|সৌরভ|সৌরভ গাঙ্গুলী
tamil|plain|குமார்|முத்து|முத்து குமார்
thai|plain|ชัย|สมชาย|สมชาย ชัย
khmer|plain|ចាន់|សុខ|សុខ ចាន់
georgian|plain|ბერიძე|ნინო|ნინო ბერიძე
armenian|plain|Խաչատրյան|Արամ|Արամ Խաչատրյան
ethiopic|plain|ቢቂላ|አበበ|አበበ ቢቂላ
EOF
[ "$(cut -d'|' -f1 "$T/names" | sort -u | wc -l)" -ge 12 ] || fail "fewer than 12 scripts in the table"

# One exam result and one application per name and design, all electronic (same columns as scripts/demo-data).
{
	echo "registration_no,last_name,first_name,email,tel,certification,exam_date,result,score,centre"
	i=0
	while IFS='|' read -r tag kind last first name; do
		i=$((i + 1))
		printf 'RS-%02dA,%s,%s,rs%02da@example.org,,HCIA-AI,2026-11-02,pass,900,Test Centre\n' $i "$last" "$first" $i
		printf 'RS-%02dP,%s,%s,rs%02dp@example.org,,HCIP-AI,2026-11-03,pass,880,Test Centre\n' $i "$last" "$first" $i
	done <"$T/names"
} >"$T/results.csv"
{
	echo "registration_no,format,name,email,tel,address,consent"
	i=0
	while IFS='|' read -r tag kind last first name; do
		i=$((i + 1))
		printf 'RS-%02dA,electronic,%s,,,,yes\nRS-%02dP,electronic,%s,,,,yes\n' $i "$name" $i "$name"
	done <"$T/names"
} >"$T/applications.csv"
count=$(($(wc -l <"$T/names") * 2))
expect 0 ecert-issue import "$T/results.csv"
expect_out "$count new"
expect 0 ecert-issue apply --csv "$T/applications.csv"
expect_out "$count applications stored"
expect 0 ecert-issue issue --all
cp "$T/out" "$T/issued"
[ "$(wc -l <"$T/issued")" -eq "$count" ] || { cat "$T/issued" >&2; fail "expected $count certificates issued"; }

# has_name TEXT NAME KIND: pdftotext's TEXT contains NAME in logical order. poppler wraps right-to-left runs
# in U+202B..U+202C (embeddings and overrides U+202A..U+202E are deleted first) and, where a name mixes
# right-to-left and left-to-right scripts, may move the space between the runs to the other side of the RTL
# word: for those names only (KIND mixed) all whitespace is removed before comparing.
cat >"$T/has_name.py" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
name, kind = sys.argv[2], sys.argv[3]
text = re.sub("[\u202a-\u202e]", "", text)
if kind == "mixed":
    text, name = re.sub(r"\s", "", text), re.sub(r"\s", "", name)
sys.exit(name not in text)
EOF

# check DESIGN REG: every check on one certificate. A check that fails says so and the others still run (so
# one run reports everything wrong with a name); the function then returns 1. Runs in a subshell.
check() {
	design=$1 reg=$2 bad=0
	case $design in
	associate)    phrase="This is to certify that"
	              crop="-x 118 -y 472 -W 1518 -H 165" ;;   # the name's box: 20..277 mm across, 80..108 mm down
	professional) phrase="This certifies that"
	              crop="-x 413 -y 461 -W 1252 -H 165" ;;   # 70..282 mm across, 78..106 mm down
	esac
	n=$(awk -v r="$reg" '$1 == r { print $2 }' "$T/issued")
	[ ${#n} -eq 22 ] || fail "$reg ($tag) was not issued"
	what="$tag/$design ($n, '$name')"
	flunk() { echo "FAIL: $what: $*" >&2; bad=1; }

	expect 0 ecert-issue show "$n" --json
	got=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["holder"]["name"])' <"$T/out")
	url=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["qr_url"])' <"$T/out")
	[ "$got" = "$name" ] || flunk "show --json holds the name '$got'"
	pdf=$T/$tag-$design.pdf
	expect 0 ecert-issue render "$n" -o "$pdf"
	echo "$url" >"$T/$tag-$design.url"
	size=$(wc -c <"$pdf")
	# What the design gives today (docs/performance.md: the 16 KB asked of a CJK e-Cert is not met yet);
	# a regression past these fails.
	case $kind in cjk) max=20480 ;; *) max=24576 ;; esac
	note "$tag/$design: $size bytes (limit $max)"
	if [ -n "$KEEP" ]; then
		# shellcheck disable=SC2086 # $crop is four options
		pdftoppm -r 150 -png -singlefile $crop "$pdf" "$KEEP/$tag-$design" 2>/dev/null ||
		    flunk "pdftoppm could not keep a picture of the name"
	fi

	# the name comes back in logical order; the design is the one the catalogue chose; poppler is silent
	if pdftotext -enc UTF-8 "$pdf" "$T/text" 2>"$T/poppler"; then
		[ -s "$T/poppler" ] && { cat "$T/poppler" >&2; flunk "pdftotext warns (above)"; }
		python3 "$T/has_name.py" "$T/text" "$name" "$kind" || {
			flunk "pdftotext -enc UTF-8 does not give the name back; the text line(s) after the lead-in:"
			grep -A2 -F -- "$phrase" "$T/text" | sed 's/^/    /' >&2
		}
		grep -qF -- "$phrase" "$T/text" || flunk "not in the $design design (no '$phrase')"
	else
		flunk "pdftotext failed"
	fi

	# every font is an embedded subset
	if pdffonts "$pdf" >"$T/fonts" 2>"$T/poppler"; then
		[ -s "$T/poppler" ] && { cat "$T/poppler" >&2; flunk "pdffonts warns (above)"; }
		tail -n +3 "$T/fonts" | awk '{ if ($(NF-4) != "yes" || $(NF-3) != "yes") bad = 1
		    if ($1 !~ /^[A-Z][A-Z][A-Z][A-Z][A-Z][A-Z]\+/) bad = 1 } END { exit bad }' ||
		    { cat "$T/fonts" >&2; flunk "a font is not an embedded subset"; }
	else
		flunk "pdffonts failed"
	fi

	# the QR decodes to exactly the URL issuance signed. zbarimg looks for QR codes only: with every
	# symbology on, its interleaved 2 of 5 decoder now and then reads a few digits out of the random-looking
	# modules of a genuine QR (an extra line such as "554896"), which says nothing about the QR code.
	if pdftoppm -r 150 -png -singlefile "$pdf" "$T/page" 2>"$T/poppler"; then
		[ -s "$T/poppler" ] && { cat "$T/poppler" >&2; flunk "pdftoppm warns (above)"; }
		if qr=$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$T/page.png" 2>/dev/null); then
			[ "$qr" = "$url" ] || flunk "the QR decodes to '$qr', expected '$url'"
		else
			flunk "zbarimg found no QR code"
		fi
	else
		flunk "pdftoppm failed"
	fi

	# MuPDF draws the page without a complaint: poppler silently leaves out a glyph whose CID the font's
	# CIDToGIDMap or subset does not cover (pdftotext still reads it from ToUnicode), MuPDF says so.
	# Debian's build says "ICC support is not available" on every file, which is about mutool only.
	if mutool draw -q -r 150 -o "$T/mupdf.png" "$pdf" 2>"$T/err"; then
		grep -v 'ICC support is not available' "$T/err" | grep -qi 'error\|warning' &&
		    { sort "$T/err" | uniq -c >&2; flunk "mutool draw complains (above)"; }
	else
		cat "$T/err" >&2; flunk "mutool draw failed"
	fi

	# ecert-verify accepts the PDF and names the holder
	ecert-verify --trust "$D/trust.pem" "$pdf" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		cat "$T/out" "$T/err" >&2; flunk "ecert-verify exited $rc"
	elif ! grep -qF -- "$pdf: VALID" "$T/out" || ! grep -qF -- "$name" "$T/out"; then
		cat "$T/out" >&2; flunk "ecert-verify does not say VALID with the name"
	fi

	# deterministic: a second rendering is byte for byte the same
	expect 0 ecert-issue render "$n" -o "$T/again.pdf"
	cmp -s "$pdf" "$T/again.pdf" || flunk "rendering twice gave different bytes"

	# small
	[ "$size" -le "$max" ] || flunk "the PDF is $size bytes, over $max"
	return $bad
}

i=0 passed="" failed=""
# the table comes in on fd 3, so no tool below can eat it from stdin
while IFS='|' read -r tag kind last first name <&3; do
	i=$((i + 1))
	ok=1
	( check associate "$(printf 'RS-%02dA' $i)" ) || { ok=0; failed="$failed $tag/associate"; }
	( check professional "$(printf 'RS-%02dP' $i)" ) || { ok=0; failed="$failed $tag/professional"; }
	[ $ok = 1 ] && passed="$passed $tag ($name);"
done 3<"$T/names"
# pdf.js, a fourth renderer (Firefox's, and many web viewers'), in one browser for every PDF above: none
# warns, each QR decodes to its URL at 150 dpi, and every word of the name is in the text (pdf.js gives the
# items of a right-to-left run in display order, so words are compared, not the whole name).
# Without Chromium, node or the npm registry the run says pdf.js was left out.
pdfs=$(ls "$T"/*-associate.pdf "$T"/*-professional.pdf)
# shellcheck disable=SC2086 # one argument per PDF; the paths have no spaces
pdfjs 150 "$T/pdfjs" $pdfs >"$T/out" 2>"$T/err"
case $? in
0) pjnames=$T/names ;;
77) note "SKIPPED pdf.js: Chromium, node or the npm packages puppeteer-core and pdfjs-dist are not to be had"
    pjnames=/dev/null ;;
*) cat "$T/out" "$T/err" >&2; fail "pdf.js failed or warned (above)" ;;
esac
cat >"$T/has_words.py" <<'EOF'
import re, sys
text = re.sub("[\u202a-\u202e]", "", open(sys.argv[1], encoding="utf-8").read())
sys.exit(not all(w in text for w in sys.argv[2].split()))
EOF
pjfailed=""
while IFS='|' read -r tag kind last first name <&3; do
	for design in associate professional; do
		stem=$tag-$design
		qr=$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$T/pdfjs/$stem.png" 2>/dev/null)
		[ "$qr" = "$(cat "$T/$stem.url")" ] || { echo "FAIL: pdf.js $stem: the QR decodes to '$qr'" >&2; pjfailed="$pjfailed $stem"; }
		python3 "$T/has_words.py" "$T/pdfjs/$stem.txt" "$name" ||
		    { echo "FAIL: pdf.js $stem: the text lacks a word of '$name'" >&2; pjfailed="$pjfailed $stem"; }
	done
done 3<"$pjnames"
[ -z "$pjfailed" ] && [ "$pjnames" != /dev/null ] && note "pdf.js: every QR decoded and every name read"
failed="$failed$pjfailed"
note "passed in both designs:$passed"
[ -n "$KEEP" ] && note "PNGs of the names in $KEEP"
[ -z "$failed" ] || fail "failed:$failed"
exit 0
