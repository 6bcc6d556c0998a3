#!/bin/sh
# ecert-verifyd end to end with curl over loopback: every route and status, name confirmation, a revocation
# seen while running, hostile input (traversal, %00, bad UTF-8, huge URL, 10,000 headers, <script> in the
# register, 1,000 idle connections, a burst over the rate limit), privileges and a clean shutdown.
. tests/e2e/lib.sh
for b in ecert-ca ecert-issue ecert-verifyd; do [ -x "$BIN/$b" ] || skip "$b not built"; done
command -v curl >/dev/null || skip "curl not installed"
command -v python3 >/dev/null || skip "python3 not installed"

D=$T/state
export ECERT_NOW=2026-03-10
I() { ecert-issue "$@" -d "$D"; }
PIDS=""
stop_all() { for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done; }
trap 'stop_all; rm -rf "$T"' EXIT INT TERM

# A register built by the real tools.
expect 0 ecert-ca init -d "$D" --org "E2E Verify Body" --public-url https://verify.example.org
cp tests/e2e/data/catalog.conf "$D/catalog.conf"
cat >"$T/results.csv" <<'EOF'
registration_no,last_name,first_name,email,tel,certification,exam_date,result
V-1,O'Brien,Zoë,zoe@example.ie,,NET-A,2026-03-02,pass
V-2,李,瑞瑞,li@example.cn,,NET-A,2026-03-02,pass
V-3,Old,Olga,olga@example.org,,SEC-A,2026-03-02,pass
V-4,Renew,Rita,rita@example.org,,NET-A,2026-03-02,pass
V-5,Script,Kiddie,kiddie@example.org,,NET-A,2026-03-02,pass
EOF
expect 0 I import "$T/results.csv"
expect 0 I apply --reg-no V-1 --format electronic --name "Zoë O'Brien" --consent
expect 0 I apply --reg-no V-2 --format electronic --name "李瑞瑞" --consent
expect 0 I apply --reg-no V-3 --format electronic --name "Olga Old" --consent
expect 0 I apply --reg-no V-4 --format electronic --name "Rita Renew" --consent
expect 0 I apply --reg-no V-5 --format electronic --name "<script>alert(1)</script>" --consent
expect 0 I issue --all
num() { sed -n "s/^$1	\([0-9]\{22\}\)$/\1/p" "$T/issued"; }
cp "$T/out" "$T/issued"
N1=$(num V-1); N2=$(num V-2); N3=$(num V-3); N4=$(num V-4); N5=$(num V-5)
for n in "$N1" "$N2" "$N3" "$N4" "$N5"; do [ "${#n}" -eq 22 ] || { cat "$T/issued"; fail "missing number"; }; done
expect 0 I revoke "$N2" --reason keyCompromise
expect 0 I renew "$N4"
R4=$(sed -n 's/^renewed [0-9]* as \([0-9]*\),.*/\1/p' "$T/out")
[ "${#R4}" -eq 22 ] || fail "renew printed no number"
KID=$(ls "$D/crl" | sed -n 's/^\([A-Za-z0-9_-]\{11\}\)\.crl$/\1/p' | head -n 1)
[ -n "$KID" ] || fail "no CRL after a revocation"

# An unknown number with good check digits, and N1 with one digit changed (a typo).
UNKNOWN=$(python3 -c 'b="01019999999999999999"; print(b + "%02d" % (98 - int(b + "00") % 97))')
TYPO=$(python3 -c 'import sys; n = sys.argv[1]; print(n[:5] + str((int(n[5]) + 1) % 10) + n[6:])' "$N1")
[ "$TYPO" != "$N1" ] || fail "typo number equals the real one"

# Root must name a user to drop to; the daemon then needs only these permissions (docs/verifier.md).
USER_OPT=""
if [ "$(id -u)" -eq 0 ]; then
	expect 2 ecert-verifyd -d "$D" --listen 127.0.0.1:0
	expect_err "refusing to run as root"
	USER_OPT="--user nobody"
	chmod 711 "$T"
	chmod 711 "$D"
	chown nobody "$D/public/lock.mdb"
	# the name key is read before the drop: it need not be readable by the endpoint's user at all
	chmod 600 "$D/name.key"
else
	expect 2 ecert-verifyd -d "$D" --listen 127.0.0.1:0 --user root
	expect_err "not running as root"
