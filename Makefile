# Makefile - the one build of Panoptes.  Read it top to bottom.
#
#   make            build build/panoptes
#   make run        install missing Debian packages, build, serve on 127.0.0.1:8080
#   make test       install missing packages, then every test, also under ASan+UBSan
#   make check      unit + integration tests of the current build (no install step)
#   make check-asan the same suite built with SANITIZE=1 into build-asan/
#   make fuzz       run every fuzz target for FUZZ_SECONDS (default 60)
#   make bench      benchmarks (bench/README.md)
#   make deps       only the package install step
#   make install    install under $(DESTDIR)$(PREFIX) (default /usr/local)

include config.mk

# Every source but the entry point goes into one static library.
LIB_SRC  := $(wildcard lib/*.c store/*.c parsers/*.c engines/*.c analysis/*.c server/*.c \
              net/*.c sandbox/*.c)
CLI_SRC  := $(wildcard cli/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
LIBPN    := $(BUILD)/libpanoptes.a
BIN      := $(BUILD)/panoptes

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

DATA     ?= ./var
LISTEN   ?= 127.0.0.1:8080
FUZZ_SECONDS ?= 60

PREFIX   ?= /usr/local
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions

.PHONY: all run test check check-asan fuzz fuzz-replay-bins bench deps clean lint install sandbox-windows

all: $(BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBPN): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIBPN)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBPN) $(LDLIBS)

# Unit tests may include the .c under test to reach static functions;
# tests/unit/<test>_ref.cpp are C++ reference shims (e.g. over libtlsh),
# compiled with C++ flags and linked when present.
$(BUILD)/tests/%_ref.o: tests/unit/%_ref.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=gnu++17 $(OPT) $(SAN) -fPIE -I/usr/include -c -o $@ $<

.PRECIOUS: $(BUILD)/tests/%_ref.o
.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIBPN) \
    $$(if $$(wildcard tests/unit/$$*_ref.cpp),$(BUILD)/tests/$$*_ref.o)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(filter %_ref.o,$^) $(LIBPN) $(LDFLAGS) $(LDLIBS) \
	  $(if $(filter %_ref.o,$^),-ltlsh -lstdc++)

deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh $(BIN) $(DATA) $(LISTEN)

test: deps
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory check-asan

check: all $(UNIT_BIN) fuzz-replay-bins
	@tests/run-tests.sh $(BUILD)

check-asan:
	@$(MAKE) --no-print-directory SANITIZE=1 check

# Fuzz targets: libFuzzer builds (clang) for `make fuzz`, and the same sources
# linked with a corpus replayer for `make check`.
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
fuzz-replay-bins: $(FUZZ_REPLAY)
$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(LIBPN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< tests/fuzz/replay.c $(LIBPN) $(LDFLAGS) $(LDLIBS)

fuzz:
	@tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS)

bench: all
	@bench/run.sh $(BIN)

# The binary finds its rules and signatures in ../share/panoptes (pn_builtin_path).
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/panoptes/engines \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/panoptes
	cp -R rules $(DESTDIR)$(PREFIX)/share/panoptes/
	cp -R engines/sigs engines/hashlists $(DESTDIR)$(PREFIX)/share/panoptes/engines/
	if [ -d web ]; then cp -R web $(DESTDIR)$(PREFIX)/share/panoptes/; fi
	install -m 644 docs/panoptes.1 $(DESTDIR)$(PREFIX)/share/man/man1/panoptes.1
	install -m 644 completions/panoptes.bash $(DESTDIR)$(BASHCOMPDIR)/panoptes
	install -m 644 completions/panoptes.zsh $(DESTDIR)$(ZSHCOMPDIR)/_panoptes

lint:
	@scripts/lint.sh

# The Windows runner's golden Wine prefix (docs/internals/sandbox-wine.md):
# `make sandbox-windows` prepares the configured one (sandbox.wine_dir) now
# instead of on first use; the tests of both builds share one under build/.
export PANOPTES_WINE_CACHE ?= $(CURDIR)/build/wine-cache
sandbox-windows: $(BIN)
	$(BIN) sandbox wine-prepare

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
