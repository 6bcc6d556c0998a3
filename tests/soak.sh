#!/bin/sh
# `make soak` (not part of `make check`): ecert-verifyd under load for a long time, then under slowloris.
#  1. SOAK_SECONDS (default 600) of wrk over loopback (a mix of pages, API lookups, unknown and mistyped
#     numbers, trust bundle, CRL, health): the daemon's private memory (RssAnon of /proc/PID/status, not
#     the mapped register) sampled every SOAK_SAMPLE seconds must grow by less than 5% from the sample at
#     a tenth of the run to the last one, and stay under the 64 MB target.
#  2. slowloris: SLOWLORIS_CONNS (default 400) connections from 127.0.0.2-9 (so that no single address
#     passes the per-client limit) each sending one byte of an endless request header a second, for
#     SLOWLORIS_SECONDS (default 30); meanwhile normal clients (wrk, 8 connections from 127.0.0.1, each
#     pausing 2 ms between requests) must be answered with p99 <= 10 ms, and the daemon must survive it.
# Loopback only; every process started here is stopped at the end.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
BIN=$top/build/bin
SECS=${SOAK_SECONDS:-600}
SAMPLE=${SOAK_SAMPLE:-10}
SLCONNS=${SLOWLORIS_CONNS:-400}
SLSECS=${SLOWLORIS_SECONDS:-30}
NCERT=${SOAK_CERTS:-2000}
for b in ecert-ca ecert-issue ecert-verifyd; do
	[ -x "$BIN/$b" ] || { echo "soak: $BIN/$b not built (make all)" >&2; exit 2; }
done
for c in wrk python3 curl; do
	command -v "$c" >/dev/null || { echo "soak: $c not installed (scripts/deps.sh bench installs wrk)" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/ecert-soak.XXXXXX")
VD="" SL=""
cleanup() {
	[ -n "$SL" ] && kill "$SL" 2>/dev/null
	[ -n "$VD" ] && kill -TERM "$VD" 2>/dev/null && wait "$VD" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "soak: FAIL: $*" >&2; exit 1; }
say() { echo "soak: $*"; }

# A register of NCERT certificates, a few revoked and renewed, made by the real tools.
export ECERT_PASS=soak-issuing ECERT_ROOT_PASS=soak-root ECERT_NOW=2026-03-10
unset ECERT_HOME
D=$T/state
I() { "$BIN/ecert-issue" "$@" -d "$D"; }
"$BIN/ecert-ca" init -d "$D" --org "Soak Certification Body" >/dev/null || fail "ecert-ca init"
cp tests/e2e/data/catalog.conf "$D/catalog.conf"
awk -v n="$NCERT" 'BEGIN {
	print "registration_no,last_name,first_name,email,tel,certification,exam_date,result"
	for (i = 1; i <= n; i++)
		printf "S%06d,Nguyễn%d,Zoë,s%d@example.org,,NET-A,2026-03-02,pass\n", i, i, i
}' >"$T/results.csv"
awk -v n="$NCERT" 'BEGIN {
	print "registration_no,format,name,email,tel,address,consent"
	for (i = 1; i <= n; i++)
		printf "S%06d,electronic,Zoë Nguyễn %d,,,,yes\n", i, i
}' >"$T/apply.csv"
I import "$T/results.csv" >/dev/null && I apply --csv "$T/apply.csv" >/dev/null && I issue --all >"$T/issued" ||
	fail "cannot build the register"
cut -f2 "$T/issued" >"$T/numbers"
for n in $(sed -n '1p;2p;3p' "$T/numbers"); do I revoke "$n" --reason keyCompromise >/dev/null || fail "revoke"; done
for n in $(sed -n '4p;5p' "$T/numbers"); do I renew "$n" >/dev/null || fail "renew"; done
KID=$(cat "$D/certs/current")

