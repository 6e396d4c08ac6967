# The two commands of the README: `make build` and `make test`. Both create .venv from the
# pinned requirements when it is missing or older than requirements.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export SEGMENTS_DUCKDB_PATH ?= $(CURDIR)/segments.duckdb

.PHONY: build test lint dbt-test pytest seeds docs clean replay

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

## build: load the demo seeds into segments.duckdb, build every model, print a summary.
build: $(BIN)/.installed
	$(BIN)/dbt build --exclude-resource-type test --exclude-resource-type unit_test
	$(BIN)/python scripts/build_summary.py "$(SEGMENTS_DUCKDB_PATH)"

## test: lint, dbt build with every data and unit test, pytest.
test: lint dbt-test pytest

lint: $(BIN)/.installed
	$(BIN)/sqlfluff lint models

dbt-test: $(BIN)/.installed
	$(BIN)/dbt build

pytest: $(BIN)/.installed
	$(BIN)/python -m pytest tests_py

## seeds: rewrite the demo CSVs from the generator (deterministic).
seeds: $(BIN)/.installed
	$(BIN)/python scripts/generate_demo_data.py

## replay: record segment history at each as_of from REPLAY_START to REPLAY_END (default: the
## demo's last week, daily), then build everything at REPLAY_END (scripts/replay.py).
REPLAY_START ?= 2026-10-24T18:00:00
REPLAY_END ?= 2026-10-31T18:00:00
REPLAY_EVERY ?= 1d
replay: $(BIN)/.installed
	$(BIN)/python scripts/replay.py --start $(REPLAY_START) --end $(REPLAY_END) --every $(REPLAY_EVERY)

docs: $(BIN)/.installed
	$(BIN)/dbt docs generate

clean:
	rm -rf target logs dbt_packages segments.duckdb segments.duckdb.wal
