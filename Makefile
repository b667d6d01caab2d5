# Lantern: `make run` serves the demo, `make test` runs every check. Needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app wsgi

.PHONY: setup run test lint pytest bench audit clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(FLASK) db upgrade
	$(FLASK) keys init
	$(FLASK) demo seed
	$(BIN)/gunicorn -c config/gunicorn.conf.py wsgi:app

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r survey config wsgi.py

pytest: setup
	$(BIN)/pytest -q

test: lint pytest

bench: setup
	$(BIN)/python -m bench.release
	$(BIN)/python -m bench.page_weight
	$(BIN)/python -m bench.alliance_import

# Known vulnerabilities in the pinned runtime dependencies. Says so in one line, and does not
# fail, when the vulnerability database cannot be reached or does not know the packages.
audit: setup
	$(BIN)/python tools/audit.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