# Requests: mostly lookups by number (API and page), some unknown (404), mistyped (400) and static routes.
python3 - "$T/numbers" "$KID" >"$T/mix.lua" <<'EOF'
import random, sys
nums = [l.strip() for l in open(sys.argv[1]) if l.strip()]
kid = sys.argv[2]
random.seed(7)
reqs = []
for i in range(4000):
    n = random.choice(nums)
    r = random.random()
    if r < 0.55:
        reqs.append(("/api/v1/certificates/" + n, "application/json"))
    elif r < 0.80:
        reqs.append(("/v/" + n, "text/html"))
    elif r < 0.85:
        reqs.append(("/v/%s-%s %s" % (n[:4], n[4:12], n[12:]), "application/json"))
    elif r < 0.90:
        u = "0101" + "%016d" % random.randrange(10**16)
        reqs.append(("/api/v1/certificates/" + u + "%02d" % (98 - int(u + "00") % 97), "application/json"))
    elif r < 0.94:
        reqs.append(("/v/" + n[:-1] + str((int(n[-1]) + 1) % 10), "text/html"))
    elif r < 0.96:
        reqs.append(("/v/" + n + "?name=Zo%C3%AB+Nguy%E1%BB%85n+1", "text/html"))
    elif r < 0.98:
        reqs.append(("/crl/%s.crl" % kid, "*/*"))
    elif r < 0.99:
        reqs.append(("/trust.pem", "*/*"))
    else:
        reqs.append(("/healthz", "*/*"))
print("local p = {")
for path, acc in reqs:
    print('{"%s","%s"},' % (path.replace(" ", "%20"), acc))
print("}")
print("local i = 0")
print('request = function() i = i % #p + 1; return wrk.format("GET", p[i][1], {["Accept"] = p[i][2], ["Accept-Language"] = (i % 3 == 0) and "zh-CN,zh;q=0.9" or "en"}) end')
EOF

# Root must hand the daemon a user; it then needs the lock file of the public register.
USER_OPT=""
if [ "$(id -u)" -eq 0 ]; then
	USER_OPT="--user nobody"
	chmod 711 "$T" "$D"
	chown nobody "$D/public/lock.mdb"
fi
# The access log (a line per request) is dropped on the way; every other line is kept in vd.log.
mkfifo "$T/log.fifo"
grep --line-buffered -v '"method":' <"$T/log.fifo" >"$T/vd.log" &
# shellcheck disable=SC2086
"$BIN/ecert-verifyd" -d "$D" --listen 127.0.0.1:0 --threads 2 --rate 0 --timeout 15 $USER_OPT 2>"$T/log.fifo" &
VD=$!
i=0
until grep -q '"event":"listening"' "$T/vd.log" 2>/dev/null; do
	kill -0 "$VD" 2>/dev/null || { cat "$T/vd.log" >&2; fail "ecert-verifyd exited at start"; }
	i=$((i + 1))
	[ $i -lt 100 ] || fail "ecert-verifyd did not start"
	sleep 0.1
done
port=$(sed -n 's/.*"event":"listening","address":"127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$T/vd.log")
[ -n "$port" ] || fail "no listening address logged"
U=http://127.0.0.1:$port
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/certificates/$(head -n 1 "$T/numbers")")" = 200 ] ||
	fail "the daemon does not answer"
rss() { awk '/^RssAnon:/ { print $2 }' "/proc/$VD/status"; }
p99ms() { # the 99th percentile of a wrk --latency report, in milliseconds
	awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		print (u == "us" ? v / 1000 : u == "s" ? v * 1000 : v) }' "$1"
}

# 1. the long run
say "ecert-verifyd pid $VD on $U, $NCERT certificates; ${SECS}s of wrk -t2 -c64 (RssAnon every ${SAMPLE}s)"
wrk -t2 -c64 -d"${SECS}s" --latency -s "$T/mix.lua" "$U" >"$T/wrk.txt" 2>&1 &
W=$!
start=$(date +%s)
base="" base_at=$((SECS / 10))
[ "$base_at" -lt "$SAMPLE" ] && base_at=$SAMPLE
: >"$T/samples"
while kill -0 "$W" 2>/dev/null; do
	sleep "$SAMPLE"
	kill -0 "$VD" 2>/dev/null || fail "ecert-verifyd died under load"
	kill -0 "$W" 2>/dev/null || break
	el=$(( $(date +%s) - start ))
	r=$(rss)
	echo "$el $r" >>"$T/samples"
	[ -z "$base" ] && [ "$el" -ge "$base_at" ] && base=$r
