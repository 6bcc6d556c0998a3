#!/bin/sh
# The documented deployment under attack: nginx in front of ecert-verifyd on the loopback, slowloris
# from 70 source addresses and a request flood from 8 more, while an ordinary client keeps being
# answered quickly (p95 under 100 ms). libmicrohttpd alone has no deadline for a whole request; the
# proxy's client_header_timeout, limit_conn and limit_req are what end such attacks.
. tests/e2e/lib.sh

command -v nginx >/dev/null 2>&1 || skip "nginx not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
for b in ecert-ca ecert-issue ecert-verifyd; do [ -x "$BIN/$b" ] || skip "$b not built"; done

D=$T/ca
export ECERT_TEMPLATES=$TOP/templates ECERT_NOW=2026-03-10
expect 0 ecert-ca init -d "$D" --org "Front Test Body" --public-url https://verify.example.org
cp tests/e2e/data/catalog.conf "$D/catalog.conf"
expect 0 ecert-issue import -d "$D" tests/e2e/data/results.csv
expect 0 ecert-issue apply -d "$D" --reg-no E2E-0001 --format electronic --name "Zoë O'Brien" --consent
expect 0 ecert-issue issue -d "$D" --all
N1=$(awk '$1 == "E2E-0001" { print $2 }' "$T/out")
[ "${#N1}" -eq 22 ] || fail "issue printed no number"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
VPORT=$(free_port)
NPORT=$(free_port)

USER_OPT=""
NGINX_USER=""
if [ "$(id -u)" -eq 0 ]; then
	USER_OPT="--user nobody"
	NGINX_USER="user nobody nogroup;"
	chmod 711 "$T" "$D"
	chown nobody "$D/public/lock.mdb"
fi
# shellcheck disable=SC2086
"$BIN/ecert-verifyd" -d "$D" --listen "127.0.0.1:$VPORT" --trust-proxy 127.0.0.1 --rate 20 $USER_OPT \
    2>"$T/verifyd.log" &
VPID=$!

mkdir -p "$T/nginx/logs"
cat >"$T/nginx/nginx.conf" <<EOF
$NGINX_USER
worker_processes 1;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $T/nginx/body;
    proxy_temp_path $T/nginx/proxy;
    # slow clients lose their connection when the whole header has not arrived in time
    client_header_timeout 3s;
    client_body_timeout 3s;
    send_timeout 5s;
    keepalive_timeout 10s;
    limit_conn_zone \$binary_remote_addr zone=verify_conn:10m;
    limit_req_zone \$binary_remote_addr zone=verify_req:10m rate=20r/s;
    limit_conn_status 429;
    limit_req_status 429;
    upstream ecert_verifyd { server 127.0.0.1:$VPORT; keepalive 32; }
    server {
        listen 127.0.0.1:$NPORT;
        client_max_body_size 0;
        limit_conn verify_conn 8;
        limit_req zone=verify_req burst=40 nodelay;
        location / {
            proxy_pass http://ecert_verifyd;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
EOF
nginx -t -p "$T/nginx" -c "$T/nginx/nginx.conf" >"$T/nginx-t.log" 2>&1 || { cat "$T/nginx-t.log" >&2; fail "nginx -t refuses the config"; }
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" 2>"$T/nginx.err" &
NPID=$!
trap 'kill $VPID $NPID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
i=0
until curl -fs -o /dev/null "http://127.0.0.1:$NPORT/healthz"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$T/verifyd.log" "$T/nginx.err" "$T/nginx/logs/error.log" >&2; fail "nginx and ecert-verifyd did not come up"; }
	sleep 0.1
done
curl -fs "http://127.0.0.1:$NPORT/api/v1/certificates/$N1" | grep -q '"status":"valid"' || fail "the proxied API does not answer"

python3 - "$NPORT" "$N1" <<'EOF' || fail "the ordinary client suffered under attack"
import socket, sys, threading, time
port, number = int(sys.argv[1]), sys.argv[2]
DURATION = 10.0
stop = time.monotonic() + DURATION
held = [0]

def slowloris(addr):
    # 20 connections from one address, each sending one header byte a second and never finishing
    socks = []
    for _ in range(20):
        try:
            s = socket.socket()
            s.bind((addr, 0))
            s.settimeout(2)
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except OSError:
            pass
    while time.monotonic() < stop:
        alive = []
        for s in socks:
            try:
                s.sendall(b"X")
                alive.append(s)
            except OSError:
                s.close()
        socks = alive
        held[0] = max(held[0], len(socks))
        time.sleep(1)
    for s in socks:
        s.close()

def flood(addr):
    req = ("GET /api/v1/certificates/%s HTTP/1.1\r\nHost: x\r\n\r\n" % number).encode()
    while time.monotonic() < stop:
        try:
            s = socket.socket()
            s.bind((addr, 0))
            s.settimeout(2)
            s.connect(("127.0.0.1", port))
            for _ in range(50):
                s.sendall(req)
                s.recv(65536)
            s.close()
        except OSError:
            time.sleep(0.01)

threads = [threading.Thread(target=slowloris, args=("127.0.1.%d" % i,)) for i in range(1, 71)]
threads += [threading.Thread(target=flood, args=("127.0.2.%d" % i,)) for i in range(1, 9)]
for t in threads:
    t.daemon = True
    t.start()
time.sleep(1.5)

# the ordinary client: one request every 50 ms from its own address, each on a fresh connection
lat, codes = [], {}
while time.monotonic() < stop - 0.5:
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.3.1", 0))
        s.sendall(("GET /api/v1/certificates/%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % number).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        code = data[9:12].decode() if data.startswith(b"HTTP/1.1 ") else "none"
    except OSError as e:
        code = "error"
    lat.append(time.monotonic() - t0)
    codes[code] = codes.get(code, 0) + 1
    time.sleep(0.05)
for t in threads:
    t.join(timeout=5)
lat.sort()
p95 = lat[int(len(lat) * 0.95) - 1] * 1000
print("ordinary client: %d requests, codes %s, p50 %.1f ms, p95 %.1f ms; slowloris held at most %d connections "
      "from one address" % (len(lat), codes, lat[len(lat) // 2] * 1000, p95, held[0]))
if codes.get("200", 0) != len(lat):
    sys.exit("not every ordinary request was answered 200: %s" % codes)
if p95 >= 100:
    sys.exit("p95 %.1f ms is not under 100 ms" % p95)
EOF
kill -0 "$VPID" 2>/dev/null || { tail -n 20 "$T/verifyd.log" >&2; fail "ecert-verifyd died under attack"; }
curl -fs -o /dev/null "http://127.0.0.1:$NPORT/healthz" || fail "the endpoint does not answer after the attack"
echo "nginx_front: ok"
