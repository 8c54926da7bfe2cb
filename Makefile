# The two commands of the README: `make train` (the main job) and `make test`.
SWIFT ?= swift
CONFIG ?= release
# Code generation for this machine's AVX2/FMA when it has them (scripts/host-swift-flags.sh; SNNKIT_PORTABLE=1 opts out).
TUNE := $(shell bash scripts/host-swift-flags.sh)

.PHONY: deps build train test test-slow bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG) $(TUNE)

train: deps
	$(SWIFT) run -c $(CONFIG) $(TUNE) snn train $(ARGS)

test: deps
	$(SWIFT) test -c $(CONFIG) $(TUNE)

# Slow statistical and end-to-end checks only (suites named "Slow…", enabled by SNN_SLOW_TESTS=1).
test-slow: deps
	SNN_SLOW_TESTS=1 $(SWIFT) test -c $(CONFIG) $(TUNE) --filter Slow

bench: deps
	$(SWIFT) run -c $(CONFIG) $(TUNE) snn-bench $(ARGS)

clean:
	rm -rf .build
