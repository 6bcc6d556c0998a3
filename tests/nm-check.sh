#!/bin/sh
# The public verifiers and the candidates' portal must not contain signing or key-loading code
# (docs/architecture.md).
set -u
cd "$(dirname "$0")/.." || exit 2
bad='X509_sign|X509_CRL_sign|EVP_DigestSign|EVP_PKEY_sign|EVP_PKEY_keygen|PEM_read_bio_PrivateKey|PKCS8_decrypt'
rc=0 checked=0
for b in build/bin/ecert-verifyd build/bin/ecert-verify build/bin/ecert-portald; do
	[ -x "$b" ] || continue
	checked=$((checked + 1))
	hits=$(nm "$b" 2>/dev/null | grep -E "[[:space:]]($bad)[A-Za-z0-9_]*(@.*)?$" || true)
	if [ -n "$hits" ]; then
		echo "nm-check: '$b' links signing code:"; echo "$hits"; rc=1
	fi
done
if [ "$checked" -eq 0 ]; then echo "no verifier binaries built yet"; exit 77; fi
echo "nm-check: $checked binaries (verifiers, portal) hold no signing code"
exit $rc
