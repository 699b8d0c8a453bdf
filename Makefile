# Two commands do everything on a fresh machine:
#   make demo   the whole homework on the built-in synthetic data, results + figures + report in ee449-out/
#   make test   the fast tests (no GPU, no network, not `slow`): minutes
#   make lint   the layers (import-linter), the lint rules (ruff) and the types (mypy), whole repository
# CI (.ci/run) runs `make lint`, `make test` and `make test-slow` (the slow tests, and the GPU
# experiments on the CPU at tiny settings): together every test that can run without a GPU.
# Each creates the virtual environment .venv with pip on first use.

PYTHON ?= python3
VENV ?= .venv
OUT ?= ee449-out
BIN = $(VENV)/bin

.PHONY: demo test test-slow lint gpu-test bench tox clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/ee449 all --quick --out $(OUT)

# --dist loadscope: each test module runs on one worker, so a module fixture that grades a class is
# made once (pytest-xdist's loadgroup marks are silently ignored under pytest 9: its nodeid is no
# longer the attribute xdist rewrites).
test: $(VENV)/.installed
	$(BIN)/pytest -m "not gpu and not slow" -n 2 --dist loadscope

# The rest of what runs without a GPU: the slow tests, then the GPU experiments' code at tiny
# settings on the CPU (tests/integration/test_gpu_experiments.py, conftest's --gpu-on-cpu).
test-slow: $(VENV)/.installed
	$(BIN)/pytest -m "slow and not gpu" -n 2 --dist loadscope --durations=25
	$(BIN)/pytest -m gpu --gpu-on-cpu -n 2 tests/integration/test_gpu_experiments.py

lint: $(VENV)/.installed
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check ee449 tests benchmarks tools conftest.py  # fixtures/ are generators and students' files, kept as written
	$(BIN)/mypy

gpu-test: $(VENV)/.installed
	$(BIN)/pytest -m gpu -n 4 --require-gpu

# tox on every Python 3.10-3.13 that this machine has: on PATH, or installed by pyenv and not on
# PATH (tox alone would silently skip those). Only the versions found are run; the line below
# names them (pyenv's first: tox takes the first interpreter of each version).
# TOXARGS passes more options, e.g. TOXARGS='-- -x'.
TOX_CANDIDATES = $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.1[0-3]*/bin/python3.1[0-3]) \
	$(wildcard $(addsuffix /python3.1[0-3],$(subst :, ,$(PATH))))
TOX_PYTHONS = $(foreach p,$(TOX_CANDIDATES),$(if $(findstring /shims/,$(p)),,$(p)))  # pyenv's shims only redirect
TOX_ENVS = $(subst $(eval) ,$(comma),$(sort $(foreach p,$(TOX_PYTHONS),py$(subst .,,$(patsubst python%,%,$(notdir $(p)))))))
comma := ,

tox: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet 'tox>=4.11'
	@echo "tox: interpreters found: $(TOX_PYTHONS)"
	$(BIN)/tox --discover $(TOX_PYTHONS) -e $(TOX_ENVS) $(TOXARGS)

bench: $(VENV)/.installed
	$(BIN)/ee449 bench

clean:
	rm -rf $(VENV) .tox .pytest_cache .hypothesis $(OUT)
