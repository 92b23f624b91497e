# SIGAP: `make run` starts the system, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test test-postgres check install install-dev messages bench bench-quick clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(PY) -m pytest $(PYTEST_ARGS)

check: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy sigap
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check_translations

messages: install-dev
	cd sigap && ../$(PY) ../manage.py makemessages -l en --no-obsolete --no-location --no-wrap
	$(PY) manage.py compilemessages -i ".venv" -i "var"

clean:
	rm -rf $(VENV) var/static

# Benchmarks (bench/README.md): SQLite always; PostgreSQL too when DATABASE_URL is
# set (on that server, in a scratch database "sigap_bench").
bench: install-dev
	$(PY) bench/run.py --database-url ""
	@if [ -n "$$DATABASE_URL" ]; then $(PY) bench/run.py --database-url "$$DATABASE_URL"; \
	else echo "(set DATABASE_URL=postgres://... to measure PostgreSQL too)"; fi

bench-quick: install-dev
	$(PY) bench/run.py --quick --database-url ""
	@if [ -n "$$DATABASE_URL" ]; then $(PY) bench/run.py --quick --database-url "$$DATABASE_URL"; fi