done
wait "$W" || { cat "$T/wrk.txt" >&2; fail "wrk failed"; }
last=$(rss)
[ -n "$base" ] || base=$(head -n 1 "$T/samples" | cut -d' ' -f2)
rps=$(awk '/^Requests\/sec:/ { print $2 }' "$T/wrk.txt")
total=$(awk '/requests in/ { print $1 }' "$T/wrk.txt")
errs=$(awk '/Socket errors|Non-2xx/ { print }' "$T/wrk.txt" | tr '\n' ' ')
say "load: $total requests, $rps req/s, p99 $(p99ms "$T/wrk.txt") ms${errs:+; $errs}"
say "RssAnon (KB) by second: $(awk '{ printf "%s:%s ", $1, $2 }' "$T/samples")"
growth=$(awk -v a="$base" -v b="$last" 'BEGIN { printf "%.2f", (b - a) * 100 / a }')
say "RssAnon: $base KB at ${base_at}s, $last KB at the end: growth $growth% (limit 5%), $((last / 1024)) MB (target 64 MB)"
awk -v g="$growth" 'BEGIN { exit !(g < 5) }' || fail "private memory grew by $growth%"
[ "$last" -le $((64 * 1024)) ] || fail "private memory $last KB is over 64 MB"

# 2. slowloris while normal clients are served. Normal clients pace themselves (2 ms between a
# connection's requests, ~3,000 req/s in all) so the percentile measures service, not a saturated queue;
# the same clients without slowloris first, for comparison.
{ cat "$T/mix.lua"; echo 'delay = function() return 2 end'; } >"$T/paced.lua"
wrk -t1 -c8 -d10s --latency -s "$T/paced.lua" "$U" >"$T/wrk1.txt" 2>&1 || fail "wrk failed"
say "normal clients alone: $(awk '/^Requests\/sec:/ { print $2 }' "$T/wrk1.txt") req/s, p99 $(p99ms "$T/wrk1.txt") ms"
python3 - "$port" "$SLCONNS" "$SLSECS" "$T/sl.ready" "$T/sl.result" <<'EOF' &
import socket, sys, time
port, n, secs, ready, result = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
head = b"GET /v/0101000000000000000000 HTTP/1.1\r\nHost: soak\r\nX-Slow: " + b"a" * 100000
socks, refused = [], 0
for i in range(n):
    s = socket.socket()
    try:
        s.bind(("127.0.0.%d" % (2 + i % 8), 0))
        s.connect(("127.0.0.1", port))
        socks.append([s, 0])
    except OSError:
        refused += 1
        s.close()
open(ready, "w").close()
closed, sent, end = 0, 0, time.time() + secs
while time.time() < end:
    for e in socks:
        if e[0] is None:
            continue
        try:
            e[0].send(head[e[1]:e[1] + 1])
            e[1] += 1
            sent += 1
        except OSError:
            e[0].close()
            e[0] = None
            closed += 1
    time.sleep(1)
open(result, "w").write("%d %d %d %d\n" % (len(socks), refused, closed, sent))
EOF
SL=$!
i=0
until [ -e "$T/sl.ready" ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the slowloris connections were not opened"
	sleep 0.1
done
say "slowloris: $SLCONNS connections sending a byte a second for ${SLSECS}s; wrk -t1 -c8 as the normal clients"
wrk -t1 -c8 -d"$((SLSECS - 5))s" --latency -s "$T/paced.lua" "$U" >"$T/wrk2.txt" 2>&1 || fail "wrk failed under slowloris"
wait "$SL"
SL=""
kill -0 "$VD" 2>/dev/null || fail "ecert-verifyd died under slowloris"
read -r opened refused closed sent <"$T/sl.result"
p99=$(p99ms "$T/wrk2.txt")
rps2=$(awk '/^Requests\/sec:/ { print $2 }' "$T/wrk2.txt")
say "slowloris: $opened connected, $refused refused, $closed closed by the server, $sent bytes sent"
say "normal clients meanwhile: $rps2 req/s, p99 $p99 ms (limit 10 ms)"
[ "$opened" -gt 0 ] || fail "no slowloris connection was accepted: nothing tested"
awk -v p="$p99" 'BEGIN { exit !(p <= 10) }' || { cat "$T/wrk2.txt" >&2; fail "p99 $p99 ms under slowloris"; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")" = 200 ] || fail "/healthz after slowloris"
say "ok"
