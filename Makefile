# The two commands of the README: `make build` and `make test`. Both create .venv from the
# pinned requirements when it is missing or older than requirements.txt or pyproject.toml, and
# install the project's package (src/store_segments/, the `segments` command) into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export SEGMENTS_DUCKDB_PATH ?= $(CURDIR)/segments.duckdb

.PHONY: build preview segment diff publish report export test lint dbt-test semantic coverage pytest seeds docs clean replay test-spark test-spark-cluster java-check

# The package installs editable and offline: no build isolation (it would fetch setuptools from
# the package registry), the venv's setuptools pinned in requirements.txt builds it.
PACKAGE_INSTALL := pip install --quiet --no-deps --no-build-isolation -e .

$(BIN)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/$(PACKAGE_INSTALL)
	touch $@

# Where `make build` and `make publish` put the snapshots BI tools read (segments publish).
PUBLISHED_DIR ?= $(CURDIR)/published
# Vars of the build, as for `dbt build --vars` (YAML); the publish records their hash.
DBT_VARS ?=
VARS_FLAG := $(if $(strip $(DBT_VARS)),--vars '$(DBT_VARS)')

## build: the production run a store schedules (segments build): load the demo seeds into
## segments.duckdb (a first build records the week before as_of in the history models), build
## every model and run every data test, then publish the marts to published/segments.duckdb (and
## Parquet) only when all passed. Any failure: nothing published, history taken back, exit 1.
## Either way a status record: published/last_build.json.
build: $(BIN)/.installed
	$(BIN)/segments build --published-dir "$(PUBLISHED_DIR)" $(VARS_FLAG)
	$(BIN)/segments report --where --database "$(PUBLISHED_DIR)/segments.duckdb"

## preview: the same build at a past instant, AS_OF (ISO date or timestamp, UTC), into a database
## of its own, previews/<as_of>.duckdb: nothing is published and the work database's history is
## untouched (docs/journeys.md, "Looking back").
AS_OF ?=
PREVIEW_DIR ?= $(CURDIR)/previews
preview: $(BIN)/.installed
	@test -n "$(AS_OF)" || { echo 'usage: make preview AS_OF=2026-06-01'; exit 2; }
	$(BIN)/segments preview "$(AS_OF)" --preview-dir "$(PREVIEW_DIR)" $(VARS_FLAG)

## segment: preview one custom segment (docs/custom_segments.md, "Preview"), e.g.
## make segment NAME=us_viewed_product_not_bought: its size and share of customers, the funnel of
## its top-level conditions, its members per primary persona and five sample members, read-only
## from the last build's segments.duckdb, or from DATABASE=<file> or the preview of AS_OF=<date>.
NAME ?=
DATABASE ?=
SEGMENT_FROM := $(if $(strip $(DATABASE)),--database "$(DATABASE)") $(if $(strip $(AS_OF)),--as-of "$(AS_OF)" --preview-dir "$(PREVIEW_DIR)")
segment: $(BIN)/.installed
	@test -n "$(NAME)" || { echo 'usage: make segment NAME=us_viewed_product_not_bought [AS_OF=2026-06-01 | DATABASE=previews/20260601T000000.duckdb]'; exit 2; }
	$(BIN)/segments segment "$(NAME)" $(strip $(SEGMENT_FROM) $(VARS_FLAG))

## diff: what the working tree changes, before it goes live (segments diff, docs/change_impact.md):
## builds it and a base (default: the served snapshot's commit and vars; BASE=<git ref> for another)
## at the served as_of into scratch databases, on the same raw data and a copy of the recorded
## history, and prints the segments' entered / left / stayed, the journeys' due and suppressed
## counts, the tables that changed row for row and a sample of moved customers (Markdown; the same
## and JSON in diff/). VARS: vars of the working tree's build only, over DBT_VARS (both builds; the
## served base keeps the vars its build recorded). FAIL_ABOVE=0.2: exit 3 when a segment's entered
## plus left exceed that share of its members before. Never touches published/ or the history.
BASE ?=
VARS ?=
FAIL_ABOVE ?=
# The vars reach the command through the environment, so that any YAML (quotes included) passes intact.
diff: export VARS := $(VARS)
diff: export DBT_VARS := $(DBT_VARS)
diff: $(BIN)/.installed
	$(BIN)/segments diff --published-dir "$(PUBLISHED_DIR)" --vars "$$DBT_VARS" --change-vars "$$VARS" \
		$(if $(strip $(BASE)),--base '$(BASE)') $(if $(strip $(FAIL_ABOVE)),--fail-above $(FAIL_ABOVE))

