# iam-catalog: `make build` compiles the vault in SOURCES into OUT; `make test` runs the suite.
# Both install dependencies and compile the TypeScript first when anything changed.

SOURCES ?= sources
OUT ?= dist
BUILD_FLAGS ?=

CLI = node lib/pipeline/cli.js
TYPESCRIPT = $(shell find pipeline test bench -name '*.ts' 2>/dev/null)

.PHONY: build test bench format check-format clean

build: lib/.compiled
	$(CLI) build --sources $(SOURCES) --out $(OUT) $(BUILD_FLAGS)

test: lib/.compiled check-format
	node node_modules/uvu/bin.js lib/test '\.test\.js$$'

# The benchmark of the build on SOURCES and on a synthetic vault five times its size.
bench: lib/.compiled
	node lib/bench/run.js --sources $(SOURCES)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

lib/.compiled: node_modules/.installed tsconfig.json $(TYPESCRIPT)
	npx tsc -p tsconfig.json
	chmod +x lib/pipeline/cli.js
	touch $@

format: node_modules/.installed
	npx prettier --write pipeline test bench

check-format: node_modules/.installed
	npx prettier --check pipeline test bench

clean:
	rm -rf lib dist