fi
expect 0 ecert-verifyd --version
expect_out "ecert-verifyd "
expect 0 ecert-verifyd --help
expect_out "--trust-proxy"
expect 2 ecert-verifyd --bogus
expect 2 ecert-verifyd --rate lots
expect_err "option '--rate'"

# start NAME ARGS...: a server on an ephemeral loopback port (port 0: the kernel picks a free one,
# the server logs it); sets PID and U.
start() {
	log=$T/$1.log
	shift
	# shellcheck disable=SC2086
	"$BIN/ecert-verifyd" -d "$D" --listen 127.0.0.1:0 $USER_OPT "$@" 2>"$log" &
	PID=$!
	PIDS="$PIDS $PID"
	i=0
	until grep -q '"event":"listening"' "$log" 2>/dev/null; do
		kill -0 "$PID" 2>/dev/null || { cat "$log" >&2; fail "ecert-verifyd exited at start"; }
		i=$((i + 1))
		[ $i -lt 100 ] || fail "ecert-verifyd did not start"
		sleep 0.1
	done
	port=$(sed -n 's/.*"event":"listening","address":"127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$log")
	[ -n "$port" ] || { cat "$log" >&2; fail "no listening address logged"; }
	U=http://127.0.0.1:$port
}
alive() { kill -0 "$PID" 2>/dev/null || { tail -n 20 "$T/main.log" >&2; fail "ecert-verifyd died: $*"; }; }

# want CODE CURL-ARGS...: body in $T/body, headers in $T/hdr.
want() {
	w=$1
	shift
	got=$(curl -s --path-as-is -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@")
	[ "$got" = "$w" ] || { head -c 3000 "$T/body" >&2; fail "curl $* answered $got, expected $w"; }
}
has() { grep -qF -- "$1" "$T/body" || { head -c 3000 "$T/body" >&2; echo >&2; fail "body lacks '$1'"; }; }
lacks() { grep -qF -- "$1" "$T/body" && { head -c 3000 "$T/body" >&2; fail "body has '$1'"; }; true; }
# the only script tag a page may carry is the page's own
no_foreign_script() {
	grep -o '<script[^>]*>' "$T/body" | grep -vx '<script src="/static/verify.js" defer>' | grep -q . &&
	    { head -c 3000 "$T/body" >&2; fail "a script tag that is not ours"; }
	true
}
hdr() { grep -qi -- "$1" "$T/hdr" || { cat "$T/hdr" >&2; fail "headers lack '$1'"; }; }
json_ok() { python3 -m json.tool "$T/body" >/dev/null || { cat "$T/body" >&2; fail "not JSON"; }; }
safe_headers() {
	hdr "^Content-Security-Policy: .*frame-ancestors 'none'"
	hdr "^X-Content-Type-Options: nosniff"
	hdr "^Referrer-Policy: no-referrer"
}

# Today is 2028-06-01 for the server: SEC-A (2 years) from 2026-03-02 has expired, NET-A (3 years) has not.
ECERT_NOW=2028-06-01 start main --rate 0 --per-ip 64
if [ -n "$USER_OPT" ]; then
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$PID/status")
	[ "$uid" = "$(id -u nobody)" ] || fail "ecert-verifyd runs as uid $uid, not nobody"
fi

note "valid, with the security headers and the masked name"
want 200 "$U/v/$N1"
safe_headers
hdr "^Content-Type: text/html; charset=utf-8"
has "<h1>VALID</h1>"
has "valid until 2029-03-01"
has "Network Associate (NET-A)"
has "Z***"
has "<dd>2026-03-02</dd>"
has "E2E Verify Body Issuing CA"
has "name=\"viewport\""
lacks "Brien"
no_foreign_script
want 200 -I "$U/v/$N1"
hdr "^Content-Length: [1-9]"
[ "$(curl -s -I -o /dev/null -w '%{size_download}' "$U/v/$N1")" = 0 ] || fail "HEAD returned a body"
G=$(echo "$N1" | sed 's/\(....\)\(....\)\(....\)\(....\)\(....\)\(..\)/\1%20\2-\3%20\4-\5%20\6/')
want 200 "$U/v/$G"
has "<h1>VALID</h1>"
want 200 "$U/v?n=$G"
has "<h1>VALID</h1>"

note "keep-alive: a second request reuses the connection"
conns=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' "$U/v/$N1" "$U/api/v1/certificates/$N1")
[ "$conns" = "1 0 " ] || fail "keep-alive does not work (connects: $conns)"

note "JSON: the API and Accept on the page"
want 200 "$U/api/v1/certificates/$N1"
json_ok
safe_headers
hdr "^Content-Type: application/json"
hdr "^Access-Control-Allow-Origin: \*"
has "{\"number\":\"$N1\",\"number_display\":\""
has '"status":"valid","certification":{"code":"NET-A","title":"Network Associate"},"holder":{"name_masked":"Z***"},"effective":"2026-03-02","expires":"2029-03-01","issuer":"E2E Verify Body Issuing CA'
lacks "name_match"
lacks "revoked"
want 200 -H "Accept: application/json" "$U/v/$N1"
json_ok
has '"status":"valid"'
want 200 -I "$U/api/v1/certificates/$N1"

note "revoked, expired, superseded, renewed"
want 200 "$U/v/$N2"
has "<h1>REVOKED</h1>"
has "Revoked on 2026-03-10. Reason: key compromise."
has "李***"
lacks "李瑞瑞"
want 200 "$U/api/v1/certificates/$N2"
json_ok
has '"status":"revoked"'
has '"revoked":{"date":"2026-03-10","reason":"keyCompromise"}'
want 200 "$U/v/$N3"
has "<h1>EXPIRED</h1>"
has "expired on 2028-03-01"
want 200 "$U/api/v1/certificates/$N3"
has '"status":"expired"'
want 200 "$U/v/$N4"
has "<h1>SUPERSEDED</h1>"
has "<a href=\"/v/$R4\">"
want 200 "$U/api/v1/certificates/$N4"
has '"status":"superseded"'
has "\"superseded_by\":\"$R4\""
want 200 "$U/api/v1/certificates/$R4"
has '"status":"valid"'
has "\"renewal_of\":\"$N4\""

note "unknown, typo, malformed"
want 404 "$U/v/$UNKNOWN"
has "<h1>NOT FOUND</h1>"
safe_headers
want 404 "$U/api/v1/certificates/$UNKNOWN"
json_ok
has '"error":"not_found"'
want 400 "$U/v/$TYPO"
has "<h1>PROBABLY A TYPO</h1>"
has "<strong>$TYPO</strong>"
want 400 "$U/api/v1/certificates/$TYPO"
has '"error":"checksum"'
want 400 "$U/v/12345"
has "NOT A CERTIFICATE NUMBER"
want 400 "$U/v/%3Cb%3Ehi%3C%5Cb%3E"
want 400 "$U/v/%3Cb%3E%22hi%27"
has "&lt;b&gt;&quot;hi&#39;"
lacks "<b>"

note "name confirmation: right (other case and spacing), wrong, never revealed"
want 200 "$U/v/$N1?name=zo%C3%AB++O%27BRIEN"
has "The name matches the holder of this certificate."
lacks "Zoë O&#39;Brien"
want 200 "$U/v/$N1?name=Zoe+Smith"
has "The name does not match the holder of this certificate."
lacks "Brien"
want 200 "$U/api/v1/certificates/$N2?name=%E6%9D%8E%E7%91%9E%E7%91%9E"
has '"name_match":true'
want 200 "$U/api/v1/certificates/$N2?name=%E6%9D%8E"
has '"name_match":false'
lacks "瑞瑞"

note "a name containing <script> in the register"
want 200 "$U/v/$N5"
has "<h1>VALID</h1>"
has "&lt;*"
no_foreign_script
want 200 "$U/v/$N5?name=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
has "The name matches"
has "value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""
no_foreign_script
want 200 "$U/api/v1/certificates/$N5"
json_ok

note "languages"
want 200 -H "Accept-Language: zh-CN,zh;q=0.9,en;q=0.8" "$U/v/$N2"
has "<html lang=\"zh-CN\">"
has "<h1>已吊销</h1>"
hdr "^Content-Language: zh-CN"
want 200 -H "Accept-Language: zh-CN" "$U/v/$N1?lang=en"
has "<h1>VALID</h1>"
want 200 "$U/?lang=zh"
has "证书验证"

note "trust bundle and CRL with ETag"
want 200 "$U/trust.pem"
cmp -s "$T/body" "$D/trust.pem" || fail "/trust.pem differs from DIR/trust.pem"
hdr "^Cache-Control: public"
ET=$(sed -n 's/^ETag: *\("[^"]*"\).*/\1/Ip' "$T/hdr" | tr -d '\r')
[ -n "$ET" ] || fail "/trust.pem has no ETag"
want 304 -H "If-None-Match: $ET" "$U/trust.pem"
want 200 -H 'If-None-Match: "other"' "$U/trust.pem"
want 200 -I "$U/trust.pem"
want 200 "$U/crl/$KID.crl"
cmp -s "$T/body" "$D/crl/$KID.crl" || fail "/crl/$KID.crl differs from the file"
hdr "^Content-Type: application/pkix-crl"
if command -v openssl >/dev/null; then
	openssl crl -inform DER -in "$T/body" -noout || fail "served CRL does not parse"
fi
CET=$(sed -n 's/^ETag: *\("[^"]*"\).*/\1/Ip' "$T/hdr" | tr -d '\r')
want 200 "$U/crl/root.crl"
cmp -s "$T/body" "$D/crl/root.crl" || fail "/crl/root.crl differs from the file"
openssl crl -inform DER -in "$T/body" -CAfile "$D/certs/root.pem" -noout 2>&1 | grep -q 'verify OK' ||
    fail "the served root CRL does not verify with the root"
want 404 "$U/crl/AAAAAAAAAAA.crl"
want 404 "$U/crl/short.crl"

note "a revocation made while the server runs shows within a second"
expect 0 I revoke "$N1" --reason affiliationChanged
i=0
until curl -s "$U/api/v1/certificates/$N1" | grep -q '"status":"revoked"'; do
	i=$((i + 1))
	[ $i -le 10 ] || fail "the revocation did not show within a second"
	sleep 0.1
done
want 200 "$U/v/$N1"
has "<h1>REVOKED</h1>"
has "affiliation changed"
want 200 -H "If-None-Match: $CET" "$U/crl/$KID.crl"
cmp -s "$T/body" "$D/crl/$KID.crl" || fail "the re-signed CRL is not served"

note "health, metrics, methods, unknown routes"
want 200 "$U/healthz"
has "ok"
want 200 "$U/metrics"
has 'ecert_http_requests_total{route="page",status="200"}'
has 'ecert_http_requests_total{route="api",status="404"}'
has 'ecert_http_request_duration_seconds_bucket{le="+Inf"}'
has "ecert_register_age_seconds"
for m in POST PUT DELETE OPTIONS PATCH; do
	want 405 -X "$m" "$U/v/$N2"
	hdr "^Allow: GET, HEAD"
	safe_headers
done
want 405 -d "x=1" "$U/api/v1/certificates/$N2"
json_ok
want 404 "$U/nothing"
want 404 "$U/v/$N2/extra"

note "hostile paths: traversal, %00, invalid UTF-8"
for p in "/crl/../../etc/passwd" "/crl/..%2F..%2Fkeys%2Froot.key" "/v/%2e%2e/%2e%2e/register/data.mdb" \
	"/./trust.pem" "/v/..%5c..%5ckeys" "/v/0101%00" "/v/$N2%00.html" "/v/%ff%fe" "/v/%C0%AF" \
	"/v/%ED%A0%80" "/v/$N2?name=%00" "/v/$N2?name=%C3" "/v/%zz"; do
	want 400 "$U$p"
	safe_headers
done
alive "after hostile paths"

note "a 100 KB URL and a 3 KB one: 414"
BIG=$(python3 -c 'print("/v/" + "1" * 102400)')
want 414 "$U$BIG"
want 414 "$U/v/$(python3 -c 'print("2" * 3000)')"
alive "after a 100 KB URL"

note "request smuggling: body framing on GET or HEAD is answered 400 and the connection closed"
python3 - "$port" <<'EOF' || fail "body framing on GET/HEAD not refused"
import socket, sys
port = int(sys.argv[1])
def ask(req):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(req)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    return data
cases = [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\nhello",
]
for req in cases:
    # a second request pipelined behind the first must never be answered: the connection closes
    data = ask(req + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    head = data.split(b"\r\n\r\n", 1)[0].lower()
    if not data.startswith(b"HTTP/1.1 400") or b"connection: close" not in head or data.count(b"HTTP/1.1 ") != 1:
        print("case", req[:60], "got", data[:300], file=sys.stderr)
        sys.exit(1)
    if b"x-content-type-options: nosniff" not in head:
        print("no security headers on", req[:60], file=sys.stderr)
        sys.exit(1)
EOF
want 200 "$U/healthz"

note "10,000 headers, and one 64 KB header: 431"
python3 - "$port" <<'EOF' || fail "header flood not answered 431"
import socket, sys
port = int(sys.argv[1])
def ask(req):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(req)
    except OSError:
        pass
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    return data.split(b"\r\n", 1)[0]
many = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(10000)) + b"\r\n"
huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"
for req in (many, huge):
    line = ask(req)
    if not line.startswith(b"HTTP/1.1 431"):
        print("got", line, file=sys.stderr)
        sys.exit(1)
EOF
want 200 "$U/healthz"

note "1,000 idle connections held open while requests still succeed"
python3 - "$port" "$T/idle.ready" "$T/idle.done" <<'EOF' &
import os, resource, socket, sys, time
port, ready, done = int(sys.argv[1]), sys.argv[2], sys.argv[3]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
conns = []
# 40 loopback addresses x 25: under the per-client limit, so the server keeps every one open.
for a in range(2, 42):
    for _ in range(25):
        s = socket.socket()
        s.bind(("127.0.0.%d" % a, 0))
        s.connect(("127.0.0.1", port))
        conns.append(s)
open(ready, "w").close()
deadline = time.time() + 30
while not os.path.exists(done) and time.time() < deadline:
    time.sleep(0.05)
for s in conns:
    s.close()
EOF
IDLE=$!
i=0
until [ -e "$T/idle.ready" ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the idle connections were not opened"
	kill -0 "$IDLE" 2>/dev/null || fail "opening 1,000 connections failed"
	sleep 0.1
done
open=$(ls "/proc/$PID/fd" 2>/dev/null | wc -l)
note "server holds $open descriptors"
for n in "$N1" "$N2" "$N3" "$N4" "$N5"; do
	want 200 --max-time 5 "$U/api/v1/certificates/$n"
done
want 200 --max-time 5 "$U/v/$N2"
: >"$T/idle.done"
wait "$IDLE"
alive "with 1,000 idle connections"

note "one client over its connection limit is cut off, others are served"
python3 - "$port" <<'EOF' || fail "per-client connection limit"
import socket, sys, time
port = int(sys.argv[1])
conns, refused = [], 0
for _ in range(100):
    s = socket.socket()
    s.bind(("127.0.0.200", 0))
    s.connect(("127.0.0.1", port))
    conns.append(s)
time.sleep(0.5)
for s in conns:
    s.settimeout(0.01)
    try:
        if s.recv(1) == b"":
            refused += 1
    except socket.timeout:
        pass
    except OSError:
        refused += 1
for s in conns:
    s.close()
if refused < 30:
    print("only %d of 100 connections were refused" % refused, file=sys.stderr)
    sys.exit(1)
EOF
want 200 "$U/healthz"

note "the access log: JSON lines, numbers masked, names never logged"
python3 - "$T/main.log" <<'EOF' || fail "access log is not one JSON object per line"
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if "method" in o:
        n += 1
        assert set(o) == {"time", "method", "path", "status", "bytes", "usec"}, o
assert n > 50, n
EOF
grep -q "$N1" "$T/main.log" && fail "a full certificate number is in the log"
grep -q "/v/$(echo "$N1" | cut -c1-4)\*\{16\}$(echo "$N1" | cut -c21-22)\"" "$T/main.log" || fail "masked path not logged"
grep -qi "brien\|smith" "$T/main.log" && fail "a typed name is in the log"

note "it opened only the public register"
ls -l "/proc/$PID/fd" 2>/dev/null | grep -E "/(register|keys)/" && fail "the office register or a key is open"
grep -E "$D/(register|keys)" "/proc/$PID/maps" && fail "the office register is mapped"

note "clean shutdown on SIGTERM, finishing the request in flight"
python3 - "$port" "$T/inflight.ready" "$T/inflight.go" "$N2" >"$T/inflight.out" <<'EOF' &
import os, socket, sys, time
port, ready, go, number = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"GET /api/v1/certificates/%s HTTP/1.1\r\nHost: x\r\n" % number.encode())
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.02)
time.sleep(0.3)
s.sendall(b"\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode("utf-8", "replace"))
EOF
FLIGHT=$!
i=0
until [ -e "$T/inflight.ready" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the in-flight request was not started"
	sleep 0.05
done
sleep 0.2
kill -TERM "$PID"
: >"$T/inflight.go"
wait "$FLIGHT" || fail "the in-flight client failed"
head -n 1 "$T/inflight.out" | grep -q "^HTTP/1.1 200" || { cat "$T/inflight.out"; fail "the request in flight was not finished"; }
grep -qi "^Connection: close" "$T/inflight.out" || { cat "$T/inflight.out"; fail "a draining response kept the connection open"; }
grep -q '"status":"revoked"' "$T/inflight.out" || fail "the request in flight got no certificate"
wait "$PID"
rc=$?
[ "$rc" -eq 0 ] || fail "ecert-verifyd exited $rc on SIGTERM"
grep -q '"event":"stopping","signal":"SIGTERM"' "$T/main.log" || fail "no stopping event"
grep -q '"event":"stopped"' "$T/main.log" || fail "no stopped event"

note "rate limit: a burst gets 429 with Retry-After; the server stays up"
start rate --rate 5
urls=""
for i in $(seq 1 40); do urls="$urls $U/api/v1/certificates/$N3"; done
# shellcheck disable=SC2086
codes=$(curl -s -o /dev/null -w '%{http_code}\n' $urls)
echo "$codes" | grep -q '^200$' || fail "no request of the burst succeeded"
echo "$codes" | grep -q '^429$' || fail "a burst of 40 at --rate 5 got no 429"
want 429 "$U/v/$N3"
hdr "^Retry-After: [1-9]"
safe_headers
sleep 1.2
want 200 "$U/healthz"
kill -TERM "$PID"
wait "$PID" || fail "the rate-limited server did not stop cleanly"
# a flood does not flood the log: 429s are counted, not written one by one
grep -q '"status":429' "$T/rate.log" && fail "429 answers were logged one line each"
grep -q '"event":"suppressed","counts":"429: [1-9]' "$T/rate.log" || { cat "$T/rate.log" >&2; fail "no count of the 429 answers"; }

note "behind a trusted proxy, clients are told apart by X-Forwarded-For's last hop"
start proxy --rate 1 --trust-proxy 127.0.0.1
want 200 -H "X-Forwarded-For: 198.51.100.1" "$U/healthz"
want 200 -H "X-Forwarded-For: 198.51.100.1" "$U/healthz"
want 429 -H "X-Forwarded-For: 203.0.113.50, 198.51.100.1" "$U/healthz"
want 200 -H "X-Forwarded-For: 198.51.100.2" "$U/healthz"
kill -TERM "$PID"
wait "$PID" || fail "the proxied server did not stop cleanly"

note "name checks: a small daily budget per number, shared by every client; never an oracle"
start budget --rate 0 --trust-proxy 127.0.0.1 --name-checks 3
for ip in 198.51.100.7 198.51.100.8 198.51.100.9; do
	want 200 -H "X-Forwarded-For: $ip" "$U/api/v1/certificates/$N1?name=Zoe+Guess"
	has '"name_match":false'
done
want 429 -H "X-Forwarded-For: 203.0.113.77" "$U/api/v1/certificates/$N1?name=Zo%C3%AB+O%27Brien"
has '"error":"name_checks_exhausted"'
lacks '"name_match"'
safe_headers
want 429 -H "Accept-Language: zh" "$U/v/$N1?name=x"
has "姓名核对次数过多"
want 200 "$U/api/v1/certificates/$N1"
has "\"number\":\"$N1\""
want 200 "$U/api/v1/certificates/$N2?name=%E6%9D%8E%E7%91%9E%E7%91%9E"
has '"name_match":true'
kill -TERM "$PID"
wait "$PID" || fail "the budgeted server did not stop cleanly"
start nonames --rate 0 --name-checks 0
want 503 "$U/api/v1/certificates/$N1?name=x"
has '"error":"name_check_unavailable"'
want 200 "$U/api/v1/certificates/$N1"
kill -TERM "$PID"
wait "$PID" || fail "the server without name checks did not stop cleanly"
PIDS=""
echo "verifyd: ok"
