# Language Models, from Theory to Practice: the course's commands.
#   make lab            set up .venv (first time) and start JupyterLab on the notebooks
#   make test           set up .venv (first time) and run every test, offline, smoke profile
#   make execute NB=00  run notebook 00 top to bottom (full profile) and save its outputs
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

.PHONY: lab test execute execute-all lint clean help

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

# The one way notebooks get their committed outputs: a fresh kernel, top to bottom, full profile.
execute: $(STAMP)
	@if [ -z "$(NB)" ]; then echo "Say which notebook: make execute NB=00"; exit 1; fi
	@for nb in notebooks/$(NB)_*.ipynb solutions/$(NB)_*.ipynb; do \
		[ -f "$$nb" ] || { echo "no notebook matches $$nb"; exit 1; }; \
		echo "executing $$nb (profile $${LMCOURSE_PROFILE:-full})"; \
		start=$$(date +%s); \
		LMCOURSE_PROFILE=$${LMCOURSE_PROFILE:-full} $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=3600 --ExecutePreprocessor.kernel_name=python3 "$$nb" || exit 1; \
		echo "$$nb: $$(( $$(date +%s) - start )) s"; \
	done

lint: $(STAMP)
	$(BIN)/ruff check lmcourse tests notebooks solutions

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
