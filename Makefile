# Two commands do everything on a fresh machine:
#   make demo   the whole homework on the built-in synthetic data, results + figures + report in ee449-out/
#   make test   the test suite (no GPU, no network), as CI runs it
#   make lint   the layers (import-linter), the lint rules (ruff) and the types (mypy) of ee449/
# Each creates the virtual environment .venv with pip on first use.

PYTHON ?= python3
VENV ?= .venv
OUT ?= ee449-out
BIN = $(VENV)/bin

.PHONY: demo test lint gpu-test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/ee449 all --quick --out $(OUT)

test: $(VENV)/.installed
	$(BIN)/pytest -m "not gpu" -n 2

lint: $(VENV)/.installed
	$(BIN)/lint-imports
	$(BIN)/ruff check ee449
	$(BIN)/mypy

gpu-test: $(VENV)/.installed
	$(BIN)/pytest -m gpu -n 4 --require-gpu

bench: $(VENV)/.installed
	$(BIN)/ee449 bench

clean:
	rm -rf $(VENV) .tox .pytest_cache .hypothesis $(OUT)
