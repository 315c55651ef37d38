# impactrank: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
LOCALE := src/impactrank/locale
COMPILED := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po))
AXE := node_modules/axe-core/axe.min.js

.PHONY: demo test test-slow bench lint install bytecode chromium postgresql clamav wrk catalogs clean mutate

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(COMPILED)

# The compiled translations (.mo, not in git) from the catalogs (.po) that translators edit.
$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

# The interface strings gathered from the code and the templates (babel.cfg) into every catalog, then compiled:
# run it after adding or changing a string, then translate the new entries (tests/test_i18n.py finds any left).
catalogs: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg --add-location=file --sort-output -c "Translators:" --project=impactrank \
		--width=120 -o $(LOCALE)/messages.pot src
	$(BIN)/pybabel -q update -i $(LOCALE)/messages.pot -d $(LOCALE) --width=120 --ignore-obsolete --no-fuzzy-matching --ignore-pot-creation-date
	$(MAKE) --no-print-directory $(COMPILED)

# axe-core, which the browser tests inject to measure accessibility, from the npm registry at the locked version.
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

# Debian's Chromium drives the browser tests (Playwright uses it; it never downloads a browser).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else echo "Chromium is missing: run 'sudo apt-get install chromium chromium-driver' (browser tests will be skipped)"; fi; \
	fi

# Debian's PostgreSQL server for the portal tests (they start a throwaway cluster on loopback, or skip without it).
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; \
		else echo "PostgreSQL is missing: run 'sudo apt-get install postgresql' (the portal's PostgreSQL tests will be skipped)"; fi; \
	fi

# Debian's ClamAV daemon for the upload-scanning tests (they start their own on a one-signature database, so no
# signature download is needed, or skip without it).
clamav:
	@if [ ! -x /usr/sbin/clamd ]; then \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq clamav-daemon >/dev/null; \
		else echo "ClamAV is missing: run 'sudo apt-get install clamav-daemon' (the upload-scanning tests will be skipped)"; fi; \
	fi

# Debian's wrk loads the dashboard in the bench (bench_web falls back to its Python client without it).
wrk:
	@if ! command -v wrk >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; \
		else echo "wrk is missing: run 'sudo apt-get install wrk' (the dashboard bench uses its Python client)"; fi; \
	fi

# The package's bytecode, as pip compiles an installed wheel's: an editable install leaves it to each run, and where
# PYTHONDONTWRITEBYTECODE is set every command compiled its 130 modules again at its start (0.2-0.3 s).
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 src

demo: $(STAMP) $(COMPILED) bytecode
	$(BIN)/impactrank demo --out demo-output
	@echo "The impactrank command is in $(VENV)/bin: run '. $(VENV)/bin/activate' to use it directly."

# The slow-marked tests (long versions of checks that also run short here) run in test-slow.
test: $(STAMP) $(COMPILED) $(AXE) bytecode chromium postgresql clamav
	$(BIN)/pytest -q -m "not slow" --durations=15

test-slow: $(STAMP) $(COMPILED) $(AXE) bytecode chromium postgresql clamav
	$(BIN)/pytest -q -m slow --durations=15

bench: $(STAMP) $(COMPILED) bytecode postgresql wrk
	$(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

clean:
	rm -rf $(VENV) demo-output bench-output test-artifacts .pytest_cache mutants node_modules $(COMPILED)

# Mutation testing ([[tool.impactrank.mutation]] in pyproject.toml: the modules and the tests that should kill their
# mutants), one module at a time in its own folder mutants/<module>/ (bench/mutate.py), then the score per module
# and the surviving mutants. Each run starts afresh, so the score is that of the current code and tests.
# MODULES="src/impactrank/portal/deadlines.py src/impactrank/io/published/" runs only those (files, folders or
# globs; minutes each); without MODULES every declared module runs (hours on two cores).
MODULES ?=
mutate: $(STAMP)
	$(BIN)/python bench/mutate.py $(MODULES)