## publish: publish what the last build left in segments.duckdb as a new snapshot, after its
## data tests pass again (segments build --publish-only). The number of snapshots kept is the
## var segments__published_snapshots_to_keep (dbt_project.yml or DBT_VARS).
## TARGET=spark: the Parquet export of the Spark build's tables instead, written by Spark.
TARGET ?=
publish: $(BIN)/.installed
ifeq ($(strip $(TARGET)),)
	$(BIN)/segments build --publish-only --published-dir "$(PUBLISHED_DIR)" $(VARS_FLAG)
else
	$(BIN)/segments publish --published-dir "$(PUBLISHED_DIR)" $(VARS_FLAG) --target $(TARGET)
endif

## report: the segment report, one self-contained HTML page (charts and sortable tables of
## aggregates, opens offline) of the published snapshot: target/report/index.html, and a copy in
## the snapshot's folder published/<as_of>/report/ (segments report, docs/report.md).
report: $(BIN)/.installed
	$(BIN)/segments report --database "$(PUBLISHED_DIR)/segments.duckdb"

## export: the upload file of one audience for one channel, from the published snapshot, e.g.
## make export AUDIENCE="High Rollers" CHANNEL=ads (hashed emails) or CHANNEL=email (email, first
## name); FAMILY=rfm_group when a name is in several families. Written to exports/<as_of>/.
AUDIENCE ?=
CHANNEL ?= email
FAMILY ?=
export: $(BIN)/.installed
	$(BIN)/segments export "$(AUDIENCE)" --channel "$(CHANNEL)" --family "$(FAMILY)" \
		--database "$(PUBLISHED_DIR)/segments.duckdb"

## test: lint, dbt build with every data and unit test, the semantic layer's check, coverage, pytest.
test: lint dbt-test semantic coverage pytest

# sqlfluff's dbt templater renders every model against the profile's database, and
# is_incremental() is true once a build has created the table: the lint would then check the
# incremental branches instead, so its result would depend on what was built before. It renders
# against an empty throw-away database instead, so each model is linted as a first build.
LINT_DUCKDB_PATH := $(CURDIR)/target/lint.duckdb
# What to lint: every model, or the files or folders named (make lint LINT_PATHS=models/marts/history).
LINT_PATHS ?= models
# sqlfluff renders each model through dbt, one process per core.
LINT_PROCESSES ?= 2

lint: $(BIN)/.installed
	rm -f "$(LINT_DUCKDB_PATH)" "$(LINT_DUCKDB_PATH).wal"
	rm -rf "$(LINT_DUCKDB_PATH).tmp"
	mkdir -p target
	SEGMENTS_DUCKDB_PATH="$(LINT_DUCKDB_PATH)" $(BIN)/sqlfluff lint $(LINT_PATHS) --processes $(LINT_PROCESSES)

dbt-test: $(BIN)/.installed
	$(BIN)/dbt build

## semantic: check the semantic layer (models/marts/semantic/, docs/semantic_layer.md) against the
## built database: MetricFlow validates the definitions, then queries every semantic model,
## dimension, entity, measure and metric. mf reads target/semantic_manifest.json, which
## `dbt parse` writes, and the profile of DBT_PROFILES_DIR (exported above). Offline it works the
## same: its update check gives up after 1 s.
semantic: $(BIN)/.installed
	$(BIN)/dbt parse --quiet
	$(BIN)/mf validate-configs

## coverage: after a build, the documentation and test coverage of the models, from the manifest
## `dbt parse` writes and the catalog of the built database (dbt-coverage; reports in
## target/coverage/). Fails when model columns with a description are below DOC_COVERAGE_MIN, or
## when a model has no description or no test dbt-coverage counts (segments check-coverage).
COVERAGE_DIR := target/coverage
# Share of model columns that must have a description: 1.0 is every column.
DOC_COVERAGE_MIN := 1.0
# Models whose columns come from a store's data, not from the YAML: the custom segments' aggregates
# are one column per (event, measure, filter, window) the definitions use, named by a rule the
# model's description states (docs/custom_segments.md).
DOC_COVERAGE_EXCLUDED := models/intermediate/custom_segments/int_custom_segment_activity.sql

coverage: $(BIN)/.installed
	$(BIN)/dbt parse
	$(BIN)/dbt docs generate --no-compile
	mkdir -p $(COVERAGE_DIR)
	$(BIN)/dbt-coverage compute doc --model-path-filter models/ --cov-report $(COVERAGE_DIR)/doc.json \
		--model-path-exclusion-filter $(DOC_COVERAGE_EXCLUDED) --cov-fail-under $(DOC_COVERAGE_MIN)
	$(BIN)/dbt-coverage compute test --model-path-filter models/ --cov-report $(COVERAGE_DIR)/test.json
	$(BIN)/dbt-coverage compute unit-test --model-path-filter models/ \
		--cov-report $(COVERAGE_DIR)/unit_test.json
	$(BIN)/segments check-coverage target/manifest.json $(COVERAGE_DIR)/test.json \
		$(COVERAGE_DIR)/unit_test.json

# pytest-xdist runs the tests in PYTEST_WORKERS processes side by side. A file's tests stay in one
# process (--dist loadfile), so a module's own builds are made once; the builds several modules
# read are made once per run; the longest files start first (tests_py/conftest.py, docs/testing.md
# "How tests share builds").
PYTEST_WORKERS ?= 2

pytest: $(BIN)/.installed
	$(BIN)/python -m pytest tests_py -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

## test-spark: the same project on Apache Spark (dbt-spark, session method; docs/spark.md). Creates
## .venv-spark from requirements-spark.txt when missing, then builds the demo on Spark (every
## seed, model, data test and unit test) and on DuckDB, and compares the tables row for row.
SPARK_VENV := .venv-spark
SPARK_BIN := $(SPARK_VENV)/bin

$(SPARK_BIN)/.installed: requirements-spark.txt requirements.txt pyproject.toml
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_BIN)/pip install --quiet --upgrade pip
	$(SPARK_BIN)/pip install --quiet -r requirements-spark.txt
	$(SPARK_BIN)/$(PACKAGE_INSTALL)
	touch $@

java-check:
	@java -version 2>&1 | grep -Eq 'version "(1[7-9]|2[0-9])' || { \
		echo "The Spark targets need Java 17 or newer on the PATH (java -version): pyspark 3.5 runs on it."; \
		exit 1; }

test-spark: java-check $(SPARK_BIN)/.installed
	$(SPARK_BIN)/python -m pytest tests_py -m spark -s -q

## test-spark-cluster: the same tests on a Spark standalone cluster on loopback (target
## spark_cluster, dbt-spark's thrift method): segments spark-cluster starts a master, a worker and
## a Thrift server as separate JVMs with their warehouse in a temporary folder, runs the tests
## against it and stops every process it started, also when the tests fail or are interrupted.
test-spark-cluster: java-check $(SPARK_BIN)/.installed
	SEGMENTS_SPARK_TARGET=spark_cluster $(SPARK_BIN)/segments spark-cluster run -- \
		$(SPARK_BIN)/python -m pytest tests_py -m spark -s -q

## seeds: rewrite the demo CSVs from the generator (deterministic).
seeds: $(BIN)/.installed
	$(BIN)/segments generate-demo-data

## replay: record segment history at each as_of from REPLAY_START to REPLAY_END (default: the
## demo's last week, daily), then build everything at REPLAY_END (segments replay).
REPLAY_START ?= 2026-10-24T18:00:00
REPLAY_END ?= 2026-10-31T18:00:00
REPLAY_EVERY ?= 1d
replay: $(BIN)/.installed
	$(BIN)/segments replay --start $(REPLAY_START) --end $(REPLAY_END) --every $(REPLAY_EVERY)

## docs: the dbt docs site (every model, column, test and the lineage) of the last build, as one
## page with the manifest and catalog inlined: target/static_index.html opens from disk (file://),
## offline. (target/index.html, written beside it, fetches them and needs `dbt docs serve`.)
docs: $(BIN)/.installed
	$(BIN)/dbt docs generate --static
	@echo "dbt docs site: $(CURDIR)/target/static_index.html (opens from disk)"

## integration-test: the project installed as a dbt package in a store's own project
## (integration_tests/, docs/package.md): dbt deps installs it by path, dbt seed loads the demo's
## CSVs as that store's raw tables (a schema per system, names of its own), dbt build builds and
## tests the package on them. The package's unit tests are left out, as in a store's production
## run: they run here, in `make test`. The database: integration_tests/target/integration.duckdb.
.PHONY: integration-test
INTEGRATION_DBT := cd integration_tests && DBT_PROFILES_DIR=. $(CURDIR)/$(BIN)/dbt
integration-test: $(BIN)/.installed
	$(INTEGRATION_DBT) deps
	$(INTEGRATION_DBT) seed
	$(INTEGRATION_DBT) build --exclude-resource-type seed --exclude-resource-type unit_test

clean:
	rm -rf integration_tests/target integration_tests/logs integration_tests/dbt_packages
	rm -rf target logs dbt_packages previews segments.duckdb segments.duckdb.wal spark-warehouse metastore_db derby.log
