# Joinery: `make run` starts the product, `make test` runs the whole suite. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint fmt migrate

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: export JOINERY_DEMO_URL ?= http://127.0.0.1:$(PORT)
run: migrate
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py demo setup
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	bash .ci/ensure-postgres
	bash .ci/ensure-browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmark: action -> table join against its floor (bench/action_join.py, docs/benchmarks.md).
.PHONY: bench
bench: install
	$(BIN)/python -m bench.action_join
