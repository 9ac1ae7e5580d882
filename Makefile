# Bootstrap only: make the virtualenv, then hand every target over to invoke (tasks.py).
# `make serve`, `make test`, `make build`... all run `invoke <target>`.
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@echo "Setting up $(VENV)/ with the site's tools (the first time only: about a minute)..."
	@$(PYTHON) -m venv $(VENV)
	@# -qq: errors only. Setuptools prints a notice on every editable install ("Editable
	@# installation... be careful with folders...") that reads like an error to a newcomer.
	@$(VENV)/bin/python -m pip install -qq --upgrade pip
	@$(VENV)/bin/python -m pip install -qq -e '.[dev]'
	@touch $(STAMP)
	@echo "Set up: $(VENV)/ is ready."

# Make would otherwise try to rebuild these through the catch-all rule below.
Makefile pyproject.toml: ;

.PHONY: setup help
setup: $(STAMP) ## Create or refresh the virtualenv

# invoke --list cuts each description to the terminal's width: the whole first line is shown here.
help: $(STAMP)
	@$(VENV)/bin/invoke --list --list-format json | $(VENV)/bin/python -m json.tool --compact --no-ensure-ascii \
		| grep -o '"name":"[^"]*","help":"[^"]*"' \
		| grep -v '"name":"tasks"' | sed 's/"name":"\([^"]*\)","help":"\([^"]*\)"/  make \1\t\2/' | expand -t 24

# `make serve`, or on another port or address: `make serve PORT=8001`, `make serve HOST=0.0.0.0`.
.PHONY: serve
serve: $(STAMP) ## Build, serve on http://127.0.0.1:8000/ and reload the page on every save
	@$(VENV)/bin/invoke serve $${HOST:+--host "$$HOST"} $${PORT:+--port "$$PORT"}

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
