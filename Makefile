# printbrief: `make demo` renders every sample (and the sample issue) into out/, `make test` runs the whole suite,
# `make docs` builds the documentation site into site/.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: demo test lint docs bench bench-quick bench-service gallery goldens browser validators verapdf system-check clean

$(BIN)/python: | system-check
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "printbrief needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

# The Debian packages WeasyPrint needs: installed when run as root (as CI is), else the one
# apt-get line is printed; a missing optional package is a note and the set-up goes on.
system-check:
	@$(PYTHON) tools/system_check.py --install

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

test: $(VENV)/.installed-test lint docs browser validators
	$(BIN)/python -m pytest -n auto --dist loadfile

# The documentation site (mkdocs.yml, docs/, the docstrings) into site/; strict: a broken link
# or reference fails the build. (Not --quiet: it hides the warnings that strict mode counts.)
docs: $(VENV)/.installed-test
	$(BIN)/mkdocs build --strict

# The demo-page test drives Debian's chromium through Playwright (never `playwright install`).
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] \
	  && { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	  || echo "note: install chromium to run the demo-page browser test"; }

# Independent readers the standards tests run: exempi (the Adobe XMP toolkit) and qpdf.
validators:
	@command -v exempi >/dev/null && command -v qpdf >/dev/null || { [ "$$(id -u)" = 0 ] \
	  && { apt-get update -qq && apt-get install -y -qq exempi qpdf >/dev/null; } \
	  || { echo "install exempi and qpdf (Debian packages) to run the standards tests"; exit 1; }; }

# veraPDF, the reference PDF/A and PDF/UA validator, is not packaged for Debian or PyPI:
# for users who have its `verapdf` launcher on PATH.
verapdf: $(VENV)/.installed
	@command -v verapdf >/dev/null || { echo "verapdf is not on PATH (https://verapdf.org)"; exit 1; }
	mkdir -p out/verapdf
	for v in a-2b a-3b ua-1; do \
	  $(BIN)/printbrief render samples --out-dir out/verapdf/$$v --variant pdf/$$v --force && \
	  $(BIN)/printbrief compile samples/issues/weekend-edition.json \
	    -o out/verapdf/$$v/weekend-edition-issue.pdf --variant pdf/$$v || exit 1; \
	done
	verapdf --flavour 2b out/verapdf/a-2b/*.pdf
	verapdf --flavour 3b out/verapdf/a-3b/*.pdf
	verapdf --flavour ua1 out/verapdf/ua-1/*.pdf

# The CJK comparison needs the system Noto CJK fonts that plain WeasyPrint users rely on.
bench: $(VENV)/.installed-test
	@fc-list ':family=Noto Sans CJK SC' | grep -q . || { [ "$$(id -u)" = 0 ] \
	  && apt-get install -y -qq fonts-noto-cjk >/dev/null \
	  || echo "note: install fonts-noto-cjk to compare against the system CJK fonts"; }
	@[ -x /usr/bin/chromium ] || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq chromium >/dev/null \
	  || echo "note: install chromium to compare against headless Chromium"; }
	$(BIN)/python tools/bench.py
	$(BIN)/python tools/bench_cjk.py --no-memory  # bench.py measured RSS and the wheel

# Under two minutes: fails when printbrief ÷ warm WeasyPrint passes bench/threshold.json.
bench-quick: $(VENV)/.installed-test
	$(BIN)/python tools/bench.py --quick

gallery: $(VENV)/.installed
	$(BIN)/python tools/gallery.py

# The golden page proofs (tests/goldens/) from the current layout: look at them before committing.
goldens: $(VENV)/.installed-test
	PRINTBRIEF_GOLDENS=regenerate $(BIN)/python -m pytest tests/test_goldens.py -q

bench-service: $(VENV)/.installed-test
	$(BIN)/python tools/bench_service.py

clean:
	rm -rf $(VENV) out site build dist .pytest_cache .mypy_cache .ruff_cache tests/_failures
