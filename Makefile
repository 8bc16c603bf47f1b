# maws: build, test and demo. `make test` and `make demo` install what they need themselves.
SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
PYTHON ?= python3
VENV ?= .venv
RELEASE_BIN := .build/release/maws
DEBUG_BIN := .build/debug/maws
APT_PACKAGES := libcurl4-openssl-dev libssl-dev ca-certificates fish tinyproxy chromium chromium-driver wrk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build build-roles debug test unit-test integration-test demo install uninstall deps venv lock bench clean \
	format lint \
	fuzz fuzz-build fuzz-target fuzz-minimize fuzz-replay

all: build

## Debian packages the build and the tests need (installed only when missing).
deps:
	@command -v $(SWIFT) >/dev/null || { echo "maws needs a Swift 6 toolchain on PATH (swift.org/install)"; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -m venv --help >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## The Python virtual environment of the test stack: exactly the versions in its lock, then the
## stack itself (maws_stack, editable, so that edits to it need no reinstall), built with the lock's
## setuptools and wheel (no build isolation: nothing fetched beyond the lock). Made anew whenever
## the lock or the package's definition changes; `pip check` proves the lock meets requirements.txt.
STACK := Tests/stack
PIP_QUIET := --quiet --disable-pip-version-check
venv: $(VENV)/.installed
$(VENV)/.installed: $(STACK)/requirements.lock $(STACK)/requirements.txt $(STACK)/pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(VENV)/bin/pip install $(PIP_QUIET) --no-deps -r $(STACK)/requirements.lock
	$(VENV)/bin/pip install $(PIP_QUIET) --no-deps --no-build-isolation -e $(STACK)
	$(VENV)/bin/pip check $(PIP_QUIET)
	@touch $@

## Regenerates $(STACK)/requirements.lock from requirements.txt: the newest versions its ranges
## allow, everything they pull in and the tools that build maws_stack, resolved in a throwaway venv
## where maws_stack is then installed as `make venv` does, and checked; the lock's leading comment
## lines are kept. (wheel < 0.46: setuptools before 70.1 builds editable wheels with wheel's own
## bdist_wheel, which 0.46 dropped.) Review the diff, then `make venv` and the tests.
lock:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install $(PIP_QUIET) -r $(STACK)/requirements.txt "setuptools>=64" "wheel<0.46"; \
	"$$tmp/venv/bin/pip" install $(PIP_QUIET) --no-deps --no-build-isolation -e $(STACK); \
	"$$tmp/venv/bin/pip" check $(PIP_QUIET); \
	{ awk '!/^#/ { exit } { print }' $(STACK)/requirements.lock; \
	  "$$tmp/venv/bin/pip" freeze --all --exclude pip --exclude-editable; } > "$$tmp/lock"; \
	cp "$$tmp/lock" $(STACK)/requirements.lock; \
	echo "$(STACK)/requirements.lock regenerated: review git diff $(STACK)/requirements.lock"

## Release binary, Swift runtime linked statically. Every module, the dependencies' too, reaches
## the metadata of generic types through accessor functions rather than by mangled name: decoding a
## name at run time checks its generic requirements (`String: Hashable`) by scanning all of the
## binary's protocol conformance records, some 100,000 instructions each (see Linker/README.md).
##
## No build puts $ORIGIN on the library search path (SwiftPM's default): maws needs no library of
## its own, and with it the loader would first look for libc, libm and libcurl beside the binary,
## a way in for anybody who can write to that folder, and some forty failed lookups at every start.
LOCAL_FLAGS := --disable-local-rpath
RELEASE_FLAGS := -c release --static-swift-stdlib $(LOCAL_FLAGS) \
	-Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors
build: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product maws

debug: deps
	$(SWIFT) build $(LOCAL_FLAGS) --build-tests

test: unit-test integration-test

unit-test: deps
	$(SWIFT) build $(LOCAL_FLAGS) --build-tests
	$(SWIFT) test $(LOCAL_FLAGS) --skip-build

integration-test: deps venv
	$(SWIFT) build $(LOCAL_FLAGS) --product maws && $(SWIFT) build $(LOCAL_FLAGS) --product maws-roles
	MAWS_BIN=$(abspath $(DEBUG_BIN)) $(VENV)/bin/python -m pytest -q Tests/integration

## Formatting: `swift format` with the committed .swift-format. `lint` checks it (warnings are
## errors) and that no MawsCore folder uses one above it (Tests/lint/layers.py); CI runs lint.
SWIFT_SOURCES := Package.swift Sources Tests/MawsCoreTests Tests/MawsRolesTests Tests/MawsCLITests Tests/MawsFuzzTests Tests/Support

format:
	$(SWIFT) format --in-place --recursive --parallel $(SWIFT_SOURCES)

lint:
	$(SWIFT) format lint --strict --recursive --parallel $(SWIFT_SOURCES)
	$(PYTHON) Tests/lint/layers.py

## Runs maws's main job end to end against the local stack (its roles API is the project's own
## maws-roles server; a debug build of it is enough for the demo).
demo: build venv
	$(SWIFT) build $(LOCAL_FLAGS) --product maws-roles
	MAWS_ROLES_BIN=$(abspath .build/debug/maws-roles) $(VENV)/bin/python Tests/stack/demo.py --maws $(abspath $(RELEASE_BIN))

## The organisation's server and builder, release build.
build-roles: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product maws-roles

## Warm-path benchmark against the Python original (hyperfine; see bench/bench.py).
bench:
	bench/run

## Fuzzing (not part of `make test` or CI). libFuzzer targets for the INI reader and editor, the
## XML reader, compact JWS/JWT, JWKS and JSON values, the cache entries, form decoding and the
## loopback request head (`.build/debug/maws-fuzz --list` says what each checks). `make fuzz` builds
## maws-fuzz with -sanitize=fuzzer,address into its own scratch path (.build-fuzz, never mixed with
## .build) and runs every target for FUZZ_SECONDS (default 60) each, one at a time, printing the
## executions and any finding; it fails when a target finds something. Generated inputs and findings
## stay under .build-fuzz/fuzz; Tests/Fuzz holds only the seeds and minimised reproducers, which
## `swift test` replays (CorpusReplayTests) without the fuzzer.
##   make fuzz-target TARGET=xml                      one target
##   make fuzz-minimize TARGET=xml INPUT=crash-...    minimise a finding (to INPUT.min)
##   make fuzz-replay TARGET=xml [INPUT=file]         replay without the fuzzer (a normal debug build)
FUZZ_SECONDS ?= 60
FUZZ_SCRATCH := .build-fuzz
FUZZ_BIN := $(FUZZ_SCRATCH)/debug/maws-fuzz
# -O: the sanitized build is several times faster optimized; DEBUG (and so @testable) stays.
FUZZ_FLAGS := -Xswiftc -sanitize=fuzzer,address -Xswiftc -DMAWS_FUZZER -Xswiftc -O

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BIN=$(FUZZ_BIN) Tests/Fuzz/run

fuzz-target: fuzz-build
	@[ -n "$(TARGET)" ] || { echo "usage: make fuzz-target TARGET=name (see .build/debug/maws-fuzz --list)"; exit 2; }
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BIN=$(FUZZ_BIN) Tests/Fuzz/run $(TARGET)

# The linker's "Cannot export local symbol" warnings about ASan's own symbols are filtered out.
fuzz-build: deps
	@set -o pipefail; $(SWIFT) build --scratch-path $(FUZZ_SCRATCH) --product maws-fuzz $(FUZZ_FLAGS) 2>&1 \
	  | { grep -v "Cannot export local symbol" || true; }

fuzz-minimize: fuzz-build
	@[ -n "$(TARGET)" ] && [ -n "$(INPUT)" ] || { echo "usage: make fuzz-minimize TARGET=name INPUT=crash-file"; exit 2; }
	SWIFT_BACKTRACE=enable=no MAWS_FUZZ_TARGET=$(TARGET) $(FUZZ_BIN) -minimize_crash=1 -max_total_time=60 -exact_artifact_path=$(INPUT).min $(INPUT)

fuzz-replay: deps
	$(SWIFT) build --product maws-fuzz
	.build/debug/maws-fuzz $(or $(TARGET),all) $(INPUT)

install: build
	install -D -m 0755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/maws

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/maws

clean:
	rm -rf .build $(FUZZ_SCRATCH) $(VENV)
