# Shared helpers for the end-to-end scripts: sourced, never run.
# Every script runs from the top of the tree with the tools in build/bin and a throwaway $T.
set -u
TOP=$(pwd)
BIN=$TOP/build/bin
PATH=$BIN:$PATH
export PATH
T=$(mktemp -d "${TMPDIR:-/tmp}/ecert-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
# `make valgrind`: every tool runs under memcheck; an error or a leak makes it exit 99.
if [ "${ECERT_VALGRIND:-0}" = 1 ]; then
	mkdir "$T/vg"
	for b in "$BIN"/*; do
		printf '#!/bin/sh\nexec %s %s "$@"\n' "$("$TOP/tests/valgrind.sh")" "$b" >"$T/vg/${b##*/}"
		chmod +x "$T/vg/${b##*/}"
	done
	BIN=$T/vg
	PATH=$BIN:$PATH
	ECERT_MAP_SIZE=$((1 << 30))   # valgrind cannot reserve the registers' default 64 GB maps
	export ECERT_MAP_SIZE
fi
export ECERT_PASS=e2e-issuing-pass ECERT_ROOT_PASS=e2e-root-pass
unset ECERT_HOME

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "# $*"; }

# npm_module PACKAGE VERSION: build/npm holds the npm PACKAGE (test tools only; no browser is downloaded).
# Returns 1 when npm is missing or cannot install it.
NPM=$TOP/build/npm
npm_module() {
	[ -f "$NPM/node_modules/$1/package.json" ] && return 0
	command -v npm >/dev/null || return 1
	note "installing $1@$2 into build/npm"
	mkdir -p "$NPM"
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$NPM" --no-audit --no-fund --loglevel=error "$1@$2" \
		>"$T/npm.log" 2>&1 || { tail -n 20 "$T/npm.log" >&2; return 1; }
}

# pdfjs DPI OUTDIR FILE.pdf...: pdf.js (npm pdfjs-dist in Debian's Chromium, data/pdfjs_render.js) renders each
# PDF to OUTDIR/NAME.png and writes its text to OUTDIR/NAME.txt; any pdf.js warning fails. Returns 77 when
# Chromium, node or the npm packages are not to be had.
pdfjs() {
	chromium=$(command -v chromium || command -v chromium-browser) || return 77
	command -v node >/dev/null || return 77
	{ npm_module puppeteer-core 22 && npm_module pdfjs-dist 3.11.174; } || return 77
	mkdir -p "$2"
	CHROMIUM=$chromium NODE_PATH="$NPM/node_modules" node "$TOP/tests/e2e/data/pdfjs_render.js" "$@"
}

# expect CODE CMD...: run CMD, require exit status CODE; its stdout/stderr go to $T/out and $T/err.
expect() {
	want=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" -eq "$want" ] || { cat "$T/out" "$T/err" >&2; fail "'$*' exited $got, expected $want"; }
}
# expect_err TEXT: the last command's stderr contains TEXT.
expect_err() { grep -qF -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks '$1'"; }; }
expect_out() { grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks '$1'"; }; }

# The catalogue picks the design by certification (render has no option for it): make sure HCIA-AI
# still prints with the associate design and HCIP-AI with the professional one, both electronic.
expect_designs() {
	expect 0 ecert-issue catalog --json
	for want in 'HCIA-AI associate' 'HCIP-AI professional'; do
		python3 -c 'import json,sys
code, tpl = sys.argv[1].split()
sys.exit(not any(c["code"] == code and c["template"] == tpl and "electronic" in c["formats"] for c in json.load(open(sys.argv[2]))))' \
		    "$want" "$T/out" || fail "the catalogue no longer maps ${want% *} to the ${want#* } template (electronic)"
	done
}
