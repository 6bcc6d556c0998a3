#!/bin/sh
# Profile v2 judged by four X.509 stacks nobody here wrote: OpenSSL (verify -x509_strict -crl_check_all),
# GnuTLS certtool, Go crypto/x509 and Python cryptography parse and verify every certificate and CRL of
# a P-256 CA (rotated once), an Ed25519 CA and the demo's CA: e-Certs in several scripts, a renewed
# and a revoked one, both CA certificates, the root CRL and every issuing CRL. Then BER re-encodings of a genuine e-Cert,
# which ecert-verify must refuse as not DER.
. tests/e2e/lib.sh

for c in openssl certtool go /usr/bin/python3; do command -v "$c" >/dev/null 2>&1 || skip "$c not installed"; done
/usr/bin/python3 -c 'import cryptography' 2>/dev/null || skip "python3-cryptography not installed"
PY=/usr/bin/python3   # Debian's interpreter and its python3-cryptography, not one from elsewhere on PATH
DATA=$TOP/scripts/demo-data
export ECERT_TEMPLATES=$TOP/templates GOCACHE=$T/gocache GO111MODULE=off GOFLAGS=-mod=mod
GOJUDGE=$T/x509judge
(cd "$TOP/tests/interop" && go build -o "$GOJUDGE" x509judge.go) || fail "cannot build the Go judge"

numbers() { ecert-issue list "$@" --json | grep -o '"number":"[0-9]*"' | cut -d'"' -f4; }

# make_ca DIR ALG: a CA with the demo's candidates issued, one renewed and one revoked; P-256 also rotates
# between two batches, so its bundle has a retired issuing CA that still signs its CRL.
make_ca() {
	export ECERT_HOME=$1
	expect 0 ecert-ca init --org "Interop Test Body" --public-url https://verify.example.org --alg "$2"
	expect 0 ecert-issue import "$DATA/results.csv"
	head -n 7 "$DATA/applications.csv" >"$T/apps1.csv"
	{ head -n 1 "$DATA/applications.csv"; tail -n +8 "$DATA/applications.csv"; } >"$T/apps2.csv"
	expect 0 ecert-issue apply --csv "$T/apps1.csv"
	expect 0 ecert-issue issue --all
	[ "$2" = p256 ] && { expect 0 ecert-ca rotate; }
	expect 0 ecert-issue apply --csv "$T/apps2.csv"
	expect 0 ecert-issue issue --all
	set -- $(numbers --status valid)
	expect 0 ecert-issue renew "$1"
	expect 0 ecert-issue revoke "$2" --reason keyCompromise
	expect 0 ecert-issue crl
}

