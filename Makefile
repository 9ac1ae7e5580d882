# Bootstrap only: make the virtualenv, then hand every target over to invoke (tasks.py).
# `make serve`, `make test`, `make build`... all run `invoke <target>`.
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Make would otherwise try to rebuild these through the catch-all rule below.
Makefile pyproject.toml: ;

.PHONY: setup help
setup: $(STAMP) ## Create or refresh the virtualenv

help: $(STAMP)
	@$(VENV)/bin/invoke --list

%: $(STAMP)
	@$(VENV)/bin/invoke $@
