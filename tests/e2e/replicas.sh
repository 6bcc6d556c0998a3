#!/bin/sh
# Verification beyond one machine, on the loopback: the office publishes snapshots, rsync ships them to
# two replica directories, two `ecert-verifyd --from` serve them behind nginx. wrk runs through nginx
# while one replica is killed and started again, and straight at the other while it switches
# snapshots twice: no request may fail. A revocation, published and
# shipped, shows on both replicas within 2 s of the switch. A tampered snapshot is refused while the
# old one keeps serving, and a replica whose snapshot is too old fails /healthz but still answers.
. tests/e2e/lib.sh

for c in nginx rsync wrk curl python3; do command -v "$c" >/dev/null 2>&1 || skip "$c not installed"; done
for b in ecert-ca ecert-issue ecert-verifyd; do [ -x "$BIN/$b" ] || skip "$b not built"; done

D=$T/ca
P=$T/published
export ECERT_TEMPLATES=$TOP/templates ECERT_NOW=2026-03-10
expect 0 ecert-ca init -d "$D" --org "Replica Test Body" --public-url https://verify.example.org
cp tests/e2e/data/catalog.conf "$D/catalog.conf"
expect 0 ecert-issue import -d "$D" tests/e2e/data/results.csv
expect 0 ecert-issue apply -d "$D" --reg-no E2E-0001 --format electronic --name "Zoë O'Brien" --consent
expect 0 ecert-issue apply -d "$D" --reg-no E2E-0002 --format electronic --name "李瑞瑞" --consent
expect 0 ecert-issue issue -d "$D" --all
N1=$(awk '$1 == "E2E-0001" { print $2 }' "$T/out")
N2=$(awk '$1 == "E2E-0002" { print $2 }' "$T/out")
[ "${#N1}" -eq 22 ] && [ "${#N2}" -eq 22 ] || fail "issue printed no numbers"

# publishing: a snapshot with its manifest, and the current link
expect 0 ecert-issue publish -d "$D" --to "$P"
expect_out "published snapshot 1 to '$P': 2 certificates"
[ "$(readlink "$P/current")" = 1 ] || fail "current does not link to snapshot 1"
for f in MANIFEST public/data.mdb trust.pem jwks.json crl/root.crl; do [ -f "$P/1/$f" ] || fail "snapshot 1 lacks $f"; done
grep -q "^public_url https://verify.example.org$" "$P/1/MANIFEST" || fail "the manifest lacks the public URL"
[ ! -e "$P/1/public/lock.mdb" ] || fail "the snapshot holds a lock file"
grep -rqs "$(cat "$D/name.key")" "$P" && fail "the name key is inside a snapshot"
expect 2 ecert-issue publish -d "$D" --keep 2
expect_err "option '--keep' goes with '--to TO'"
expect 2 ecert-issue publish -d "$D" --to "$P" --keep 0
expect_err "option '--keep'"

# shipping, as docs/scaling.md says: the snapshots first (all of a file or none), then the link
ship() { # ship SRC DEST...
	src=$1
	shift
	for d in "$@"; do
		rsync -a --delete --delay-updates --exclude=/current --exclude=/.lock --exclude='/.incoming-*' \
		    --exclude=/.current.new "$src/" "$d/" || fail "rsync to $d"
		rsync -a "$src/current" "$d/" || fail "rsync of the link to $d"
	done
}
ship "$P" "$T/r1" "$T/r2"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
P1=$(free_port)
P2=$(free_port)
P3=$(free_port)
NPORT=$(free_port)
USER_OPT=""
NGINX_USER=""
if [ "$(id -u)" -eq 0 ]; then
	USER_OPT="--user nobody"
	NGINX_USER="user nobody nogroup;"
	chmod 711 "$T"
fi
PIDS=""
# nginx gets SIGTERM: its master stops the workers (killed outright, it would leave them serving on)
NGINX_PID=""
trap '[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM

# replica NAME PORT [OPTION...]: start ecert-verifyd --from $T/NAME; its pid in $RPID
replica() {
	name=$1 port=$2
	shift 2
	# shellcheck disable=SC2086
	"$BIN/ecert-verifyd" --from "$T/$name" --listen "127.0.0.1:$port" --rate 0 $USER_OPT "$@" 2>>"$T/$name.log" &
	RPID=$!
	PIDS="$PIDS $RPID"
	i=0
	# answering at all: a replica with an old snapshot says 503 on /healthz
	until curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" | grep -qE '200|503'; do
		kill -0 "$RPID" 2>/dev/null || { cat "$T/$name.log" >&2; fail "replica $name exited"; }
		i=$((i + 1))
		[ $i -lt 100 ] || fail "replica $name did not start"
		sleep 0.1
	done
}
replica r1 "$P1"
R1=$RPID
replica r2 "$P2"

