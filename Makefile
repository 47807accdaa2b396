# Stepwise: `make run` serves the platform, `make test` checks it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export STEPWISE_WS_PORT ?= 8001

.PHONY: run test lint bench setup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps make a second run skip installs that are already done.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.runtime $@

setup: $(VENV)/.runtime
	$(BIN)/python manage.py stepwise_setup

run: setup
	@echo "Stepwise: http://127.0.0.1:$${STEPWISE_PORT:-8000}  (websockets on port $(STEPWISE_WS_PORT); Ctrl-C stops everything)"
	@echo "  front: owns the port and reads each request whole before gunicorn sees it, so slow clients never hold a worker"
	exec $(BIN)/python -m builder.serve

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.dev lint
	STEPWISE_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev
	$(BIN)/python bench/serving.py
	$(BIN)/python bench/gateway.py
	$(BIN)/python -m bench.editor
	$(BIN)/python bench/library.py
	$(BIN)/python bench/waiting.py
	BENCH_SHAPES='make run' BENCH_CONNECTIONS=256 $(BIN)/python bench/waiting.py
	BENCH_SHAPES='make run' BENCH_LATENCY_MS=2000 BENCH_BURST=100 $(BIN)/python bench/waiting.py
	$(BIN)/python bench/outbound.py
	$(BIN)/python bench/jobs.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/lists.py

clean:
	rm -rf $(VENV) var
