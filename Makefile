# Everything a newcomer needs: `make demo` and `make test`. Both install what is missing first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
UV_VERSION := 0.13.9

export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: install demo test test-fast lint format bench dagster docs lock clean

install: $(STAMP)

# Re-installs only when the lock or the project metadata changed.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

demo: install
	$(BIN)/backbone demo

test: install
	@scripts/ensure-system-packages.sh
	$(BIN)/pytest -n 2 --dist loadgroup

test-fast: install
	$(BIN)/pytest -n 2 --dist loadgroup -m "not slow and not postgres"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt/models

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The Dagster UI over the same assets `backbone run` materialises; runs are kept under BACKBONE_HOME.
dagster: install
	mkdir -p $${BACKBONE_HOME:-data}/dagster
	DAGSTER_HOME=$$(realpath $${BACKBONE_HOME:-data})/dagster $(BIN)/dagster dev

# The dbt documentation site (models, columns, lineage) as one static file that opens offline,
# built from the working warehouse of BACKBONE_HOME (run `backbone run` first).
docs: install
	@home=$$(realpath -m $${BACKBONE_HOME:-data}); \
	cd dbt && BACKBONE_HOME=$$home ../$(BIN)/dbt docs generate --static --profiles-dir . \
		--target-path $$home/docs --quiet && \
	echo "dbt docs: $$home/docs/static_index.html"

bench: install
	$(BIN)/python -m benchmarks

# Re-resolve the pinned versions (needs network to PyPI).
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache dbt/target dbt/logs
