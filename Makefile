# Language Models, from Theory to Practice: the course's commands.
#   make lab            set up .venv (first time) and start JupyterLab on the notebooks
#   make test           set up .venv (first time) and run every test, offline, smoke profile
#   make execute NB=00  run notebook 00 top to bottom (full profile), save its outputs and results/
# Python: the first of python3.12, python3.11, python3.10, python3 that is 3.10-3.12;
# override with `make lab PYTHON=/path/to/python3.11`.

SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= $(shell for p in python3.12 python3.11 python3.10 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB_ARGS ?=
PYTEST_ARGS ?=
# JupyterLab refuses to run as root unless told; containers and CI often are root.
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)

.PHONY: lab test execute sync lint clean help

help:
	@sed -n '2,6p' Makefile

$(STAMP): requirements.txt pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "No Python 3.10-3.12 found. Install one, or run: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)"; exit 1; fi
	@[ -x $(BIN)/python ] || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	LMCOURSE_PROFILE=smoke $(BIN)/python -m pytest $(PYTEST_ARGS)

# The one way notebooks get their committed outputs and results/: a fresh kernel, top to bottom.
# `make execute NB=07` first times the smoke profile on a copy (runs/, not committed), then runs
# the full profile in place; both record their figures in results/07.json (LMCOURSE_RECORD=repo).
# `make execute NB=07 VARIANT=12M` runs a variant the notebook's configuration names, into runs/,
# recording its figures under that name. Afterwards every quoted figure is re-synced.
NBCONVERT = $(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=7200 \
	--ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.record_timing=False
execute: $(STAMP)
	@if [ -z "$(NB)" ]; then echo "Say which notebook: make execute NB=00"; exit 1; fi
	@set -e; mkdir -p runs; \
	for nb in notebooks/$(NB)_*.ipynb $(if $(VARIANT),,solutions/$(NB)_*.ipynb); do \
		[ -f "$$nb" ] || { echo "no notebook matches $$nb"; exit 1; }; \
		name=$$(basename "$$nb" .ipynb); \
		if [ -n "$(VARIANT)" ]; then \
			echo "executing $$nb, variant $(VARIANT) of the full profile, into runs/$$name.$(VARIANT).ipynb"; \
			LMCOURSE_RECORD=repo LMCOURSE_PROFILE=full LMCOURSE_VARIANT=$(VARIANT) $(NBCONVERT) \
				--output-dir runs --output "$$name.$(VARIANT).ipynb" "$$nb"; \
			continue; \
		fi; \
		if [ "$${nb%%/*}" = notebooks ]; then \
			echo "executing $$nb (smoke profile, timed, into runs/)"; \
			LMCOURSE_RECORD=repo LMCOURSE_PROFILE=smoke $(NBCONVERT) --output-dir runs --output "$$name.smoke.ipynb" "$$nb"; \
		fi; \
		echo "executing $$nb (full profile, in place)"; \
		start=$$(date +%s); \
		LMCOURSE_RECORD=repo LMCOURSE_PROFILE=full $(NBCONVERT) --inplace "$$nb"; \
		$(BIN)/python tools/course.py clean "$$nb"; \
		echo "$$nb: $$(( $$(date +%s) - start )) s"; \
	done; \
	$(BIN)/python tools/course.py sync

# Fill every figure quoted in the README, lessons and notebooks' text from results/.
sync: $(STAMP)
	$(BIN)/python tools/course.py sync

lint: $(STAMP)
	$(BIN)/ruff check lmcourse tests tools notebooks solutions

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
