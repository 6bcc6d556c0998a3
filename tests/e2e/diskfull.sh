#!/bin/sh
# A full disk during issuance: the state directory on a small tmpfs this test mounts (and unmounts); where
# mounting is not permitted the test is skipped, visibly. `issue --all` must fail with exit 2 and a clear
# "No space left on device" naming what it could not write; afterwards both registers still open and the
# audit chain holds; once space returns (the tmpfs remounted bigger) `audit verify` passes and issuing
# completes, every certificate once, the public register in step with the office one. A revocation on
# the full disk fails as clearly and completes when re-run with space, its CRL listing it.
. tests/e2e/lib.sh
[ -x "$BIN/ecert-ca" ] && [ -x "$BIN/ecert-issue" ] || skip "ecert-ca or ecert-issue not built"
command -v mdb_stat >/dev/null || skip "mdb_stat (lmdb-utils) not installed"

N=${ECERT_DISKFULL_N:-3000}
M=$T/small
D=$M/state
export ECERT_NOW=2026-03-10
I() { ecert-issue "$@" -d "$D"; }
mkdir "$M"
mount -t tmpfs -o size=1m,mode=0700 ecert-diskfull "$M" 2>"$T/mount.err" ||
	skip "cannot mount a tmpfs here ($(head -n 1 "$T/mount.err")): disk-full behaviour not tested"
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT INT TERM

# the state is made on the big disk, then moved onto a tmpfs with only a little room to spare
S=$T/big
expect 0 ecert-ca init -d "$S" --org "Disk Full Certification Body"
cp tests/e2e/data/catalog.conf "$S/catalog.conf"
awk -v n="$N" 'BEGIN {
	print "registration_no,last_name,first_name,email,tel,certification,exam_date,result"
	for (i = 1; i <= n; i++)
		printf "F%05d,Nguyễn%d,Zoë,f%d@example.org,+86 139%08d,NET-A,2026-03-02,pass\n", i, i, i, i
}' >"$T/results.csv"
awk -v n="$N" 'BEGIN {
	print "registration_no,format,name,email,tel,address,consent"
	for (i = 1; i <= n; i++)
		printf "F%05d,electronic,Zoë Nguyễn %d,,,,yes\n", i, i
}' >"$T/apply.csv"
expect 0 ecert-issue import "$T/results.csv" -d "$S"
expect 0 ecert-issue apply --csv "$T/apply.csv" -d "$S"
expect 0 ecert-issue issue F00001 F00002 -d "$S"
expect 0 ecert-issue revoke "$(ecert-issue list --status valid --json -d "$S" | grep -o '"number":"[0-9]*"' |
	head -n 1 | cut -d'"' -f4)" --reason keyCompromise -d "$S"
used=$(du -sk "$S" | cut -f1)
# issuing N certificates needs a few MB more; give the file system 512 KB beyond what is there
umount "$M" && mount -t tmpfs -o size=$((used + 512))k,mode=0700 ecert-diskfull "$M" || fail "cannot remount the tmpfs"
cp -a "$S" "$D" || fail "cannot copy the state onto the tmpfs"
note "state of $used KB on a tmpfs of $((used + 512)) KB"

# some issued on the tmpfs while there is room, then the rest, which does not fit
expect 0 I issue $(awk 'BEGIN { for (i = 3; i <= 40; i++) printf "F%05d ", i }')
expect 2 I issue --all
expect_err "No space left on device"
grep -q "'$D/[a-z]*'" "$T/err" || { cat "$T/err" >&2; fail "the message does not name what could not be written"; }
note "full: $(head -n 1 "$T/err")"
# nothing already stored is lost: the registers open, the chain holds, the issued certificates are intact
expect 0 I audit verify
mdb_stat -s cert "$D/public" >/dev/null || fail "the public register does not open on the full disk"
before=$(I list --status valid --json | grep -c '"number":"')
note "$before certificates issued before the disk filled up"
[ "$before" -lt "$N" ] || fail "everything was issued: the file system was not full"

# a revocation whose CRL cannot be written: clear failure, then completed once there is room
num=$(I list --status valid --json | grep -o '"number":"[0-9]*"' | head -n 1 | cut -d'"' -f4)
dd if=/dev/zero of="$M/filler" bs=4k 2>/dev/null
I revoke "$num" --reason affiliationChanged >"$T/out" 2>"$T/err"
rc=$?
note "revoke on a full disk: exit $rc: $(head -n 1 "$T/err")"
[ "$rc" -eq 2 ] || { cat "$T/out" "$T/err" >&2; fail "revoke on a full disk exits $rc, not 2"; }
expect_err "No space left on device"
rm -f "$M/filler"

# space returns: the re-run revocation completes (its writable open also brings the public register up
# to date, which the full disk left one change behind), then the audit holds and issuing completes
mount -o remount,size=64m "$M" || fail "cannot grow the tmpfs"
expect 0 I revoke "$num" --reason affiliationChanged
expect 0 I audit verify
KID=$(cat "$D/certs/current")
if command -v openssl >/dev/null; then
	openssl crl -inform DER -in "$D/crl/$KID.crl" -noout -text | grep -c 'Serial Number:' >"$T/ncrl"
	[ "$(cat "$T/ncrl")" -eq 2 ] || fail "the CRL lists $(cat "$T/ncrl") certificates, not 2"
fi
expect 0 I issue --all
I list --json >"$T/list.json"
total=$(grep -c '"number":"' "$T/list.json")
[ "$total" -eq "$N" ] || fail "$total certificates after the re-run, not $N"
[ -z "$(grep -o '"number":"[0-9]*"' "$T/list.json" | sort | uniq -d)" ] || fail "a number appears twice"
pub=$(mdb_stat -s cert "$D/public" | sed -n 's/^ *Entries: *//p')
[ "$pub" = "$N" ] || fail "the public register holds $pub certificates, the office $N"
expect 0 I audit verify
expect_out "certificates: $N verified"
echo "diskfull: ok"
