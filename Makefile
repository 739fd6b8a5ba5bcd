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

# Production: gunicorn with gthread workers, static files hashed and compressed for whitenoise
# (docs/deployment.md). Set DATABASE_URL, ADMIN_SECRET, SECRET_KEY and ALLOWED_HOSTS first.
WORKERS ?= 2
THREADS ?= 8
.PHONY: serve
serve: export STATIC_MANIFEST ?= 1
serve: export DEMO ?= 0
serve: migrate
	$(BIN)/python manage.py collectstatic --noinput -v0
	exec $(BIN)/gunicorn console.wsgi:application --worker-class gthread --workers $(WORKERS) \
		--threads $(THREADS) --no-control-socket --bind $(HOST):$(PORT) --access-logfile -

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

# Benchmarks (bench/, docs/benchmarks.md). `make bench`: Joinery against its peers and the floor, quick
# profile (under 10 minutes). `make bench-full`: the full matrix, then the floor benchmarks of each join.
NODE_PEERS := bench/peers/node
.PHONY: bench bench-full bench-deps bench-node-deps
$(BIN)/.bench-installed: $(BIN)/.installed bench/requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

$(NODE_PEERS)/node_modules/.package-lock.json: $(NODE_PEERS)/package-lock.json
	cd $(NODE_PEERS) && NODE_ENV=production npm ci --omit=dev --no-audit --no-fund

bench-node-deps: $(NODE_PEERS)/node_modules/.package-lock.json

bench-deps: $(BIN)/.bench-installed bench-node-deps
	bash .ci/ensure-postgres
	bash .ci/ensure-wrk

bench: bench-deps
	$(BIN)/python -m bench.compare --profile quick

bench-full: bench-deps
	$(BIN)/python -m bench.compare --profile full
	$(BIN)/python -m bench.action_join
	$(BIN)/python -m bench.remote_joins
	$(BIN)/python -m bench.remote_joins --remote-stub node

# Soak: 4 production workers under 32 clients for SOAK_SECONDS (default 300); fails on any error or
# on memory growth of 10 % or more (bench/soak.py, docs/reliability.md).
SOAK_SECONDS ?= 300
.PHONY: soak
soak: install
	$(BIN)/python -m bench.soak --seconds $(SOAK_SECONDS)

# Throughput of the action -> table join at 1, 2 and 4 workers and 3 processes (bench/scale_out.py).
.PHONY: bench-scale
bench-scale: install
	$(BIN)/python -m bench.scale_out

# Instructions per request of Joinery's own code, in-process under valgrind's callgrind: repeatable
# where timings drift, for comparing code with code (bench/instructions.py).
.PHONY: bench-instructions
bench-instructions: bench-deps
	$(BIN)/python -m bench.instructions

# Property-based fuzzing of /v1/metadata, /v2/query and /v1/graphql with more than 10,000 generated
# inputs (tests/fuzz; `make test` runs a few hundred of them).
.PHONY: fuzz
fuzz: install
	bash .ci/ensure-postgres
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/fuzz $(PYTEST_ARGS)
