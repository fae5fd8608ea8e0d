# ideaflow — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP   := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test install lint format bench bench-smoke clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

install: $(PY_STAMP) $(NODE_STAMP)

## Run ideaflow on http://127.0.0.1:8000 with the embedded SQLite database and the demo workspace.
run: install
	$(BIN)/ideaflow db upgrade
	$(BIN)/ideaflow demo --if-missing
	$(BIN)/ideaflow serve

## Run the whole test suite (SQLite; set IDEAFLOW_TEST_DATABASE_URL to run it on PostgreSQL).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks (bench/README.md): small, medium and large data on PostgreSQL and SQLite; add BENCH_ARGS=--record to save.
bench: install
	$(BIN)/python -m bench --size small,medium,large --db both $(BENCH_ARGS)

## The benchmark harness on tiny data (seconds): checks it still works.
bench-smoke: install
	$(BIN)/python -m bench --smoke $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules data test-output .pytest_cache
