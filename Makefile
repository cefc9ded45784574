# `make serve` (the workshop), `make lab` (prepare and preview it in JupyterLab), `make test`.
# Each first checks what it needs from the system (tools/need.sh: the one `sudo apt-get install`
# line for what is missing), then sets up .venv when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ARGS   ?=
PYTEST_ARGS ?=
export PIP_DISABLE_PIP_VERSION_CHECK := 1

NPM    ?= npm
# The kit's JupyterLab: its folder, the kit's kernel settings with GECC_PREVIEW=1, notebooks saved
# without outputs, trust signatures, workspaces and checkpoints under var/lab/ (gecc_kit/lab.py).
LAB_CONFIG := gecc_kit/share/lab/jupyter_server_config.py
NEEDS  := need-serve need-lab need-test need-handouts need-slides
.PHONY: serve lab test setup setup-test handouts slides clean npm-assets $(NEEDS)
# The check comes before the set-up it protects: prerequisites are made in order, one at a time.
.NOTPARALLEL:

serve: need-serve $(VENV)/.installed npm-assets ## set up, then start the workshop server on http://127.0.0.1:8866
	$(BIN)/gecc-kit serve $(ARGS)

lab: need-lab $(VENV)/.installed npm-assets ## JupyterLab on the kit's folder: edit the modules, preview them as a participant
	$(BIN)/jupyter lab --config=$(LAB_CONFIG) $(ARGS)

# Tests never run as the lab's preview (e.g. from a terminal inside `make lab`).
test: need-test $(VENV)/.installed-test node_modules/.installed ## set up with the test extras, then run the whole suite
	unset GECC_PREVIEW GECC_PREVIEW_STORE_URL GECC_LAB_ROOT; $(BIN)/python -m pytest $(PYTEST_ARGS)

$(NEEDS): ## what the target needs from the system (npm, poppler-utils, zbar-tools, chromium, ...)
	@PYTHON="$(PYTHON)" sh tools/need.sh $(@:need-%=%)

handouts: need-handouts $(VENV)/.installed npm-assets ## handouts (participants' and facilitator's sets, HTML + A4 PDF) and the paper worksheet in build/
	$(BIN)/gecc-kit handouts --out build/handouts; rc=$$?; \
	$(BIN)/gecc-kit handouts --facilitator --out build/handouts-facilitator || rc=$$?; \
	$(BIN)/gecc-kit worksheet --out build/worksheet.pdf && exit $$rc

slides: need-slides $(VENV)/.installed node_modules/.installed ## the facilitator's deck in build/slides (works offline)
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

# reveal.js for the slides and Sarabun (the Thai font of the pages and PDFs), from npm, pinned by
# package-lock.json (never copied into the repo). `npm ci` deletes node_modules before it downloads:
# when the installed packages already are the pinned ones (a pull or checkout only touched the
# files), it is not run, so a room without internet keeps its font.
node_modules/.installed: package.json package-lock.json
	@if [ -d node_modules ] && $(NPM) ls --offline --all >/dev/null 2>&1; then \
	  echo "node_modules already holds the pinned packages"; \
	else $(NPM) ci --no-audit --no-fund --loglevel=error; fi
	touch $@

# serve, lab and handouts install them when npm is there, and carry on without (the machine's Thai
# fonts then: `gecc-kit serve` says so).
npm-assets:
	@if command -v $(NPM) >/dev/null 2>&1; then $(MAKE) --no-print-directory node_modules/.installed \
	  || echo "npm ci failed: the pages and PDFs use the machine's Thai fonts"; fi

clean: ## remove generated files (keeps .venv and the answers in var/)
	rm -rf build .pytest_cache .hypothesis
