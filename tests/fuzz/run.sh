#!/bin/sh
# Run libFuzzer harnesses: usage tests/fuzz/run.sh SECONDS build/fuzz/fuzz_X...
# Each runs for SECONDS over a scratch directory (where new inputs go) and its committed corpus
# tests/fuzz/corpus/X/ (read only: every file in it, regression inputs included, runs first), with the
# dictionary tests/fuzz/X.dict when there is one.
# A crash leaves its input in build/fuzz/artifacts/ and fails the run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
secs=${1:?usage: tests/fuzz/run.sh SECONDS FUZZER...}
shift
art=build/fuzz/artifacts
mkdir -p "$art"
status=0
for f in "$@"; do
	name=$(basename "$f" | sed 's/^fuzz_//')
	corpus=tests/fuzz/corpus/$name
	[ -d "$corpus" ] || { echo "fuzz: no corpus $corpus" >&2; status=1; continue; }
	work=$(mktemp -d "${TMPDIR:-/tmp}/ecert-fuzz.XXXXXX")
	echo "fuzz: $name for ${secs}s ($(ls "$corpus" | wc -l) seeds)"
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	# shellcheck disable=SC2086
	"$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 $dict \
		-artifact_prefix="$art/$name-" "$work" "$corpus" >"$work.log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' "$work.log" | sed 's/^/  /'
	if [ "$rc" -ne 0 ]; then
		tail -n 60 "$work.log"
		echo "fuzz: $name FAILED (exit $rc); the input is in $art/"
		status=1
	fi
	rm -rf "$work" "$work.log"
done
exit $status
