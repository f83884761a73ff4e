# Two commands on a fresh machine (Python 3.11+ and make):
#   make run    install, build the demo on SQLite if the database is empty, serve it
#   make test   install, lint, then the whole suite (SQLite, PostgreSQL, headless Chromium)

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test lint install clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python $(PYTHON)
	@echo "compiling the facility-location and queueing kernels (numba, once per install)"
	$(VENV)/bin/python -c "from pitstop.engines.location._cfl_kernels import warm_up; warm_up()"
	$(VENV)/bin/python -c "from pitstop.engines.queueing._mmc_kernel import warm_up; warm_up()"
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/pitstop serve

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: install lint
	sh scripts/ensure-chromium.sh
	$(VENV)/bin/python -m pytest -n 2 --dist loadgroup

clean:
	rm -rf .tools $(VENV) pitstop.db pitstop.db-wal pitstop.db-shm
