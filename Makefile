# Two commands: `make serve` and `make test`. Both set up .venv when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=
PYTEST_ARGS ?=
export PIP_DISABLE_PIP_VERSION_CHECK := 1

NPM    ?= npm
.PHONY: serve test setup setup-test handouts slides clean

serve: $(VENV)/.installed ## set up, then start the workshop server on http://127.0.0.1:8866
	$(BIN)/gecc-kit serve $(ARGS)

test: $(VENV)/.installed-test node_modules/.installed ## set up with the test extras, then run the whole suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

handouts: $(VENV)/.installed ## handouts (participants' and facilitator's sets, HTML + A4 PDF) and the paper worksheet in build/
	$(BIN)/gecc-kit handouts --out build/handouts; rc=$$?; \
	$(BIN)/gecc-kit handouts --facilitator --out build/handouts-facilitator || rc=$$?; \
	$(BIN)/gecc-kit worksheet --out build/worksheet.pdf && exit $$rc

slides: $(VENV)/.installed node_modules/.installed ## the facilitator's deck in build/slides (works offline)
	$(BIN)/gecc-kit slides --out build/slides

setup: $(VENV)/.installed
setup-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependencies change (the package itself is installed editable).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# reveal.js for the slides, from npm, pinned by package-lock.json (never copied into the repo).
node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

clean: ## remove generated files (keeps .venv and the answers in var/)
	rm -rf build .pytest_cache .hypothesis
