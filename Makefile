# mobrief — `make demo` runs the main job on bundled sample data; `make test` runs lint, types and tests.
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MOBRIEF := $(VENV)/bin/mobrief
DEMO_DB ?= demo-output/demo.db

help: ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip "setuptools<81" wheel
	$(PIP) install -q -e ".[postgres,dev]"
	touch $@

install: $(VENV)/.installed ## create .venv and install mobrief with its postgres and dev extras

demo: install ## ingest, enrich and compose the bundled sample (SQLite, no services, no network)
	mkdir -p demo-output
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(MOBRIEF) --db sqlite:///$(DEMO_DB) demo examples --out demo-output

screens: demo ## screenshots of inbox, story and brief editor at 1366 and 390 px into benchmarks/screens/
	$(PY) benchmarks/screens.py --db sqlite:///$(DEMO_DB) --out benchmarks/screens

check: install ## lint (ruff), format check and types (mypy --strict on src/)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy src

test: check ## check, then the whole test suite on SQLite and PostgreSQL
	$(VENV)/bin/pytest -q

fmt: install ## format and fix what ruff can
	$(VENV)/bin/ruff check --fix src tests benchmarks
	$(VENV)/bin/ruff format src tests benchmarks

bench: install ## run the benchmarks (they print figures, never assert)
	for b in $(filter-out benchmarks/screens.py,$(wildcard benchmarks/*.py)); do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## remove the virtualenv and demo output
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install demo screens check test fmt bench clean
