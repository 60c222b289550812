# Quick start: `make demo` analyzes the bundled sample organization; `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# setuptools says, on every editable install, that it used a meta path finder (because schemas/ is
# mapped into the package): information, not a problem; silenced so the quick start stays quiet.
QUIET_EDITABLE := PYTHONWARNINGS=ignore::UserWarning:setuptools.command.editable_wheel

.PHONY: demo test lint typecheck pytest oracle bench sample mutate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(QUIET_EDITABLE) $(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(QUIET_EDITABLE) $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/trustmap analyze fixtures/sample-org --out reports/sample-org

lint: $(VENV)/.installed-test
	$(BIN)/ruff check analyzer tests benchmarks fixtures
	$(BIN)/ruff format --check analyzer

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	$(BIN)/python -m pytest

test: lint typecheck pytest

# The access graph's oracles on thousands of random organizations (tests marked slow; minutes). Not part of `make test`.
oracle: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m slow

# Mutation testing of the core, each module against its own layer's tests (scripts/mutate.py --list);
# long (hours for every target on two cores): `make mutate TARGETS="iam IDN-002"` runs some. Not part of `make test`.
TARGETS ?=
$(VENV)/.installed-mutate: pyproject.toml $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,mutate]'
	touch $@

mutate: $(VENV)/.installed-mutate
	$(BIN)/python scripts/mutate.py $(TARGETS) --out .mutate/scores.json

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

sample: $(VENV)/.installed
	$(BIN)/python fixtures/build_sample_org.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .mutate mutants
