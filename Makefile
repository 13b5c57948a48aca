# Two commands matter: `make run` (set up and serve locally) and `make test` (set up and test everything).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint test-sqlite test-postgres system-packages format bench-ingest bench-read bench-read-sqlite clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)
	HOST=$(HOST) PORT=$(PORT) scripts/run-local

test: $(STAMP) system-packages lint test-sqlite test-postgres

system-packages:
	scripts/system-packages

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: $(STAMP)
	$(VENV)/bin/pytest

test-postgres: $(STAMP)
	scripts/with-postgres $(VENV)/bin/pytest

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Ingest benchmark: callbacks/s beside a bare Django view, on SQLite and PostgreSQL (needs wrk).
bench-ingest: $(STAMP)
	$(PY) bench/ingest

# Read benchmarks at JOBS jobs (default a million): load the dataset, then time every page
# beside its baseline. PostgreSQL runs in a throwaway server; SQLite in a file under /tmp.
JOBS ?= 1000000
SQLITE_BENCH ?= /tmp/cicallback-bench-read.sqlite3

bench-read: $(STAMP)
	scripts/with-postgres sh -c '$(PY) bench/dataset --database-url "$$DATABASE_URL" --jobs $(JOBS) && \
		$(PY) bench/read --database-url "$$DATABASE_URL" --markdown --export'

bench-read-sqlite: $(STAMP)
	rm -f $(SQLITE_BENCH)*
	$(PY) bench/dataset --database-url sqlite:///$(SQLITE_BENCH) --jobs $(JOBS)
	$(PY) bench/read --database-url sqlite:///$(SQLITE_BENCH) --markdown --export

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
