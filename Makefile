# maws: build, test and demo. `make test` and `make demo` install what they need themselves.
SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
PYTHON ?= python3
VENV ?= .venv
RELEASE_BIN := .build/release/maws
DEBUG_BIN := .build/debug/maws
APT_PACKAGES := libcurl4-openssl-dev libssl-dev ca-certificates fish
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build build-roles debug test unit-test integration-test demo install uninstall deps venv bench clean

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

## The Python virtual environment of the test stack (pinned versions).
venv: $(VENV)/.installed
$(VENV)/.installed: Tests/stack/requirements.txt
	@[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/stack/requirements.txt
	@touch $@

## Release binary, Swift runtime linked statically.
build: deps
	$(SWIFT) build -c release --static-swift-stdlib --product maws

debug: deps
	$(SWIFT) build --build-tests

test: unit-test integration-test

unit-test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

integration-test: deps venv
	$(SWIFT) build --product maws && $(SWIFT) build --product maws-roles
	MAWS_BIN=$(abspath $(DEBUG_BIN)) $(VENV)/bin/python -m pytest -q Tests/integration

## Runs maws's main job end to end against the local stack (its roles API is the project's own
## maws-roles server; a debug build of it is enough for the demo).
demo: build venv
	$(SWIFT) build --product maws-roles
	MAWS_ROLES_BIN=$(abspath .build/debug/maws-roles) $(VENV)/bin/python Tests/stack/demo.py --maws $(abspath $(RELEASE_BIN))

## The organisation's server and builder, release build.
build-roles: deps
	$(SWIFT) build -c release --static-swift-stdlib --product maws-roles

## Warm-path benchmark against the Python original (hyperfine; see bench/bench.py).
bench:
	bench/run

install: build
	install -D -m 0755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/maws

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/maws

clean:
	rm -rf .build $(VENV)
