# Liaison: the two commands are `make demo` and `make test` (see README.md).
#
#   make install    .venv with Python >= 3.12 and the pinned packages (fast when unchanged)
#   make fonts      cache the PDF fonts (Regular, Bold) outside the repo
#   make demo       migrate a SQLite database in var/, load demo data, serve on $(DEMO_ADDR)
#   make test       the layers contract, SQLite, throwaway PostgreSQL and browser runs; installs Debian packages
#   make test-fast  the layers contract and SQLite only, no browser
#   make lock       re-pin requirements/constraints.txt after changing pyproject.toml
#   make bench      bench/run, when there is one
#   make clean      remove var/ (the demo database, test results) and staticfiles/

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.NOTPARALLEL:
.DEFAULT_GOAL := help

PY := .venv/bin/python
MANAGE := $(PY) manage.py
DEMO_ADDR ?= 127.0.0.1:8000

.PHONY: help venv install sysdeps static messages fonts demo test test-fast lock bench clean

help:
	@sed -n 's/^#   //p' Makefile

venv install:
	@scripts/install

# Debian packages for the full run: chromium, fonts-noto-cjk, poppler-utils, gettext, postgresql-15.
sysdeps:
	@scripts/sysdeps

# Pages rendered in tests link static files; collect them the way the test settings store them.
static: install
	@DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) collectstatic --noinput -v0

# The .mo files are committed; this only compiles a catalogue whose .mo is missing.
messages: install
	@scripts/compile-messages

# Regular and Bold instances of the embedded PDF fonts, cached outside the repo (~2 min once).
fonts: install
	@$(MANAGE) liaison_fonts

demo: install messages fonts
	$(MANAGE) migrate --noinput
	$(MANAGE) demo
	@echo
	@echo "Liaison is running at http://$(DEMO_ADDR)/  (stop with Ctrl-C)"
	@echo
	@exec $(MANAGE) runserver $(DEMO_ADDR) --noreload

test: install sysdeps messages static
	@scripts/run-tests layers sqlite postgres browser

test-fast: install messages static
	@scripts/run-tests layers sqlite

lock:
	@scripts/lock

bench: install
	@if [ -f bench/run ]; then \
		if [ -x bench/run ]; then bench/run; else bash bench/run; fi; \
	else \
		echo "bench: nothing to run yet (bench/run does not exist)"; \
	fi

clean:
	rm -rf var staticfiles
