# Every amibake command is also a make target. `make image NAME=x` bakes on the local
# target unless TARGET=aws, verifies, and publishes only with PUBLISH=1.
AMIBAKE := node bin/amibake.js
# Empty means: every target a spec declares (render), or local (image, bake, verify).
TARGET ?=
BAKE_TARGET := $(or $(TARGET),local)
NAME ?=
SPECS := $(if $(NAME),$(NAME),--all)
export AMIBAKE_SOURCE_MIRROR AMIBAKE_CACHE_DIR AMIBAKE_BUILD_DIR

.PHONY: help setup deps test validate render image bake verify publish base bench ci clean

help:
	@echo "make setup                   install Debian packages and npm dependencies"
	@echo "make image NAME=x [TARGET=aws] [PUBLISH=1]   bake, verify (and publish) an image"
	@echo "make validate|render [NAME=x] check or render specs (all when NAME is empty)"
	@echo "make test | make bench        run the tests | print the benchmarks"

setup: deps
	npm ci

deps:
	bash .ci/install-deps

test:
	npm test

validate:
	$(AMIBAKE) validate $(SPECS)

render:
	$(AMIBAKE) render $(SPECS) $(if $(TARGET),--target $(TARGET),)

image:
	@test -n "$(NAME)" || { echo "usage: make image NAME=<spec> [TARGET=local|aws] [PUBLISH=1]" >&2; exit 64; }
	$(AMIBAKE) image $(NAME) --target $(BAKE_TARGET) $(if $(PUBLISH),--publish,)

bake:
	@test -n "$(NAME)" || { echo "usage: make bake NAME=<spec> [TARGET=local|aws]" >&2; exit 64; }
	$(AMIBAKE) bake $(NAME) --target $(BAKE_TARGET)

verify:
	@test -n "$(NAME)" || { echo "usage: make verify NAME=<spec> [TARGET=local|aws]" >&2; exit 64; }
	$(AMIBAKE) verify $(NAME) --target $(BAKE_TARGET)

publish:
	@test -n "$(NAME)" || { echo "usage: make publish NAME=<spec>" >&2; exit 64; }
	$(AMIBAKE) publish $(NAME)

base:
	$(AMIBAKE) base build

bench:
	npm run bench

clean:
	rm -rf build
