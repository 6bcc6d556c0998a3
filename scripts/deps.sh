#!/bin/sh
# Install the Debian packages ecert needs when something is missing; silent and fast when all is there.
# usage: scripts/deps.sh build|demo|check|bench|valgrind
set -eu

need=""
want() { # want PACKAGE: add once
	case " $need " in *" $1 "*) ;; *) need="$need $1" ;; esac
}
pc() { pkg-config --exists "$1" 2>/dev/null || want "$2"; }
cmd() { command -v "$1" >/dev/null 2>&1 || want "$2"; }
file() { [ -e "$1" ] || want "$2"; }

mode=${1:-build}

cmd cc build-essential
cmd make make
cmd pkg-config pkg-config
pc libcrypto libssl-dev
pc lmdb liblmdb-dev
pc libmicrohttpd libmicrohttpd-dev
pc harfbuzz-subset libharfbuzz-dev
pc libutf8proc libutf8proc-dev
pc zlib zlib1g-dev
pc libqpdf libqpdf-dev
pc fribidi libfribidi-dev
pc libqrencode libqrencode-dev
pc libpng libpng-dev
pc libcurl libcurl4-openssl-dev
file /usr/include/hpdf.h libhpdf-dev
# the fonts the shipped templates print with: Latin, Greek and Cyrillic; CJK; Hangul; the Noto
# TrueType families for the scripts HarfBuzz shapes (docs/templates.md lists the files)
file /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core
file /usr/share/fonts/truetype/arphic/uming.ttc fonts-arphic-uming
file /usr/share/fonts/truetype/nanum/NanumMyeongjoBold.ttf fonts-nanum
file /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf fonts-noto-core
cmd openssl openssl

case "$mode" in
demo)
	# the demo's local SMTP server, which keeps the portal's sign-in mail for the demo to read
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || want python3-aiosmtpd
	;;
esac
case "$mode" in
check|bench|valgrind)
	pc cmocka libcmocka-dev
	cmd mdb_stat lmdb-utils
	cmd pdftotext poppler-utils
	cmd zbarimg zbar-tools
	cmd curl curl
	# the SMTP server the mail tests deliver to (tests/e2e/mail.sh)
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || want python3-aiosmtpd
	# peak RSS of the outbox's sender (tests/e2e/mail.sh) and of the verifier (tests/e2e/verify.sh)
	file /usr/bin/time time
	# the X.509 peers that judge our certificates and CRLs (tests/e2e/interop.sh)
	cmd certtool gnutls-bin
	# tools that re-save PDFs, as holders' software does (tests/e2e/verify_resaved.sh)
	cmd qpdf qpdf
	cmd mutool mupdf-tools
	cmd gs ghostscript
	# a real browser for the portal and the verification page (tests/e2e/portal_browser.sh drives it
	# with npm puppeteer-core, which it installs into build/npm)
	cmd chromium chromium
	cmd node nodejs
	cmd npm npm
	# the documented deployment, attacked (tests/e2e/nginx_front.sh); replicas fed by rsync, behind
	# nginx, under wrk's load while one is killed (tests/e2e/replicas.sh)
	cmd nginx nginx-light
	cmd rsync rsync
	cmd wrk wrk
	cmd go golang-go
	[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import cryptography' 2>/dev/null || want python3-cryptography
	# the fuzz harnesses: clang and its libFuzzer runtime (libclang-rt-dev: the default clang's)
	cmd clang clang
	if command -v clang >/dev/null 2>&1; then
		file "$(clang --print-runtime-dir)/libclang_rt.fuzzer-$(uname -m).a" libclang-rt-dev
	else
		want libclang-rt-dev
	fi
	;;
esac
case "$mode" in
valgrind)
	cmd valgrind valgrind
	;;
esac
case "$mode" in
bench)
	cmd wrk wrk
	cmd nginx nginx-light
	;;
esac

[ -z "$need" ] && exit 0

echo "deps: installing$need" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: not root; install these packages with: sudo apt-get install$need" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >&2
