# One entry point per job; each target creates .venv itself so a fresh machine needs only Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUN_STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: system-deps browser run test check lint format typecheck catalog new-vendor bench bench-verdicts soak docker-smoke clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)  ## start the server on 127.0.0.1:8080 with the built-in defaults
	$(BIN)/mockserver serve --host $(HOST) --port $(PORT)

system-deps:  ## Debian packages the tests drive for real (redis-server, chromium), installed when missing
	bash scripts/system-deps.sh

browser: system-deps  ## the headless chromium + chromedriver tests/console use (part of system-deps)

test: $(STAMP) system-deps  ## lint, type-check and run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy mockserver bench
	$(BIN)/pytest -n 2 -q

check: test

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy mockserver bench

catalog: $(STAMP)  ## regenerate catalog/*.yaml from catalog/seeds/
	$(BIN)/python scripts/build_catalog.py

operations: $(STAMP)  ## regenerate mockserver/vendors/*/spec/*.json from the vendors' specs (scripts/build_operations.py)
	$(BIN)/python scripts/build_operations.py

new-vendor: $(STAMP)  ## scaffold a vendor folder, seed, catalog, docs and scenario: make new-vendor NAME=acme [TITLE="Acme"]
	$(BIN)/python scripts/new_vendor.py $(NAME) $(if $(TITLE),--title "$(TITLE)")

bench: $(STAMP) system-deps  ## every request class against a bare aiohttp app, then the Redis store and --workers
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.scale

bench-verdicts: $(STAMP)
	$(BIN)/python -m bench.verdicts

docker-smoke:  ## build the image with podman and smoke-test it (root; installs podman/debootstrap if missing)
	bash scripts/docker-smoke.sh

soak: $(STAMP)  ## a bounded 1,000,000-request soak reporting RSS over time (not in make test)
	$(BIN)/python -m bench.soak --requests 1000000 --max-duration 1800

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
