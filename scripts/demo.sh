#!/bin/sh
# The main job end to end in a throwaway directory (build/demo): create a CA, import exam results,
# take applications, issue and render the e-Certs, revoke and renew one, verify a PDF offline, then
# serve the public verification endpoint on localhost until Ctrl-C.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin
demo=${ECERT_DEMO_DIR:-$top/build/demo}
port=${ECERT_DEMO_PORT:-8080}

rm -rf "$demo"
mkdir -p "$demo/pdfs"
# Demo-only passphrases: real deployments use --pass-file or a TTY prompt.
ECERT_PASS=demo-issuing-passphrase
ECERT_ROOT_PASS=demo-root-passphrase
ECERT_HOME=$demo/state
ECERT_TEMPLATES=$top/templates
export ECERT_PASS ECERT_ROOT_PASS ECERT_HOME ECERT_TEMPLATES

step() { printf '\n== %s\n' "$*"; }

step "create the root and issuing CAs in $ECERT_HOME"
"$bin/ecert-ca" init --org "Example Certification Body" --public-url "http://localhost:$port"
"$bin/ecert-ca" list

step "the certifications this body issues"
"$bin/ecert-issue" catalog

step "import exam results (names in several scripts)"
"$bin/ecert-issue" import "$top/scripts/demo-data/results.csv"

step "take the candidates' applications"
"$bin/ecert-issue" apply --csv "$top/scripts/demo-data/applications.csv"

step "issue every requested certificate"
"$bin/ecert-issue" issue --all >/dev/null
"$bin/ecert-issue" list

numbers=$("$bin/ecert-issue" list --status valid --json | grep -o '"number":"[0-9]*"' | cut -d'"' -f4)
first=$(echo "$numbers" | head -n 1)
second=$(echo "$numbers" | sed -n 2p)

step "render the PDF e-Certs"
# shellcheck disable=SC2086
"$bin/ecert-issue" render $numbers -o "$demo/pdfs"
ls "$demo/pdfs"

step "revoke one, renew another"
"$bin/ecert-issue" revoke "$second" --reason affiliationChanged
"$bin/ecert-issue" renew "$first"
openssl crl -inform DER -in "$ECERT_HOME"/crl/*.crl -noout -text | sed -n '/Revoked Certificates/,$p' | head -n 8

step "verify a PDF offline, as an employer would, with the trust bundle and the CRL"
"$bin/ecert-verify" --trust "$ECERT_HOME/trust.pem" --crl "$ECERT_HOME"/crl/*.crl "$demo/pdfs/$first.pdf" || true

step "audit the register"
"$bin/ecert-issue" audit verify

echo
echo "PDFs: $demo/pdfs"
echo "trust bundle: $ECERT_HOME/trust.pem"
