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

# `make new-article TITLE="Knee pain after running" [AUTHOR="..."] [TAGS="knee pain, running"]`,
# `make new-page TITLE="Our prices"`. Variables given to make are in the recipe's environment, so
# "$$TITLE" passes quotes and apostrophes through untouched (make would paste $(TITLE) into sh).
.PHONY: new-article new-page
new-article: $(STAMP) ## Start a draft article: make new-article TITLE="..."
	$(if $(TITLE),,$(error Give the title: make new-article TITLE="Knee pain after running"))
	@$(VENV)/bin/invoke new-article --title "$$TITLE" \
		$${AUTHOR:+--author "$$AUTHOR"} $${TAGS:+--tags "$$TAGS"}

new-page: $(STAMP) ## Start a draft page: make new-page TITLE="..."
	$(if $(TITLE),,$(error Give the title: make new-page TITLE="Our prices"))
	@$(VENV)/bin/invoke new-page --title "$$TITLE"

%: $(STAMP)
	@$(VENV)/bin/invoke $@
