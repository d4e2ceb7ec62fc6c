# Two commands do all setup on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install report build test lab clean

install: $(STAMP)

# The environment is remade whenever the dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

## Run the whole pipeline offline: tables, figures, notebooks, HTML report.
report: install
	$(BIN)/litkit report

## Only the processed tables.
build: install
	$(BIN)/litkit build

## Every test: unit tests, the local Crossref server tests, and the notebooks (nbval).
test: install
	$(BIN)/python -m pytest

## JupyterLab on the notebooks, with litkit installed (as root too, e.g. in a container).
lab: install
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf $(VENV) .pytest_cache
