#!/bin/sh
# ecert-verifyd in a real browser: headless Chromium loads the page of a valid and of a revoked certificate
# (phone and desktop sizes, English and Chinese); the rendered text is checked, the console must report
# no Content-Security-Policy violation, and the screenshots are kept under build/test-artifacts/.
. tests/e2e/lib.sh
for b in ecert-ca ecert-issue ecert-verifyd; do [ -x "$BIN/$b" ] || skip "$b not built"; done
command -v curl >/dev/null || skip "curl not installed"

browser() { command -v chromium || command -v chromium-browser; }
if ! browser >/dev/null; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		note "installing Debian's chromium"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y --no-install-recommends chromium >"$T/apt.log" 2>&1 ||
			{ apt-get update >>"$T/apt.log" 2>&1 &&
			  apt-get install -y --no-install-recommends chromium >>"$T/apt.log" 2>&1; } ||
			tail -n 5 "$T/apt.log"
	fi
	browser >/dev/null || skip "chromium is not installed and could not be installed with apt-get"
fi
CHROMIUM=$(browser)
ART=$TOP/build/test-artifacts
mkdir -p "$ART"

D=$T/state
export ECERT_NOW=2026-03-10
I() { ecert-issue "$@" -d "$D"; }
PID=""
trap '[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; rm -rf "$T"' EXIT INT TERM

expect 0 ecert-ca init -d "$D" --org "E2E Browser Body" --public-url https://verify.example.org
cp tests/e2e/data/catalog.conf "$D/catalog.conf"
cat >"$T/results.csv" <<'EOF'
registration_no,last_name,first_name,email,tel,certification,exam_date,result
B-1,O'Brien,Zoë,zoe@example.ie,,NET-A,2026-03-02,pass
B-2,李,瑞瑞,li@example.cn,,NET-A,2026-03-02,pass
EOF
expect 0 I import "$T/results.csv"
expect 0 I apply --reg-no B-1 --format electronic --name "Zoë O'Brien" --consent
expect 0 I apply --reg-no B-2 --format electronic --name "李瑞瑞" --consent
expect 0 I issue --all
N1=$(sed -n 's/^B-1	\([0-9]\{22\}\)$/\1/p' "$T/out")
N2=$(sed -n 's/^B-2	\([0-9]\{22\}\)$/\1/p' "$T/out")
[ "${#N1}" -eq 22 ] && [ "${#N2}" -eq 22 ] || { cat "$T/out"; fail "no numbers issued"; }
expect 0 I revoke "$N2" --reason keyCompromise

USER_OPT=""
if [ "$(id -u)" -eq 0 ]; then
	USER_OPT="--user nobody"
	chmod 711 "$T" "$D"
	chown nobody "$D/public/lock.mdb"
fi
# shellcheck disable=SC2086
ecert-verifyd -d "$D" --listen 127.0.0.1:0 --rate 0 $USER_OPT 2>"$T/server.log" &
PID=$!
i=0
until grep -q '"event":"listening"' "$T/server.log" 2>/dev/null; do
	kill -0 "$PID" 2>/dev/null || { cat "$T/server.log"; fail "ecert-verifyd exited"; }
	i=$((i + 1))
	[ $i -lt 100 ] || fail "ecert-verifyd did not start"
	sleep 0.1
done
U=http://127.0.0.1:$(sed -n 's/.*"address":"127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$T/server.log")

# load NAME WIDTHxHEIGHT URL: the DOM as rendered into $T/NAME.html, a screenshot into the artifacts,
# the browser's console into $T/NAME.console.
load() {
	name=$1 url=$3 size=$(echo "$2" | tr x ,)
	set -- --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
		--user-data-dir="$T/chrome" --enable-logging=stderr --v=0 --window-size="$size"
	timeout 120 "$CHROMIUM" "$@" --virtual-time-budget=8000 --screenshot="$ART/verifyd-$name.png" "$url" \
	    >/dev/null 2>"$T/$name.console" ||
		{ tail -n 20 "$T/$name.console"; fail "chromium could not screenshot $url"; }
	timeout 120 "$CHROMIUM" "$@" --virtual-time-budget=8000 --dump-dom "$url" >"$T/$name.html" 2>>"$T/$name.console" ||
		{ tail -n 20 "$T/$name.console"; fail "chromium could not load $url"; }
	[ -s "$ART/verifyd-$name.png" ] || fail "no screenshot for $name"
	if grep -qi "content security policy" "$T/$name.console"; then
		grep -i "security policy" "$T/$name.console"
		fail "$name: the page breaks its own Content-Security-Policy"
	fi
}
sees() { grep -qF -- "$2" "$T/$1.html" || { cat "$T/$1.html"; fail "$1: the rendered page lacks '$2'"; }; }
lacks() { grep -qF -- "$2" "$T/$1.html" && { cat "$T/$1.html"; fail "$1: the rendered page shows '$2'"; }; true; }