# layout CA OUT: the judges' directory (root.pem, issuing-KID.pem, ecerts/*.pem, crl/*.crl, revoked.txt)
layout() {
	export ECERT_HOME=$1
	mkdir -p "$2/ecerts" "$2/crl"
	cp "$1/certs/root.pem" "$2/"
	for f in "$1"/certs/issuing-*.pem; do
		case $f in *.placeholder.pem) ;; *) cp "$f" "$2/" ;; esac
	done
	cp "$1"/crl/*.crl "$2/crl/"
	for n in $(numbers); do expect 0 ecert-issue export "$n" -o "$2/ecerts/$n.pem"; done
	numbers --status revoked | sed 's/$/.pem/' >"$2/revoked.txt"
	[ "$(wc -l <"$2/revoked.txt")" -eq 1 ] || fail "expected exactly one revoked e-Cert in $1"
	[ "$(ls "$2/ecerts" | wc -l)" -ge 12 ] || fail "too few e-Certs in $1"
}

# issuer_of PEM DIR: the issuing CA file whose key identifier the e-Cert's AKI names
issuer_of() {
	aki=$(openssl x509 -in "$1" -noout -ext authorityKeyIdentifier | tail -n 1 | tr -d ' :' | sed 's/^keyid//')
	for i in "$2"/issuing-*.pem; do
		ski=$(openssl x509 -in "$i" -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :')
		[ "$ski" = "$aki" ] && { echo "$i"; return; }
	done
	fail "no issuing CA for $1"
}

judge() { # judge DIR TRUST: every stack over every file; TRUST is the CA's bundle for ecert-verify
	J=$1
	for c in "$J"/crl/*.crl; do openssl crl -inform DER -in "$c" -out "${c%.crl}.crl.pem" || fail "openssl cannot read $c"; done
	# CA certificates: strict DER (BOOLEAN TRUE is FF), chained and not revoked by the root CRL
	for x in "$J"/root.pem "$J"/issuing-*.pem; do
		openssl asn1parse -in "$x" | grep -q 'BOOLEAN' || fail "no BOOLEAN in $x"
		openssl asn1parse -in "$x" | grep 'BOOLEAN' | grep -qv ':255' && fail "$x encodes a BOOLEAN other than FF"
		certtool --certificate-info --infile "$x" >"$T/ct" 2>&1 || { cat "$T/ct" >&2; fail "certtool cannot parse $x"; }
	done
	for i in "$J"/issuing-*.pem; do
		openssl verify -x509_strict -crl_check -CAfile "$J/root.pem" -CRLfile "$J/crl/root.crl.pem" "$i" >"$T/ov" 2>&1 ||
		    { cat "$T/ov" >&2; fail "openssl verify -crl_check refuses $i"; }
	done
	# every CRL: parsed and its signature verified by certtool (openssl and the judges below too)
	certtool --verify-crl --load-ca-certificate "$J/root.pem" --infile "$J/crl/root.crl.pem" >"$T/ct" 2>&1
	grep -q 'Verified' "$T/ct" || { cat "$T/ct" >&2; fail "certtool does not verify the root CRL"; }
	for i in "$J"/issuing-*.pem; do
		k=${i##*/issuing-}; k=${k%.pem}
		certtool --verify-crl --load-ca-certificate "$i" --infile "$J/crl/$k.crl.pem" >"$T/ct" 2>&1
		grep -q 'Verified' "$T/ct" || { cat "$T/ct" >&2; fail "certtool does not verify CRL $k"; }
		openssl crl -in "$J/crl/$k.crl.pem" -CAfile "$i" -noout 2>"$T/oc" && grep -q 'verify OK' "$T/oc" ||
		    { cat "$T/oc" >&2; fail "openssl does not verify CRL $k"; }
	done
	# every e-Cert: openssl strict with both CRLs, certtool chain with the issuing CRL
	for e in "$J"/ecerts/*.pem; do
		i=$(issuer_of "$e" "$J")
		k=${i##*/issuing-}; k=${k%.pem}
		certtool --certificate-info --infile "$e" >"$T/ct" 2>&1 || { cat "$T/ct" >&2; fail "certtool cannot parse $e"; }
		grep -q 'title=' "$T/ct" && grep -q 'description=' "$T/ct" || fail "certtool does not show the certification of $e"
		openssl verify -x509_strict -crl_check_all -CAfile "$J/root.pem" -untrusted "$i" \
		    -CRLfile "$J/crl/root.crl.pem" -CRLfile "$J/crl/$k.crl.pem" "$e" >"$T/ov" 2>&1
		rc=$?
		cat "$e" "$i" >"$T/chain.pem"
		certtool --verify --load-ca-certificate "$J/root.pem" --load-crl "$J/crl/$k.crl.pem" --infile "$T/chain.pem" >"$T/ct" 2>&1
		if grep -qx "${e##*/}" "$J/revoked.txt"; then
			[ $rc -ne 0 ] && grep -q 'certificate revoked' "$T/ov" || { cat "$T/ov" >&2; fail "openssl accepts revoked $e"; }
			grep -q 'revoked' "$T/ct" || { cat "$T/ct" >&2; fail "certtool accepts revoked $e"; }
		else
			[ $rc -eq 0 ] || { cat "$T/ov" >&2; fail "openssl verify -x509_strict -crl_check_all refuses $e"; }
			grep -q 'Chain verification output: Verified' "$T/ct" || { cat "$T/ct" >&2; fail "certtool refuses $e"; }
		fi
	done
	"$GOJUDGE" "$J" >"$T/go.out" 2>&1 || { cat "$T/go.out" >&2; fail "Go crypto/x509 refuses something in $J"; }
	"$PY" "$TOP/tests/interop/x509judge.py" "$J" >"$T/py.out" 2>&1 || { cat "$T/py.out" >&2; fail "Python cryptography refuses something in $J"; }
	note "go: $(tail -n 1 "$T/go.out"); python: $(tail -n 1 "$T/py.out")"
	# and ecert-verify itself, with the root CRL and every issuing CRL
	crls=""
	for c in "$J"/crl/*.crl; do crls="$crls --crl $c"; done
	for e in "$J"/ecerts/*.pem; do
		want=0
		grep -qx "${e##*/}" "$J/revoked.txt" && want=1
		# shellcheck disable=SC2086
		expect $want ecert-verify --trust "$2" $crls "$e"
		[ $want -eq 1 ] || expect_out "VALID"
	done
}

