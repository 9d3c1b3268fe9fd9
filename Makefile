# Vigie — the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Debian packages Vigie needs to run: Pango and a font for the PDF exports (weasyprint).
RUN_DEB := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
# And the test suite: a browser for the page tests, gettext to check the compiled
# translations, pdftotext to read PDFs back, psql for CI's PostgreSQL run, and a real
# IMAP server (dovecot, started by the tests as a private process) for the inbound mailbox.
TEST_DEB := $(RUN_DEB) chromium gettext poppler-utils postgresql-client dovecot-imapd

.PHONY: demo test lint imports typecheck migrations-check messages messages-check pytest install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { scripts/system-deps.sh python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: $(BIN)/python requirements/base.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.base-installed requirements/dev.txt requirements/pii.txt
	$(BIN)/pip install --quiet -r requirements/dev.txt -r requirements/pii.txt
	touch $@

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

demo: install
	scripts/system-deps.sh $(RUN_DEB)
	$(BIN)/vigie demo

test: install-dev
	scripts/system-deps.sh $(TEST_DEB)
	$(MAKE) --no-print-directory lint imports typecheck migrations-check messages-check pytest

lint:
	$(BIN)/ruff format --check vigie tests scripts bench
	$(BIN)/ruff check vigie tests scripts bench

# Import contracts (pyproject.toml, [tool.importlinter]): the layers of DESIGN.md,
# infrastructure that imports no domain, no demo in the product, no cycle between apps.
imports:
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy vigie

migrations-check:
	VIGIE_VAR_DIR=$$(mktemp -d) $(BIN)/vigie makemigrations --check --dry-run

# Source strings are English; French is the default language of every page.
messages:
	cd vigie && ../$(BIN)/vigie makemessages -l fr --no-obsolete --no-location
	cd vigie && ../$(BIN)/vigie compilemessages

messages-check:
	$(BIN)/python scripts/check_messages.py

pytest:
	$(BIN)/pytest -n 2 -p no:cacheprovider --cov --cov-report=term:skip-covered

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