# what each replica says: status of a number, and its health
status() { curl -fs "http://127.0.0.1:$1/api/v1/certificates/$2" | sed -n 's/.*"status":"\([a-z_]*\)".*/\1/p'; }
health() { curl -s "http://127.0.0.1:$1/healthz"; }
[ "$(status "$P1" "$N1")" = valid ] && [ "$(status "$P2" "$N2")" = valid ] || fail "the replicas do not answer"
health "$P1" | grep -q '^ok snapshot 1 age ' || fail "healthz does not name the snapshot: $(health "$P1")"
curl -fs "http://127.0.0.1:$P1/trust.pem" | cmp -s - "$D/trust.pem" || fail "a replica serves another trust bundle"
curl -fs "http://127.0.0.1:$P2/jwks.json" | grep -q '"keys"' || fail "a replica serves no JWK set"
curl -fs -o "$T/root.crl" "http://127.0.0.1:$P2/crl/root.crl" && cmp -s "$T/root.crl" "$D/crl/root.crl" ||
    fail "a replica serves another root CRL"
# a replica has no name key unless given one: name checks are unavailable, never guessed
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P1/api/v1/certificates/$N1?name=x" | grep -q 503 ||
    fail "a replica without a name key answered a name check"
grep -q '"event":"warning","name_key"' "$T/r1.log" || fail "no warning about the missing name key"
expect 2 ecert-verifyd --from "$T/r1" -d "$D"
expect_err "exclude each other"
expect 2 ecert-verifyd -d "$D" --max-age 60
expect_err "--max-age goes with --from"
expect 2 ecert-verifyd --from "$T/r1" --max-age 0
expect_err "option '--max-age'"
expect 2 ecert-verifyd --from "$T/nowhere" --listen 127.0.0.1:0 $USER_OPT
expect_err "cannot serve the snapshots of '$T/nowhere'"

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
    upstream replicas {
        server 127.0.0.1:$P1 max_fails=1 fail_timeout=2s;
        server 127.0.0.1:$P2 max_fails=1 fail_timeout=2s;
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$NPORT;
        location / {
            proxy_pass http://replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502 http_503 http_504;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 1s;
        }
    }
}
EOF
nginx -t -p "$T/nginx" -c "$T/nginx/nginx.conf" >"$T/nginx-t.log" 2>&1 || { cat "$T/nginx-t.log" >&2; fail "nginx -t refuses the config"; }
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" 2>"$T/nginx.err" &
NGINX_PID=$!
i=0
until [ "$(status "$NPORT" "$N1")" = valid ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$T/nginx.err" "$T/nginx/logs/error.log" >&2; fail "nginx did not come up"; }
	sleep 0.1
done

# wrk through nginx; one replica killed outright after 2 s and started again after 4 s
wrk -t2 -c16 -d8s "http://127.0.0.1:$NPORT/api/v1/certificates/$N1" >"$T/wrk.out" 2>&1 &
WRK=$!
sleep 2
kill -9 "$R1"
wait "$R1" 2>/dev/null
sleep 2
replica r1 "$P1"
R1=$RPID
wait "$WRK" || { cat "$T/wrk.out" >&2; fail "wrk failed"; }
note "$(grep -E 'requests in|Requests/sec' "$T/wrk.out" | tr -s ' ' | tr '\n' ' ')"
grep -qE 'Non-2xx|Socket errors' "$T/wrk.out" && { cat "$T/wrk.out" "$T/nginx/logs/error.log" >&2; fail "requests failed while a replica was down"; }
grep -q 'requests in' "$T/wrk.out" || { cat "$T/wrk.out" >&2; fail "wrk measured nothing"; }

# switching under load: wrk straight at replica 2 while two new snapshots are shipped to it
wrk -t2 -c16 -d5s "http://127.0.0.1:$P2/api/v1/certificates/$N1" >"$T/wrk2.out" 2>&1 &
WRK=$!
for k in 1 2; do
	sleep 1.5
	expect 0 ecert-issue publish -d "$D" --to "$P"
	ship "$P" "$T/r2"
done
wait "$WRK" || { cat "$T/wrk2.out" >&2; fail "wrk failed"; }
grep -qE 'Non-2xx|Socket errors' "$T/wrk2.out" && { cat "$T/wrk2.out" >&2; fail "requests failed while replica 2 switched snapshots"; }
health "$P2" | grep -q '^ok snapshot 3 ' || fail "replica 2 did not switch to snapshot 3: $(health "$P2")"
grep -q '"event":"snapshot","sequence":"2"' "$T/r2.log" && grep -q '"event":"snapshot","sequence":"3"' "$T/r2.log" ||
    fail "replica 2 did not log its switches"
note "$(grep -E 'requests in' "$T/wrk2.out" | tr -s ' ') while replica 2 switched twice"
ship "$P" "$T/r1"

# a revocation: published, shipped, and said by both replicas within 2 s of the switch
expect 0 ecert-issue revoke -d "$D" "$N2" --reason keyCompromise
expect 0 ecert-issue publish -d "$D" --to "$P"
ship "$P" "$T/r1" "$T/r2"
python3 - "$P1" "$P2" "$N2" <<'EOF' || fail "the revocation did not reach both replicas within 2 s"
import json, sys, time, urllib.request
ports, number = sys.argv[1:3], sys.argv[3]
start = time.monotonic()
left = set(ports)
while left and time.monotonic() - start < 2.0:
    for p in list(left):
        with urllib.request.urlopen("http://127.0.0.1:%s/api/v1/certificates/%s" % (p, number)) as r:
            if json.load(r)["status"] == "revoked":
                left.discard(p)
    time.sleep(0.05)
print("# revoked on both replicas %.2f s after the switch" % (time.monotonic() - start))
sys.exit(1 if left else 0)
EOF
health "$P2" | grep -q '^ok snapshot 4 ' || fail "replica 2 does not serve snapshot 4: $(health "$P2")"
[ "$(status "$NPORT" "$N2")" = revoked ] || fail "nginx still answers valid"
curl -fs -o "$T/ca.crl" "http://127.0.0.1:$P1/crl/$(cat "$D/certs/current").crl" && cmp -s "$T/ca.crl" "$D/crl/$(cat "$D/certs/current").crl" ||
    fail "replica 1 does not serve the re-signed CRL"

# a tampered snapshot: one byte of the register changed on its way to replica 1
expect 0 ecert-issue publish -d "$D" --to "$P"
rsync -a "$P/" "$T/evil/"
python3 - "$T/evil/5/public/data.mdb" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(5000)
    b = f.read(1)
    f.seek(5000)
    f.write(bytes([b[0] ^ 1]))
EOF
ship "$T/evil" "$T/r1"
i=0
until grep -q '"event":"snapshot_refused"' "$T/r1.log"; do
	i=$((i + 1))
	[ $i -lt 40 ] || { cat "$T/r1.log" >&2; fail "replica 1 did not refuse the tampered snapshot"; }
	sleep 0.1
done
grep -q "snapshot 5 refused, still serving 4: .*'public/data.mdb' does not match its manifest (SHA-256 differs)" "$T/r1.log" ||
    { cat "$T/r1.log" >&2; fail "the refusal does not name the file"; }
health "$P1" | grep -q '^ok snapshot 4 ' || fail "replica 1 left snapshot 4: $(health "$P1")"
[ "$(status "$P1" "$N2")" = revoked ] || fail "replica 1 stopped answering"
# the next genuine snapshot is taken at once
expect 0 ecert-issue publish -d "$D" --to "$P"
ship "$P" "$T/r1"
i=0
until health "$P1" | grep -q '^ok snapshot 6 '; do
	i=$((i + 1))
	[ $i -lt 40 ] || { cat "$T/r1.log" >&2; fail "replica 1 did not take snapshot 6: $(health "$P1")"; }
	sleep 0.1
done

# keep: only the newest snapshots stay with the office
expect 0 ecert-issue publish -d "$D" --to "$P" --keep 2
[ "$(ls "$P")" = "$(printf '6\n7\ncurrent')" ] || fail "publish --keep 2 left: $(ls "$P" | tr '\n' ' ')"

# too old: /healthz says 503 so a balancer drops the replica, and it still answers whoever asks
sleep 1.1
replica r2 "$P3" --max-age 1
health "$P3" | grep -q '^stale snapshot 4 age [0-9]*s (over --max-age)$' || fail "an old snapshot is not stale: $(health "$P3")"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P3/healthz" | grep -q 503 || fail "a stale replica's healthz is not 503"
[ "$(status "$P3" "$N1")" = valid ] || fail "a stale replica stopped answering"

# every command that changes a certificate publishes when ecert.conf says where
printf 'publish_to = %s\npublish_keep = 2\n' "$T/auto" >>"$D/ecert.conf"
expect 0 ecert-issue revoke -d "$D" "$N1" --reason affiliationChanged
expect_err "published snapshot 1 to '$T/auto'"
[ "$(readlink "$T/auto/current")" = 1 ] || fail "no snapshot after the revocation"
expect 0 ecert-issue list -d "$D"
[ ! -e "$T/auto/2" ] || fail "a command that changes nothing published"
sed -i '/^publish_to/d; /^publish_keep/d' "$D/ecert.conf"
printf 'publish_to = relative/path\n' >>"$D/ecert.conf"
expect 2 ecert-issue revoke -d "$D" "$N1" --reason affiliationChanged
expect_err "publish_to 'relative/path' is not an absolute path"