load valid-phone 412x915 "$U/v/$N1"
sees valid-phone "<h1>VALID</h1>"
sees valid-phone "Network Associate (NET-A)"
sees valid-phone "Z***"
sees valid-phone "valid until 2029-03-01"
load valid-desktop 1280x800 "$U/v/$N1?name=zo%C3%AB+o%27brien"
sees valid-desktop "The name matches the holder of this certificate."
load revoked-phone 412x915 "$U/v/$N2"
sees revoked-phone "<h1>REVOKED</h1>"
sees revoked-phone "Revoked on 2026-03-10. Reason: key compromise."
sees revoked-phone "李***"
load revoked-zh 412x915 "$U/v/$N2?lang=zh"
sees revoked-zh "<h1>已吊销</h1>"
sees revoked-zh "原因：密钥泄露"
# The page must not depend on the fragment: the QR URL carries the token there.
load fragment 412x915 "$U/v/$N1#eyJhbGciOiJFUzI1NiJ9.e30.sig"
sees fragment "<h1>VALID</h1>"
sees fragment "Warning: what the QR code carries"

# The QR code's token, checked in the browser with WebCrypto against /jwks.json: the full signed
# name appears only when the signature holds.
expect 0 I show "$N1" --json
TOK=$(sed -n 's/.*"qr_url":"[^"#]*#\([^"]*\)".*/\1/p' "$T/out")
[ -n "$TOK" ] || fail "no token in show --json"
curl -fs "$U/jwks.json" | grep -q '"kty":"EC","crv":"P-256"' || fail "/jwks.json does not publish the issuing key"
load token-phone 412x915 "$U/v/$N1#$TOK"
sees token-phone "Signature checked in your browser."
sees token-phone 'id="qr-name">Zoë O'"'"'Brien</dd>'
sees token-phone "2026-03-02 – 2029-03-01"
load token-zh 412x915 "$U/v/$N1?lang=zh#$TOK"
sees token-zh "签名已在您的浏览器中核验。"
# one character of the payload changed: a warning, and no name
H=${TOK%%.*}; REST=${TOK#*.}; P=${REST%%.*}; S=${REST#*.}
case $P in *A*) P2=$(echo "$P" | sed 's/A/B/') ;; *) P2=$(echo "$P" | sed 's/./A/') ;; esac
load token-tampered 412x915 "$U/v/$N1#$H.$P2.$S"
sees token-tampered "Warning: what the QR code carries"
lacks token-tampered "Zoë O"
lacks token-tampered "Signature checked"
# the signature's first character changed: it no longer verifies
case $S in A*) S2=B${S#A} ;; *) S2=A${S#?} ;; esac
load token-badsig 412x915 "$U/v/$N1#$H.$P.$S2"
sees token-badsig "does not verify"
lacks token-badsig "Zoë O"
# a kid the endpoint does not publish
KH=$(printf '{"alg":"ES256","kid":"AAAAAAAAAAA"}' | base64 | tr '+/' '-_' | tr -d '=\n')
load token-kid 412x915 "$U/v/$N1#$KH.$P.$S"
sees token-kid "does not verify"
lacks token-kid "Zoë O"
# a genuine token of another certificate opened on this one's page
expect 0 I show "$N2" --json
TOK2=$(sed -n 's/.*"qr_url":"[^"#]*#\([^"]*\)".*/\1/p' "$T/out")
load token-other 412x915 "$U/v/$N1#$TOK2"
sees token-other "belongs to another certificate number"
lacks token-other "李瑞瑞"

kill -TERM "$PID"
wait "$PID" || fail "ecert-verifyd did not stop cleanly"
PID=""
note "screenshots in $ART"
echo "verifyd_browser: ok"
