#!/bin/sh
# Run the whole suite: the unit-test binaries given as arguments, the symbol-split check and every
# end-to-end script in tests/e2e/. Prints one line per test and a closing "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
pass=0 fail=0 skip=0 failed=""
log=build/test-logs
rm -rf "$log" && mkdir -p "$log"

run() { # run NAME CMD...: a test passes on 0, is skipped on 77
	name=$1; shift
	out="$log/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s)
	"$@" >"$out" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0)  pass=$((pass + 1)); echo "ok    $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP  $name: $(tail -n 1 "$out")" ;;
	*)  fail=$((fail + 1)); failed="$failed $name"; echo "FAIL  $name (exit $rc)"; tail -n 30 "$out" | sed 's/^/      /' ;;
	esac
}

vg=""   # ECERT_VALGRIND=1 (make valgrind): the plain unit tests and every tool the e2e tests run under memcheck
if [ "${ECERT_VALGRIND:-0}" = 1 ]; then
	vg=$(tests/valgrind.sh)
	export ECERT_MAP_SIZE=$((1 << 30))   # valgrind cannot reserve the registers' default 64 GB maps
fi
for t in "$@"; do
	case $t in
	*/asan/*) run "unit-asan/$(basename "$t")" env ASAN_OPTIONS=detect_leaks=1 "$t" ;;
	*) run "unit/$(basename "$t")" $vg "$t" ;;
	esac
done
run nm-check tests/nm-check.sh
if [ -z "$vg" ]; then   # a few seconds of each fuzzer that `make fuzzers` built
	for f in build/fuzz/fuzz_*; do
		[ -x "$f" ] && run "fuzz/${f##*/fuzz_}" tests/fuzz/run.sh "${FUZZ_SMOKE_SECONDS:-3}" "$f"
	done
fi
for s in tests/e2e/*.sh; do
	case $(basename "$s") in lib.sh | lib_*.sh) continue ;; esac   # sourced helpers, not tests
	run "e2e/$(basename "$s" .sh)" sh "$s"
done

echo
[ -n "$failed" ] && echo "failed:$failed (logs in $log/)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
