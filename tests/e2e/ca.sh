#!/bin/sh
# ecert-ca end to end, judged by the openssl command line: init, e-Certs that `openssl verify -x509_strict`
# accepts and rejects when tampered, rotation with both issuing CAs in the bundle, refusals that change nothing.
. tests/e2e/lib.sh

command -v openssl >/dev/null 2>&1 || skip "openssl not installed"
[ -x "$BIN/ecert-ca" ] || skip "build/bin/ecert-ca not built"
X509T=$TOP/build/test/pki/test_x509
[ -x "$X509T" ] || skip "build/test/pki/test_x509 not built (it writes the e-Certs: ecert-issue is not used here)"

D=$T/ca
state() { # a checksum of every name, mode and content under $1
	(cd "$1" && find . -printf '%p %m %s\n' | LC_ALL=C sort && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum
}
flip() { # flip FILE OFFSET OUT: copy FILE to OUT with the low bit of one byte flipped
	cp "$1" "$3"
	b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %o $((b ^ 1)))" | dd of="$3" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
export_ecerts() { # sign e-Certs with the current issuing CA of $D into $T/ecerts
	mkdir -p "$T/ecerts"
	EC_TEST_OUT=$T/ecerts ECERT_HOME=$D "$X509T" >"$T/x509.log" 2>&1 || { cat "$T/x509.log" >&2; fail "test_x509 could not export e-Certs"; }
	for f in "$T"/ecerts/*.der; do openssl x509 -inform DER -in "$f" -out "${f%.der}.pem" || fail "openssl cannot read $f"; done
}

# --- usage
expect 0 ecert-ca --version
expect_out "ecert-ca "
expect 0 ecert-ca -h
expect_out "ecert-ca init --org NAME"
expect 2 ecert-ca
expect 2 ecert-ca bogus -d "$D"
expect_err "unknown subcommand 'bogus'"
expect 2 ecert-ca list --org X -d "$D"
expect 2 ecert-ca init -d "$D"
expect_err "--org"
expect 2 ecert-ca init -d "$D" --org "Example" --public-url "ftp://x.org"
expect 2 ecert-ca init -d "$D" --org "Example" --public-url "https://x.org/a b"
expect 2 ecert-ca init -d "$D" --org "Example" --public-url 'https://x.org/"q"'
expect 2 ecert-ca init -d "$D" --org "Example" --public-url "https://x.org/#f"
expect 2 ecert-ca init -d "$D" --org "Example" --tz "Mars/Olympus"
expect_err "Mars/Olympus"
expect 2 ecert-ca init -d "$D" --org "$(printf 'Bad\tOrg')"
expect 2 ecert-ca init -d "$D" --org "Example" --alg rsa
[ -e "$D" ] && fail "a refused init created '$D'"

# --- init (options in any order after the subcommand); a trailing slash of the URL is dropped
expect 0 ecert-ca init --public-url https://verify.example.org/ -d "$D" --tz Asia/Shanghai --org "Example Cert Body"
KID1=$(cat "$D/certs/current")
expect_out "$KID1"
grep -qx 'public_url = https://verify.example.org' "$D/ecert.conf" || fail "ecert.conf lacks the public URL"
grep -qx 'tz = Asia/Shanghai' "$D/ecert.conf" || fail "ecert.conf lacks the time zone"
# the catalogue is copied in at init, found from the source tree even when run from elsewhere
cmp -s "$D/catalog.conf" "$TOP/templates/catalog.conf" || fail "init did not copy the catalogue into '$D'"
(cd / && ECERT_TEMPLATES= "$BIN/ecert-ca" init -d "$T/elsewhere" --org "Elsewhere" >/dev/null 2>&1) || fail "init from / failed"
[ -s "$T/elsewhere/catalog.conf" ] || fail "init run from / found no catalogue"
# the new issuing CA publishes an empty CRL at once, signed by it (openssl judges)
openssl crl -inform DER -in "$D/crl/$KID1.crl" -CAfile "$D/certs/issuing-$KID1.pem" -noout 2>"$T/crl.err" ||
    { cat "$T/crl.err" >&2; fail "no valid CRL for the new issuing CA"; }
grep -q 'verify OK' "$T/crl.err" || fail "openssl did not verify the initial CRL"
for k in "$D/keys/root.key" "$D/keys/issuing-$KID1.key"; do
	[ "$(stat -c %a "$k")" = 600 ] || fail "$k is not mode 0600"
	head -n 1 "$k" | grep -q 'BEGIN ENCRYPTED PRIVATE KEY' || fail "$k is not an encrypted PKCS#8 key"
done
[ "$(stat -c %a "$D/keys")" = 700 ] || fail "$D/keys is not mode 0700"
openssl pkcs8 -in "$D/keys/root.key" -passin env:ECERT_ROOT_PASS -out /dev/null || fail "openssl pkcs8 cannot read the root key"
openssl pkcs8 -in "$D/keys/issuing-$KID1.key" -passin env:ECERT_PASS -out /dev/null || fail "openssl pkcs8 cannot read the issuing key"
openssl pkcs8 -in "$D/keys/root.key" -passin pass:wrong -out /dev/null 2>/dev/null && fail "the root key opens with a wrong passphrase"
openssl asn1parse -in "$D/keys/root.key" | grep -q ':scrypt' || fail "the root key is not protected with scrypt"
openssl verify -x509_strict -CAfile "$D/certs/root.pem" "$D/certs/issuing-$KID1.pem" >/dev/null || fail "issuing CA does not verify"
openssl x509 -in "$D/certs/root.pem" -noout -subject -nameopt utf8 | grep -q 'Example Cert Body Root CA' || fail "root CN"
openssl x509 -in "$D/certs/issuing-$KID1.pem" -noout -subject -nameopt utf8 | grep -q "Issuing CA $KID1" || fail "issuing CN"

# --- init twice refuses and changes nothing
before=$(state "$D")
expect 1 ecert-ca init -d "$D" --org "Example Cert Body"
expect_err "already holds a CA"
[ "$(state "$D")" = "$before" ] || fail "a refused init changed '$D'"

# --- e-Certs from the first issuing CA: openssl accepts them and shows the names
export_ecerts
for f in "$T"/ecerts/ecert-"$KID1"-*.pem; do
	openssl verify -x509_strict -CAfile "$D/certs/root.pem" -untrusted "$D/certs/issuing-$KID1.pem" "$f" >/dev/null ||
		fail "openssl verify rejects $f"
done
openssl x509 -in "$T/ecerts/ecert-$KID1-3.pem" -noout -text -nameopt utf8 >"$T/text" || fail "openssl x509 -text"
grep -Eq 'CN ?= ?李瑞瑞' "$T/text" || { cat "$T/text" >&2; fail "the CJK holder name is not shown"; }
grep -Eq 'serialNumber ?= ?[0-9]{22}' "$T/text" || fail "the number is not in the subject"
grep -q "URI:https://verify.example.org/crl/$KID1.crl" "$T/text" || fail "the CRL distribution point is wrong"
grep -Eq 'title ?= ?HCIA-AI' "$T/text" && grep -Eq 'description ?= ?HCIA-AI' "$T/text" ||
    { cat "$T/text" >&2; fail "the certification is not shown in the subject"; }
grep -q '2\.25\.' "$T/text" && fail "profile v2 carries no private extension"
openssl x509 -in "$T/ecerts/ecert-$KID1-1.pem" -noout -subject -nameopt utf8 | grep -q 'Анна Каренина' || fail "the Cyrillic name is not shown"
openssl x509 -in "$T/ecerts/ecert-$KID1-2.pem" -noout -subject -nameopt utf8 | grep -q 'Γιώργος Παπαδόπουλος' || fail "the Greek name is not shown"

# --- one flipped byte (in the holder name, in the signature) makes openssl verify fail
der=$T/ecerts/ecert-$KID1-0.der
off=$(grep -obUa 'Zo' "$der" | head -n 1 | cut -d: -f1)
[ -n "$off" ] || fail "holder name not found in the DER"
flip "$der" "$off" "$T/name.der"
flip "$der" $(( $(stat -c %s "$der") - 8 )) "$T/sig.der"
for bad in "$T/name.der" "$T/sig.der"; do
	openssl x509 -inform DER -in "$bad" -out "$bad.pem" 2>/dev/null || continue
	openssl verify -x509_strict -CAfile "$D/certs/root.pem" -untrusted "$D/certs/issuing-$KID1.pem" "$bad.pem" >/dev/null 2>&1 &&
		fail "openssl verify accepts a tampered e-Cert ($bad)"
done

# --- wrong passphrases, a missing directory, a corrupt key: exit 2, the file named, nothing changed
before=$(state "$D")
ECERT_ROOT_PASS=wrong expect 2 ecert-ca rotate -d "$D"
expect_err "keys/root.key"
ECERT_PASS=wrong expect 2 ecert-ca rotate -d "$D"
expect_err "keys/issuing-$KID1.key"
echo wrong >"$T/wrong.pass"
expect 2 ecert-ca rotate -d "$D" --root-pass-file "$T/wrong.pass"
expect_err "wrong passphrase"
[ "$(state "$D")" = "$before" ] || fail "a refused rotate changed '$D'"
expect 2 ecert-ca rotate -d "$T/no-such-dir"
expect_err "$T/no-such-dir"
expect 2 ecert-ca list -d "$T/no-such-dir"
expect_err "$T/no-such-dir"
cp -a "$D" "$T/broken"
printf -- '-----BEGIN ENCRYPTED PRIVATE KEY-----\ngarbage\n-----END ENCRYPTED PRIVATE KEY-----\n' >"$T/broken/keys/root.key"
before=$(state "$T/broken")
expect 2 ecert-ca rotate -d "$T/broken"
expect_err "$T/broken/keys/root.key"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "the error is not one line"
[ "$(state "$T/broken")" = "$before" ] || fail "a failed rotate changed '$T/broken'"
if command -v setsid >/dev/null 2>&1; then
	(unset ECERT_PASS ECERT_ROOT_PASS; setsid "$BIN/ecert-ca" rotate -d "$D" </dev/null >"$T/out" 2>"$T/err"; echo $? >"$T/rc")
	[ "$(cat "$T/rc")" = 2 ] || fail "rotate without a passphrase source exited $(cat "$T/rc")"
	expect_err "ECERT_PASS"
fi

# --- rotate: both issuing CAs verify against the exported bundle
expect 0 ecert-ca rotate -d "$D"
KID2=$(cat "$D/certs/current")
[ "$KID1" != "$KID2" ] || fail "rotate kept the same KID"
export_ecerts
expect 0 ecert-ca trust -d "$D" -o "$T/trust.pem"
[ "$(grep -c 'BEGIN CERTIFICATE' "$T/trust.pem")" -eq 3 ] || fail "the bundle does not hold root + 2 issuing CAs"
cmp -s "$T/trust.pem" "$D/trust.pem" || fail "DIR/trust.pem differs from 'ecert-ca trust'"
ECERT_HOME=$D expect 0 ecert-ca trust
cmp -s "$T/out" "$T/trust.pem" || fail "'ecert-ca trust' to stdout differs from -o"
for kid in "$KID1" "$KID2"; do
	for f in "$T"/ecerts/ecert-"$kid"-*.pem; do
		openssl verify -x509_strict -CAfile "$D/certs/root.pem" -untrusted "$T/trust.pem" "$f" >/dev/null ||
			fail "openssl verify rejects $f with the bundle after rotation"
	done
done

# --- list
expect 0 ecert-ca list -d "$D"
expect_out "$KID1"
expect_out "$KID2"
grep -q "^$KID2 *current" "$T/out" || fail "list does not mark $KID2 current"
grep -q "^$KID1 *retired" "$T/out" || fail "list does not mark $KID1 retired"
expect 0 ecert-ca list --json -d "$D"
grep -q "^\[{\"kid\":null,\"role\":\"root\"" "$T/out" || fail "list --json"
expect_out "{\"kid\":\"$KID2\",\"role\":\"issuing\",\"current\":true"

# --- Ed25519 with passphrase files instead of the environment
printf 'issuing from a file\n' >"$T/i.pass"
printf 'root from a file\n' >"$T/r.pass"
E=$T/ed
(unset ECERT_PASS ECERT_ROOT_PASS; "$BIN/ecert-ca" init -d "$E" --org "Example Cert Body" --alg ed25519 \
	--pass-file "$T/i.pass" --root-pass-file "$T/r.pass" >"$T/out" 2>"$T/err") || { cat "$T/err" >&2; fail "ed25519 init"; }
openssl pkey -in "$E/keys/root.key" -passin "file:$T/r.pass" -noout -text 2>/dev/null | grep -qi 'ED25519' || fail "the Ed25519 root key"
(unset ECERT_PASS ECERT_ROOT_PASS; "$BIN/ecert-ca" rotate -d "$E" --pass-file "$T/i.pass" --root-pass-file "$T/r.pass" >"$T/out" 2>"$T/err") ||
	{ cat "$T/err" >&2; fail "ed25519 rotate"; }
rm -rf "$T/ecerts"
D=$E
ECERT_PASS='issuing from a file' export_ecerts
for f in "$T"/ecerts/*.pem; do
	openssl verify -x509_strict -CAfile "$E/certs/root.pem" -untrusted "$E/trust.pem" "$f" >/dev/null || fail "Ed25519 e-Cert $f"
done
echo "ok"
