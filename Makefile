# Two commands do everything on a fresh machine:
#   make demo   the whole homework on the built-in synthetic data, results + figures + report in ee449-out/
#   make test   the test suite (no GPU, no network), as CI runs it
#   make lint   the layers (import-linter), the lint rules (ruff) and the types (mypy) of ee449/
# Each creates the virtual environment .venv with pip on first use.

PYTHON ?= python3
VENV ?= .venv
OUT ?= ee449-out
BIN = $(VENV)/bin

.PHONY: demo test lint gpu-test bench tox clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/ee449 all --quick --out $(OUT)

test: $(VENV)/.installed
	$(BIN)/pytest -m "not gpu" -n 2 --dist loadgroup

lint: $(VENV)/.installed
	$(BIN)/lint-imports
	$(BIN)/ruff check ee449
	$(BIN)/ruff format --check ee449 tests benchmarks tools conftest.py
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
