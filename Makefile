# ecert: one non-recursive Makefile for the library, the four tools, tests, demo and benchmarks.
# `make` builds into build/; `make check` also builds an ASan+UBSan copy into build/asan/.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/ecert
DESTDIR ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Werror=implicit-function-declaration
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
DEFS     = -D_GNU_SOURCE -DEC_VERSION='"$(VERSION)"' -DEC_DATADIR='"$(DATADIR)"'

# pkg-config runs when a recipe does, after the dependency step has installed what is missing.
PKGS_ALL    = libcrypto lmdb libmicrohttpd harfbuzz-subset fribidi libqrencode libpng libcurl libutf8proc zlib libqpdf
PKGS_TEST   = $(PKGS_ALL) cmocka
PKGS_CA     = libcrypto libutf8proc
PKGS_ISSUE  = libcrypto lmdb harfbuzz-subset fribidi libqrencode libpng libcurl libutf8proc zlib
PKGS_VD     = libcrypto lmdb libmicrohttpd libutf8proc
PKGS_PD     = libcrypto lmdb libmicrohttpd harfbuzz-subset fribidi libqrencode libpng libcurl libutf8proc zlib
PKGS_V      = libcrypto zlib libqpdf
pc_cflags   = $(shell pkg-config --cflags $(PKGS_ALL))
pc_libs     = $(shell pkg-config --libs $(1))
# libharu writes every PDF (lib/render/); it has no pkg-config file
HPDF_LIBS   = -lhpdf -lm

B   = build
BA  = build/asan
# `make V=1` shows full command lines.
say = $(if $(V),,@printf '  %-6s %s\n' $(1) $(2);)

