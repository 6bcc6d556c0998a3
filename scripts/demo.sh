#!/bin/sh
# The main job end to end in a throwaway directory: create a CA and show what it publishes.
# Grows with the product: issuance, PDFs, the verifier and offline verification join it as they land.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bin
demo=${ECERT_DEMO_DIR:-$top/build/demo}

rm -rf "$demo"
mkdir -p "$demo"
# Demo-only passphrases: real deployments use --pass-file or a TTY prompt.
ECERT_PASS=demo-issuing-passphrase
ECERT_ROOT_PASS=demo-root-passphrase
export ECERT_PASS ECERT_ROOT_PASS
ECERT_HOME=$demo/state
export ECERT_HOME

echo "== creating a CA in $ECERT_HOME"
"$bin/ecert-ca" init --org "Example Certification Body" --public-url http://localhost:8080
"$bin/ecert-ca" list
echo
echo "== the trust bundle verifiers need ($ECERT_HOME/trust.pem)"
"$bin/ecert-ca" trust
