#!/bin/sh
# ecert-portald in a real browser: Debian's Chromium driven by npm puppeteer-core (installed here into
# build/npm, no browser downloaded) signs in with the link from a real SMTP server's mailbox, reads My
# Certificates, downloads the PDF (then checked by ecert-verify), associates and disassociates a second
# address by its mailed links, associates a record by its score report (the page's script solving the
# challenge), applies for a paper certificate (the review shows the name drawn by the certificate's
# fonts) and for an electronic one, sees them approved after the office's issuance run (the new PDF
# downloaded and checked by ecert-verify) and the paper one shipped, asks for a name correction,
# renews the electronic one and finds its successor, and signs out; no Content-Security-Policy violation is allowed. Every page is
# photographed at phone and desktop widths (those reached by a link in English and Chinese) under
# build/test-artifacts/.
. tests/e2e/lib.sh
for b in ecert-ca ecert-issue ecert-portald ecert-verify; do [ -x "$BIN/$b" ] || skip "$b not built"; done
CHROMIUM=$(command -v chromium || command -v chromium-browser) || skip "chromium is not installed"
command -v node >/dev/null && command -v npm >/dev/null || skip "node and npm are not installed"
npm_module puppeteer-core 22 || skip "npm could not install puppeteer-core"
. tests/e2e/lib_portal.sh
ART=$TOP/build/test-artifacts
mkdir -p "$ART"

CHROMIUM=$CHROMIUM ECERT_ISSUE="$BIN/ecert-issue" ECERT_DIR="$D" NODE_PATH="$NPM/node_modules" node "$DATA/portal_browser.js" "$U" "$T/mail" "$ART" \
	wang.wei@example.cn wei.work@example.com "$NP" "$NW" "$T/p1.pdf" >"$T/node.log" 2>&1 ||
	{ cat "$T/node.log" >&2; grep -v "\"line\":\"GET" "$T/pd.log" >&2; fail "the browser journey failed"; }
KID=$(cat "$D/certs/current")
expect 0 ecert-verify --trust "$D/trust.pem" --crl "$D/crl/root.crl" --crl "$D/crl/$KID.crl" "$T/p1.pdf"
# the certificate applied for and issued during the journey, downloaded there
expect 0 ecert-verify --trust "$D/trust.pem" --crl "$D/crl/root.crl" --crl "$D/crl/$KID.crl" "$T/p1-new.pdf"
expect_out "HCIA-Security"
n=$(ls "$ART"/portal-*.png | wc -l)
[ "$n" -ge 34 ] || fail "expected 34 screenshots (7 pages by link at 2 sizes in 2 languages, 3 after a form), found $n"
note "a candidate's journey in Chromium; $n screenshots in build/test-artifacts/"
exit 0