# lib/<area>/: libecert.a; lib/sign/ alone: libecert-sign.a, which only ecert-ca, ecert-issue, the unit
# tests and the benchmarks link, so a verifier or the portal calling signing code fails to link.
LIB_SRC  = $(sort $(filter-out lib/sign/%,$(wildcard lib/*/*.c)))
SIGN_SRC = $(sort $(wildcard lib/sign/*.c))
INC      = -Ilib/include/ecert -Ilib/pki
CA_SRC   = $(sort $(wildcard ca/*.c))
IS_SRC   = $(sort $(wildcard issuer/*.c))
VD_SRC   = $(sort $(wildcard verifier/verifyd*.c))
PD_SRC   = $(sort $(wildcard portal/portald*.c))
V_SRC    = $(sort $(wildcard verifier/verify.c verifier/verify_*.c))
UT_SRC   = $(sort $(wildcard tests/unit/*/test_*.c))
UT_HELP  = $(sort $(wildcard tests/unit/helper_*.c))
BENCH_SRC = $(sort $(wildcard bench/*.c))
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))

objs     = $(patsubst %.c,$(1)/obj/%.o,$(2))
LIB_A    = $(B)/libecert.a
LIB_AA   = $(BA)/libecert.a
SIGN_A   = $(B)/libecert-sign.a
SIGN_AA  = $(BA)/libecert-sign.a

BINS     = $(if $(CA_SRC),$(B)/bin/ecert-ca) $(if $(IS_SRC),$(B)/bin/ecert-issue) \
           $(if $(VD_SRC),$(B)/bin/ecert-verifyd) $(if $(V_SRC),$(B)/bin/ecert-verify) \
           $(if $(PD_SRC),$(B)/bin/ecert-portald)
UTESTS   = $(patsubst tests/unit/%.c,$(B)/test/%,$(UT_SRC))
UTESTS_A = $(patsubst tests/unit/%.c,$(BA)/test/%,$(UT_SRC))
BENCHES  = $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_SRC))

# libFuzzer harnesses: clang, their own object tree (coverage + ASan + UBSan), one binary per tests/fuzz/fuzz_X.c.
FZ       = build/fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZERS  = $(patsubst tests/fuzz/%.c,$(FZ)/%,$(FUZZ_SRC))
LIB_AF   = $(FZ)/libecert.a
SIGN_AF  = $(FZ)/libecert-sign.a

.PHONY: all deps deps-check deps-bench check unit e2e demo bench install uninstall clean fuzz fuzzers soak valgrind
.DELETE_ON_ERROR:
# keep the objects of pattern-built binaries, so a second `make check` rebuilds nothing
.SECONDARY:

all: $(BINS)

deps:
	@scripts/deps.sh build
deps-check:
	@scripts/deps.sh check
deps-bench:
	@scripts/deps.sh bench

$(B)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(CFLAGS) $(WARN) $(DEFS) $(INC) $(pc_cflags) -MMD -MP -c $< -o $@

$(BA)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(CFLAGS) $(SANFLAGS) $(WARN) $(DEFS) $(INC) $(pc_cflags) -MMD -MP -c $< -o $@

$(FZ)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(call say,CLANG,$@)$(FUZZ_CC) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(WARN) $(DEFS) $(INC) \
		$(pc_cflags) -MMD -MP -c $< -o $@

$(LIB_A): $(call objs,$(B),$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(LIB_AA): $(call objs,$(BA),$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(SIGN_A): $(call objs,$(B),$(SIGN_SRC))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(SIGN_AA): $(call objs,$(BA),$(SIGN_SRC))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(SIGN_AF): $(call objs,$(FZ),$(SIGN_SRC))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

# Each tool links the static libraries, so it pulls in only the objects it uses. The verifiers are
# never given libecert-sign.a: signing code in them is a link error (tests/nm-check.sh checks again).
$(B)/bin/ecert-ca: $(call objs,$(B),$(CA_SRC)) $(SIGN_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(CFLAGS) -o $@ $^ $(call pc_libs,$(PKGS_CA))

$(B)/bin/ecert-issue: $(call objs,$(B),$(IS_SRC)) $(SIGN_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(CFLAGS) -pthread -o $@ $^ $(call pc_libs,$(PKGS_ISSUE)) $(HPDF_LIBS)

$(B)/bin/ecert-verifyd: $(call objs,$(B),$(VD_SRC)) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(CFLAGS) -pthread -o $@ $^ $(call pc_libs,$(PKGS_VD))

$(B)/bin/ecert-portald: $(call objs,$(B),$(PD_SRC)) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(CFLAGS) -pthread -o $@ $^ $(call pc_libs,$(PKGS_PD)) $(HPDF_LIBS)

$(B)/bin/ecert-verify: $(call objs,$(B),$(V_SRC)) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(CFLAGS) -o $@ $^ $(call pc_libs,$(PKGS_V))

$(B)/test/%: $(B)/obj/tests/unit/%.o $(call objs,$(B),$(UT_HELP)) $(SIGN_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(CFLAGS) -pthread -o $@ $^ $(call pc_libs,$(PKGS_TEST)) $(HPDF_LIBS)

$(BA)/test/%: $(BA)/obj/tests/unit/%.o $(call objs,$(BA),$(UT_HELP)) $(SIGN_AA) $(LIB_AA)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(CFLAGS) $(SANFLAGS) -pthread -o $@ $^ $(call pc_libs,$(PKGS_TEST)) $(HPDF_LIBS)

$(LIB_AF): $(call objs,$(FZ),$(LIB_SRC))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(FZ)/fuzz_%: $(FZ)/obj/tests/fuzz/fuzz_%.o $(FZ)/obj/tests/fuzz/helper.o $(SIGN_AF) $(LIB_AF)
	$(call say,LD,$@)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -pthread -o $@ $^ $(call pc_libs,$(PKGS_ALL)) $(HPDF_LIBS)

$(B)/bench/%: $(B)/obj/bench/%.o $(SIGN_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(CFLAGS) -pthread -o $@ $^ $(call pc_libs,$(PKGS_ALL)) $(HPDF_LIBS)

unit: $(UTESTS) $(UTESTS_A)

# The whole suite: unit tests (plain and sanitised), the symbol split, a few seconds of each fuzzer,
# end-to-end tests with real peers (tests/e2e/portal.sh also uses the bench's session maker,
# tests/e2e/publish_scale.sh its register filler).
check: deps-check
	@$(MAKE) --no-print-directory all unit fuzzers $(B)/bench/portal_sessions $(B)/bench/reg_lookup
	@tests/run.sh $(UTESTS) $(UTESTS_A)

fuzzers: $(FUZZERS)

# Each harness for FUZZ_SECONDS from its committed corpus (new inputs go to a scratch directory);
# a crashing input lands in build/fuzz/artifacts/.
fuzz: deps-check
	@$(MAKE) --no-print-directory fuzzers
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# ecert-verifyd for SOAK_SECONDS (default 600) under wrk, then under slowloris (tests/soak.sh). Not part of check.
soak: deps-bench
	@$(MAKE) --no-print-directory all
	@tests/soak.sh

# The plain unit tests and the end-to-end tests with every tool under valgrind memcheck (tests/valgrind.sh);
# the crash tests run smaller. Not part of check: it takes a while.
valgrind:
	@scripts/deps.sh valgrind
	@$(MAKE) --no-print-directory all $(UTESTS)
	@ECERT_VALGRIND=1 ECERT_CRASH_N=300 ECERT_CRASH_KILLS=2 ECERT_CRASH_OPS_SECONDS=30 ECERT_CRASH_OPS_N=30 \
		tests/run.sh $(UTESTS)

demo:
	@scripts/deps.sh demo
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BENCHES)
	@bench/run.sh $(if $(QUICK),--quick)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/templates \
		$(DESTDIR)$(DATADIR)/templates/mail $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	for b in $(BINS); do \
		case $$b in *verifyd|*portald) d=$(SBINDIR);; *) d=$(BINDIR);; esac; \
		install -m 0755 $$b $(DESTDIR)$$d/; done
	for f in templates/*; do [ -f "$$f" ] && install -m 0644 "$$f" $(DESTDIR)$(DATADIR)/templates/; done; true
	for f in templates/mail/*; do [ -f "$$f" ] && install -m 0644 "$$f" $(DESTDIR)$(DATADIR)/templates/mail/; done; true
	for m in docs/man/*.1; do [ -f "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man1/; done; true
	for m in docs/man/*.8; do [ -f "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man8/; done; true

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ecert-ca $(DESTDIR)$(BINDIR)/ecert-issue $(DESTDIR)$(BINDIR)/ecert-verify \
		$(DESTDIR)$(SBINDIR)/ecert-verifyd $(DESTDIR)$(SBINDIR)/ecert-portald
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard docs/man/*.1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(wildcard docs/man/*.8)))
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
