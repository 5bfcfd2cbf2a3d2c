# `make demo`: a virtual environment, the package, DO against plain Q.
# `make test`: the whole suite on the tensorflow, jax and torch backends.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BACKENDS ?= tensorflow jax torch
TEST_WORKERS ?= 2
PIP := $(BIN)/python -m pip install -q -c constraints.txt

.PHONY: demo test lint docs bench clean

$(VENV)/.core: setup.cfg setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(PIP) -e .
	touch $@

$(VENV)/.all: $(VENV)/.core
	$(PIP) -e ".[all]"
	touch $@

demo: $(VENV)/.core
	$(BIN)/python scripts/demo.py

lint: $(VENV)/.all
	$(BIN)/ruff check aos_keras tests scripts docs/examples
	$(BIN)/ruff format --check aos_keras tests scripts docs/examples

$(VENV)/.docs: $(VENV)/.core
	$(PIP) -e ".[docs]"
	touch $@

docs: $(VENV)/.docs
	$(BIN)/mkdocs build --strict

test: $(VENV)/.all lint
	@set -e; for b in $(BACKENDS); do \
	  echo "=== KERAS_BACKEND=$$b"; \
	  KERAS_BACKEND=$$b $(BIN)/python -m pytest -q -p no:cacheprovider \
	    -n $(TEST_WORKERS) --dist loadfile; \
	done

bench: $(VENV)/.all
	$(BIN)/python scripts/bench_step.py

clean:
	rm -rf $(VENV) .cache build *.egg-info
