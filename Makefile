# Two commands do all setup on a fresh machine: `make report` and `make test`.
#
# Each target installs what it needs into .venv with uv, at the versions in the committed
# uv.lock (the same on every machine), and nothing more: `make report` the runtime
# dependencies, `make test` also the test group, `make lab` also JupyterLab. uv itself is
# installed once per clone by pip, pinned, into .tools/. A second run installs nothing.
PYTHON     ?= python3
UV_VERSION := 0.13.9
UV         := .tools/uv-$(UV_VERSION)/bin/uv
VENV       := .venv
BIN        := $(VENV)/bin
LINTED     := src tests benchmarks

# uv reads neither pip's configuration nor its indexes: it uses PyPI, as uv.lock records.
# It builds .venv from $(PYTHON) and never downloads an interpreter of its own.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Python caches each module it imports as a .pyc file the first time. Where the shell sets
# PYTHONDONTWRITEBYTECODE, every run would compile everything again (a report takes twice as
# long); compiling all of .venv at install instead costs three times the install.
unexport PYTHONDONTWRITEBYTECODE
# --frozen: install uv.lock as it is, never re-resolve. --inexact: keep what another target
# added (make report after make test leaves pytest in place).
SYNC := $(UV) sync --frozen --inexact --no-default-groups --quiet

.DEFAULT_GOAL := help
.PHONY: help install report build test lint format lab lock clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
		--no-warn-script-location --target .tools/uv-$(UV_VERSION) uv==$(UV_VERSION)

install: $(UV) ## Install litkit and its runtime dependencies into .venv, as locked
	$(SYNC)

EXAMPLES := $(patsubst %/litkit.toml,%,$(wildcard examples/*/litkit.toml))

# One process makes every project's report, the projects side by side.
report: install ## Run the whole pipeline offline: tables, figures, notebooks, HTML report
	$(BIN)/litkit report --root . $(addprefix --root ,$(EXAMPLES))

build: install ## Write only the processed tables
	$(BIN)/litkit build

# One test process per core (pytest-xdist; a file's tests stay in one process). More would
# finish sooner, as the tests wait on paced local servers much of the time, but on two cores
# a third process delays requests enough that the pacing tests see a 429 now and then.
test: lint ## Every test: lint, unit tests, local-Crossref tests, notebooks (nbval)
	$(BIN)/python -m pytest -n auto

lint: $(UV) ## uv.lock in step with pyproject.toml; ruff check and ruff format --check
	$(UV) lock --check --quiet
	$(SYNC) --group test
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: $(UV) ## Format the code and apply ruff's safe fixes
	$(SYNC) --group test
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

lab: $(UV) ## JupyterLab on the notebooks, with litkit installed (as root too)
	$(SYNC) --group lab
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

lock: $(UV) ## Resolve pyproject.toml's dependencies again into uv.lock (commit it)
	$(UV) lock

clean: ## Remove .venv, uv and the test and lint caches
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache
