# The two commands that matter: `make run` (whole pipeline on the sandbox) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

# The Dagster instance: `sqlite` (the default) is the repository's dagster.yaml, runs and event logs
# in SQLite under data/dagster; `postgres` is deploy/postgres/dagster.yaml, runs, event logs,
# schedules and the run queue in the PostgreSQL database the DAGSTER_PG_* variables name
# (docs/deployment.md).
AIUW_DAGSTER_PROFILE ?= sqlite
ifeq ($(AIUW_DAGSTER_PROFILE),sqlite)
export DAGSTER_HOME := $(CURDIR)
else ifeq ($(AIUW_DAGSTER_PROFILE),postgres)
export DAGSTER_HOME := $(CURDIR)/deploy/postgres
else
$(error AIUW_DAGSTER_PROFILE=$(AIUW_DAGSTER_PROFILE): use sqlite (the default) or postgres)
endif
export AIUW_DATA_DIR ?= $(CURDIR)/data
export AIUW_DAGSTER_STORAGE ?= $(AIUW_DATA_DIR)/dagster
# A run over a range of days plans each ingest asset once (its days as one subset), not once per
# asset and day: 45 assets x 125 days were 5,600 events and 40 s before a backfill's first step.
export DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS ?= true
# No key is exported here: the sandbox runs (`make run`, `make dev`) set the sandbox's own keys in
# their processes, and real runs export their own (config/env.example).

.PHONY: install manifest run live validate test test-spark lint format dev sandbox clean docs

# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set, every process (each dbt
# invocation, each Dagster run, each test process) would otherwise compile Dagster, dbt and Great
# Expectations from source again, about 5 s of CPU each.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(PY) -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(PY) --no-deps -e .
	$(PY) -m compileall -q -j 0 alerting connectors evidence governance orchestration prices quality reports sandbox warehouse
	touch $@

install: $(VENV)/.installed

# dbt's manifest must exist before Dagster loads the definitions.
manifest: install
	$(BIN)/dbt parse --quiet --project-dir dbt_project --profiles-dir dbt_project

run: install
	mkdir -p $(AIUW_DAGSTER_STORAGE)
	$(PY) -m sandbox.run

# Against your own sources: AIUW_SOURCES (and AIUW_GOVERNANCE_DIR) set and the secrets exported, as in
# config/env.example; START and END (YYYY-MM-DD) narrow the range (default history_start .. yesterday).
live: manifest
	@test -n "$(AIUW_SOURCES)" || { echo "make live: set AIUW_SOURCES to your sources config (see config/sources.example.yml)" >&2; exit 2; }
	mkdir -p $(AIUW_DAGSTER_STORAGE)
	$(PY) -m orchestration.cli.run $(if $(START),--start $(START)) $(if $(END),--end $(END))

# Every dbt data test on every day and every quality suite on its whole mart (weekly by schedule).
validate: manifest
	mkdir -p $(AIUW_DAGSTER_STORAGE)
	$(PY) -m orchestration.cli.validate

test: manifest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p $(AIUW_DAGSTER_STORAGE)
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg check defs
	@# four pytest processes side by side: the pipeline e2e module on its own deployment (with the
	@# going-live module on its own, for an even split), the other e2e modules on theirs, the Spark
	@# build (with the two PostgreSQL modules, Dagster on PostgreSQL and the served release: the
	@# shortest process otherwise), and every other test; the other logs follow
	$(BIN)/pytest --durations=15 tests/e2e/test_pipeline.py tests/e2e/test_going_live.py > $(AIUW_DATA_DIR)/pytest-e2e-pipeline.log 2>&1 & pipeline=$$!; \
	$(BIN)/pytest --durations=15 tests/e2e --deselect tests/e2e/test_pipeline.py --deselect tests/e2e/test_going_live.py --deselect tests/e2e/test_dagster_on_postgres.py > $(AIUW_DATA_DIR)/pytest-e2e.log 2>&1 & e2e=$$!; \
	$(BIN)/pytest --durations=5 tests/spark tests/e2e/test_dagster_on_postgres.py tests/integration/test_served_release.py > $(AIUW_DATA_DIR)/pytest-spark.log 2>&1 & spark=$$!; \
	$(BIN)/pytest --durations=30 --ignore=tests/e2e --ignore=tests/spark --ignore=tests/integration/test_served_release.py; rest=$$?; \
	wait $$e2e; e2e_status=$$?; wait $$pipeline; pipeline_status=$$?; wait $$spark; spark_status=$$?; \
	cat $(AIUW_DATA_DIR)/pytest-spark.log $(AIUW_DATA_DIR)/pytest-e2e.log $(AIUW_DATA_DIR)/pytest-e2e-pipeline.log; \
	[ $$rest -eq 0 ] && [ $$e2e_status -eq 0 ] && [ $$pipeline_status -eq 0 ] && [ $$spark_status -eq 0 ]

# The dbt project built on Spark in a local JVM and compared with DuckDB alone (part of make test).
test-spark: manifest
	$(BIN)/pytest -m spark

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The Dagster UI on http://127.0.0.1:3000 (the sandbox must be running: `make sandbox` in another shell);
# sandbox.env gives it the sandbox's keys and endpoints unless AIUW_SOURCES names a config of your own.
dev: manifest
	mkdir -p $(AIUW_DAGSTER_STORAGE)
	$(PY) -m sandbox.env --url http://127.0.0.1:8765 -- $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

# dbt docs (models, columns, metrics, exposures, lineage) with the warehouse's catalog; run after `make run`.
docs: manifest
	mkdir -p $(AIUW_DATA_DIR)/warehouse
	AIUW_WAREHOUSE_PATH=$(AIUW_DATA_DIR)/warehouse/warehouse.duckdb $(BIN)/dbt docs generate --quiet --project-dir dbt_project --profiles-dir dbt_project
	@echo "dbt docs: $(BIN)/dbt docs serve --project-dir dbt_project --profiles-dir dbt_project --host 127.0.0.1 --port 8080"

sandbox: install
	$(PY) -m sandbox --port 8765

clean:
	rm -rf data dbt_project/target