make_ca "$T/p256" p256
make_ca "$T/ed" ed25519
layout "$T/p256" "$T/j-p256"
layout "$T/ed" "$T/j-ed"
[ "$(ls "$T"/j-p256/issuing-*.pem | wc -l)" -eq 2 ] || fail "the rotated CA should have two issuing CAs"
judge "$T/j-p256" "$T/p256/trust.pem"
judge "$T/j-ed" "$T/ed/trust.pem"
# and literally what `make demo` produces (its endpoint's user must be able to reach the state directory)
chmod 711 "$T"
port=$((20000 + $$ % 20000))
ECERT_DEMO_DIR=$T/demo ECERT_DEMO_PORT=$port sh "$TOP/scripts/demo.sh" </dev/null >"$T/demo.log" 2>&1 ||
    { tail -n 20 "$T/demo.log" >&2; fail "the demo failed"; }
grep -q "^ecert-verifyd: pid [0-9]*, user [a-z-]*, no passphrase in its environment" "$T/demo.log" ||
    { tail -n 5 "$T/demo.log" >&2; fail "the demo's endpoint does not run as it should"; }
[ "$(id -u)" -ne 0 ] || grep -q "user ecert-verifyd," "$T/demo.log" || fail "the demo's endpoint does not run as ecert-verifyd"
layout "$T/demo/state" "$T/j-demo"
judge "$T/j-demo" "$T/demo/state/trust.pem"

# --- the root CRL: re-signed by `ecert-ca crl` with a greater crlNumber, served by nobody else's rules
export ECERT_HOME=$T/p256
n1=$(openssl crl -inform DER -in "$T/p256/crl/root.crl" -noout -crlnumber | cut -d= -f2)
expect 0 ecert-ca crl
expect_out "root.crl"
n2=$(openssl crl -inform DER -in "$T/p256/crl/root.crl" -noout -crlnumber | cut -d= -f2)
[ "$(printf "%d" "$n2")" -gt "$(printf "%d" "$n1")" ] || fail "ecert-ca crl did not raise the crlNumber ($n1 -> $n2)"
expect 2 env ECERT_ROOT_PASS=wrong ecert-ca crl
expect_err "passphrase"

# --- BER is not DER: ecert-verify refuses re-encodings of a genuine e-Cert whose signature still holds
e=$(ls "$T"/j-p256/ecerts/*.pem | head -n 1)
openssl x509 -in "$e" -outform DER -out "$T/good.der"
expect 0 ecert-verify --trust "$T/p256/trust.pem" "$T/good.der"
"$PY" - "$T/good.der" "$T" <<'EOF' || fail "cannot write the BER variants"
import sys
der = open(sys.argv[1], "rb").read()
out = sys.argv[2]
def hdr(n):
    # the outer SEQUENCE's content starts after its header
    return 2 + (der[1] & 0x7f if der[1] & 0x80 else 0)
body = der[hdr(der):]
n = len(body)
# non-minimal long-form length (4 length bytes where 2 suffice)
open(out + "/ber-long.der", "wb").write(b"\x30\x84" + n.to_bytes(4, "big") + body)
# indefinite length with end-of-contents
open(out + "/ber-indef.der", "wb").write(b"\x30\x80" + body + b"\x00\x00")
EOF
for v in ber-long ber-indef; do
	openssl x509 -inform DER -in "$T/$v.der" -noout 2>/dev/null || note "openssl itself refuses $v"
	expect 1 ecert-verify --trust "$T/p256/trust.pem" "$T/$v.der"
	grep -q 'not DER' "$T/out" "$T/err" || { cat "$T/out" "$T/err" >&2; fail "ecert-verify does not say $v is not DER"; }
done
echo "interop: OK"
