# ecert-issue render judged by real peers: for names in many scripts, pdftotext gives the name back,
# pdffonts shows only embedded subsets, zbarimg decodes exactly the signed QR URL, pdfdetach yields the
# e-Cert that openssl verify accepts, and rendering twice gives the same bytes.
. tests/e2e/lib.sh

for t in pdftotext pdffonts pdftoppm pdfdetach zbarimg openssl; do
	command -v $t >/dev/null || fail "$t is missing (scripts/deps.sh check installs it)"
done
D=$T/state
export ECERT_HOME=$D ECERT_NOW=2026-11-20 ECERT_TEMPLATES=$TOP/templates
expect 0 ecert-ca init --org "Render Test Body"
expect 0 ecert-issue import "$TOP/scripts/demo-data/results.csv"
expect 0 ecert-issue apply --csv "$TOP/scripts/demo-data/applications.csv"
expect 0 ecert-issue issue --all
cut -f2 "$T/out" >"$T/numbers"
[ "$(wc -l <"$T/numbers")" -ge 8 ] || fail "expected the demo applications to be issued"
openssl x509 -in "$D/certs/root.pem" -out "$T/root.pem"
cat "$D"/certs/issuing-*.pem >"$T/issuing.pem"

scripts=""
while read -r n; do
	expect 0 ecert-issue show "$n" --json
	name=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["holder"]["name"])' <"$T/out")
	url=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["qr_url"])' <"$T/out")
	pdf=$T/$n.pdf
	expect 0 ecert-issue render "$n" -o "$pdf"

	# the name comes back exactly, with no poppler complaints
	pdftotext "$pdf" "$T/text" 2>"$T/poppler" || fail "pdftotext failed on $n"
	grep -qF -- "$name" "$T/text" || fail "pdftotext does not give '$name' back from $n"
	[ -s "$T/poppler" ] && { cat "$T/poppler" >&2; fail "poppler warns about $n"; }

	# every font is an embedded subset
	pdffonts "$pdf" >"$T/fonts" 2>&1 || fail "pdffonts failed on $n"
	tail -n +3 "$T/fonts" | awk '{ if ($(NF-4) != "yes" || $(NF-3) != "yes") bad = 1; if ($1 !~ /^[A-Z][A-Z][A-Z][A-Z][A-Z][A-Z]\+/) bad = 1 }
	    END { exit bad }' || { cat "$T/fonts" >&2; fail "$n has a font that is not an embedded subset"; }

	# the QR decodes to exactly the URL issuance signed
	pdftoppm -r 150 -png -singlefile "$pdf" "$T/page" || fail "pdftoppm failed on $n"
	got=$(zbarimg --raw -q "$T/page.png" 2>/dev/null) || fail "zbarimg found no QR code in $n"
	[ "$got" = "$url" ] || fail "QR of $n decodes to '$got', expected '$url'"

	# the attached e-Cert is the one openssl accepts
	rm -rf "$T/detach" && mkdir "$T/detach"
	pdfdetach -saveall -o "$T/detach" "$pdf" >/dev/null 2>&1 || fail "pdfdetach failed on $n"
	[ -s "$T/detach/$n.der" ] || fail "no attachment named $n.der in $n"
	openssl x509 -inform DER -in "$T/detach/$n.der" -out "$T/ecert.pem" || fail "attachment of $n is not a certificate"
	openssl verify -x509_strict -CAfile "$T/root.pem" -untrusted "$T/issuing.pem" "$T/ecert.pem" >/dev/null ||
	    fail "openssl verify refuses the e-Cert attached to $n"
	expect 0 ecert-issue export "$n" --der -o "$T/exported.der"
	cmp -s "$T/exported.der" "$T/detach/$n.der" || fail "the attachment of $n differs from the stored e-Cert"

	# deterministic: a second rendering is byte for byte the same
	expect 0 ecert-issue render "$n" -o "$T/again.pdf"
	cmp -s "$pdf" "$T/again.pdf" || fail "rendering $n twice gave different bytes"
	scripts="$scripts $name;"
done <"$T/numbers"
note "rendered and checked:$scripts"
exit 0
