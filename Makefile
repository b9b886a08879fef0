# rOK — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
MO_FILES := $(patsubst %.po,%.mo,$(wildcard rok/translations/*/LC_MESSAGES/messages.po))
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install translations messages lint bench clean

run: install translations
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) rok bank load
	$(FLASK) rok demo
	@echo ""
	@echo "  rOK runs on http://$(HOST):$(PORT)  (stop with Ctrl+C)"
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

# Tests run in parallel, one worker per core (PYTEST_WORKERS=0 runs them in one process).
PYTEST_WORKERS ?= auto

test: install translations
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "rOK needs Python 3.11 or newer (set PYTHON=python3.12 …)"; exit 1)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(INSTALLED)

translations: install $(MO_FILES)

%.mo: %.po
	$(BIN)/pybabel compile -i $< -o $@

# Developers: refresh the catalogues after adding or changing user-facing text.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o rok/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i rok/translations/messages.pot -d rok/translations --no-fuzzy-matching

lint: install
	$(BIN)/ruff check rok tests bench

bench: install translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
	find rok -name '*.mo' -delete
