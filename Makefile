# printbrief: `make demo` renders every sample (and the sample issue) into out/, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: demo test lint bench system-check clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "printbrief needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

system-check:
	@$(PYTHON) tools/system_check.py

$(VENV)/.installed: pyproject.toml | $(BIN)/python system-check
	$(PIP) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) -e '.[test]'
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/printbrief render samples --out-dir out
	$(BIN)/printbrief compile samples/issues/weekend-edition.json -o out/weekend-edition.pdf -j 2
	@echo "PDFs are in out/"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/mypy

test: $(VENV)/.installed-test lint
	$(BIN)/python -m pytest

# The CJK comparison needs the system Noto CJK fonts that plain WeasyPrint users rely on.
bench: $(VENV)/.installed-test
	@fc-list ':family=Noto Sans CJK SC' | grep -q . || { [ "$$(id -u)" = 0 ] \
	  && apt-get install -y -qq fonts-noto-cjk >/dev/null \
	  || echo "note: install fonts-noto-cjk to compare against the system CJK fonts"; }
	$(BIN)/python tools/bench.py

clean:
	rm -rf $(VENV) out build dist .pytest_cache .mypy_cache .ruff_cache tests/_failures
