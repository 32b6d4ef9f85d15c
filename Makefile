# `make` installs what the build needs and publishes every leaflet and pack into output/.
# `make test` installs the same (plus the test tools) and runs every test, as CI does;
# `make check` runs the quick ones (those not marked slow), for while you work.
# Re-running either when nothing changed installs nothing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Debian packages: fonts pinned to the releases whose checksums pyproject.toml records,
# HarfBuzz subsetting (renders are ~4x slower without it), GNU gettext (msgfmt --check),
# Ghostscript, which renders every PDF before it is published, poppler-utils, which the
# tests read PDFs with, and the CMYK profile of print-shop PDFs (libgs-common). qpdf's
# check runs in-process through pikepdf, which brings its own libqpdf. liblouis (lou_translate and
# its tables) writes and reads back the braille, pinned: a table's change changes the braille.
# LAME encodes the audio (pinned: the MP3's bytes depend on its version; the voice itself comes
# from PyPI, espeakng-loader).
APT_PACKAGES := fonts-noto-core=20201225-1 fonts-noto-cjk=1:20220127+repack1-1 \
	libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fontconfig gettext \
	poppler-utils ghostscript libgs-common liblouis-bin=3.24.0-1 liblouis-data=3.24.0-1 lame=3.100-6
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build test check bench bench-internals bytecode system test-system check-system clean-output help
all: build

help:
	@echo "make          install what is needed, then build everything into output/"
	@echo "make test     install what is needed, then run every test (as CI does)"
	@echo "make check    the quick tests only (no whole build; under a minute), and ruff"
	@echo "make bench    measure build speed and output sizes (benchmarks/)"
	@echo "make bench-internals  measure what each use of another library's internals gains"
	@echo "make system   install only the Debian packages"

build: system $(VENV)/.installed bytecode
	$(BIN)/python pipeline.py build

# Where PYTHONDONTWRITEBYTECODE is set, Python compiles this package again in every command
# it runs (a tenth of a second each); compiled once here, as pip compiles the packages it
# installs. Python itself recompiles a module whose source has changed since.
bytecode: $(VENV)/.installed
	@$(BIN)/python -m compileall -q leafpub

# DejaVu: a family installed but not pinned, which a test asks for and must not get.
CHECK_APT_PACKAGES := fonts-dejavu-core
# The browser test of the download page drives Debian's Chromium; the Nu Html Checker runs on Java.
TEST_APT_PACKAGES := $(CHECK_APT_PACKAGES) chromium chromium-driver
# Checkers of the web pages, from the npm registry: axe-core (WCAG 2.1 AA, in Chromium) and the
# Nu Html Checker (vnu.jar, the W3C's validator). Its install script, which would download a
# Java runtime, is not run: Debian's is used.
WEB_CHECKERS := axe-core@4.14.1 vnu-jar@26.9.27
WEB_TOOLS := $(VENV)/web-tools

test: system test-system $(VENV)/.installed-test $(WEB_TOOLS)/.installed bytecode
	$(BIN)/ruff check .
	WEB_TOOLS=$(WEB_TOOLS) $(BIN)/python -m pytest

# The quick tier: no test in it builds a whole project or drives Chromium or the web checkers
# (those are marked slow), so it needs neither Chromium nor the checkers installed.
check: system check-system $(VENV)/.installed-test bytecode
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow"

$(WEB_TOOLS)/.installed: Makefile
	command -v java >/dev/null || $(MAKE) --no-print-directory system APT_PACKAGES=default-jre-headless
	command -v npm >/dev/null || $(MAKE) --no-print-directory system APT_PACKAGES="nodejs npm"
	npm install --prefix $(WEB_TOOLS) --no-save --no-audit --no-fund --ignore-scripts $(WEB_CHECKERS)
	touch $@

bench: system $(VENV)/.installed bytecode
	$(BIN)/python benchmarks/bench.py

bench-internals: system $(VENV)/.installed bytecode
	$(BIN)/python benchmarks/internals.py

# Installs only the packages that are missing (or at another version), so a re-run is quick.
test-system:
	@$(MAKE) --no-print-directory system APT_PACKAGES="$(TEST_APT_PACKAGES)"

check-system:
	@$(MAKE) --no-print-directory system APT_PACKAGES="$(CHECK_APT_PACKAGES)"

system:
	@missing=""; for spec in $(APT_PACKAGES); do \
		name=$${spec%%=*}; want=$${spec#*=}; [ "$$want" = "$$spec" ] && want=""; \
		have=$$(dpkg-query -W -f='$${Status} $${Version}' "$$name" 2>/dev/null); \
		case "$$have" in "install ok installed"*) \
			[ -z "$$want" ] || [ "$${have##* }" = "$$want" ] || missing="$$missing $$spec";; \
			*) missing="$$missing $$spec";; esac; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

clean-output:
	find output -mindepth 1 ! -name README.md -delete
