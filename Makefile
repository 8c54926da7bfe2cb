# The two commands of the README: `make train` (the main job) and `make test`.
SWIFT ?= swift
CONFIG ?= release

.PHONY: deps build train test test-slow bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG)

train: deps
	$(SWIFT) run -c $(CONFIG) snn train $(ARGS)

test: deps
	$(SWIFT) test -c $(CONFIG)

# Slow statistical and end-to-end checks only (suites named "Slow…", enabled by SNN_SLOW_TESTS=1).
test-slow: deps
	SNN_SLOW_TESTS=1 $(SWIFT) test -c $(CONFIG) --filter Slow

bench: deps
	$(SWIFT) run -c $(CONFIG) snn-bench $(ARGS)

clean:
	rm -rf .build
