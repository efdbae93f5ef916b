# mapi.messaging: `make demo` and `make test` are the two commands a new machine needs;
# `make check` is the fast tier to run on every change (CONTRIBUTING.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A collections tree pointing at this checkout, so Ansible and pytest load the collection
# from here (and never a stale copy from ~/.ansible).
COLLECTIONS := .tmp/collections
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/$(COLLECTIONS)
export ANSIBLE_HOME := $(CURDIR)/.tmp/ansible-home
export ANSIBLE_LOCAL_TEMP := $(CURDIR)/.tmp/ansible-local
export ANSIBLE_REMOTE_TEMP := $(CURDIR)/.tmp/ansible-remote
export ANSIBLE_NOCOLOR := 1
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Parallel pytest workers (pytest-xdist) where tests are independent. A test file stays on one
# worker (--dist loadfile), so a module's fixture that batches playbook cases runs once.
PYTEST_WORKERS ?= auto
PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile
ORACLE_EXE := $(CURDIR)/.tmp/oracle/profile_dump.exe
# ansible-test sanity tests left out of `make check`: pylint and validate-modules start
# Python per file or plugin, import builds a venv per Python, ansible-doc runs per plugin (and
# pslint needs PowerShell). `make sanity` and `make test` run them all.
SANITY_SLOW := pylint validate-modules import ansible-doc pslint

.PHONY: help venv lock collection demo check test unit integration differential sanity sanity-quick oracle bench bench-fleet bench-role report-preview molecule molecule-windows clean

help:
	@echo "make demo          register a sample service in a sample MAPISVC.INF, twice"
	@echo "make check         the fast tier for every change: unit and property tests (few examples), batched"
	@echo "                   playbook runs of every module, the PowerShell static check, quick sanity tests"
	@echo "make test          everything, as CI runs it: sanity, unit, property, differential (Wine),"
	@echo "                   integration, packaging (lint and docs lint included) and Molecule tests"
	@echo "make bench         benchmarks; writes docs/performance.md"
	@echo "make bench-fleet   audit cost per host; writes its block in docs/scaling.md"
	@echo "make bench-role    the role's module executions per host and wall time, beside the per-item role it"
	@echo "                   replaced (BENCH_ROLE_HOSTS, _FORKS, _RUNS); writes its block in docs/scaling.md"
	@echo "make report-preview  the fleet report at 1,000 and 10,000 synthetic hosts: sizes, and Chromium"
	@echo "                   screenshots in .tmp/report-preview when chromium is installed"
	@echo "make docs          the collection's HTML documentation in .tmp/docs/html (antsibull-docs, Sphinx)"
	@echo "make compat        unit and integration tests on the lowest and newest ansible-core"
	@echo "make molecule      the role's Molecule scenarios on simulated Windows hosts"
	@echo "make molecule-windows  the role's Molecule scenario on real Windows (MAPI_WINDOWS_INVENTORY)"
	@echo "make package       build the collection tarball; make package-test installs and runs it"
	@echo "make lint          ansible-lint (production profile); make docs-lint: antsibull-docs"
	@echo "make lock          rewrite requirements-dev.lock from the venv (after editing requirements-dev.txt)"

# The venv holds exactly requirements-dev.lock (pip among them), every file checked against
# its hash. The hashes are for the platform the lock was made on (its header says which);
# elsewhere `make venv LOCK_HASHES=no` installs the same versions without them.
LOCK_HASHES ?= yes
LOCK_INSTALL := $(if $(filter yes,$(LOCK_HASHES)),--require-hashes -r requirements-dev.lock,-r requirements-dev.txt -c $(VENV)/versions.txt)
$(BIN)/ansible-playbook: requirements-dev.txt requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	sed -n 's/ \\$$//p' requirements-dev.lock > $(VENV)/versions.txt
	$(BIN)/pip install --quiet $(LOCK_INSTALL)
	touch $@

venv: $(BIN)/ansible-playbook

# requirements-dev.lock from what the venv holds: edit requirements-dev.txt, `make venv`
# (the venv target reinstalls when requirements-dev.txt is newer), then `make lock`.
lock: venv
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/python mk/lock_requirements.py .tmp/lock/files requirements-dev.lock

collection:
	@mkdir -p $(COLLECTIONS)/ansible_collections/mapi .tmp/ansible-local
	@ln -sfn $(CURDIR) $(COLLECTIONS)/ansible_collections/mapi/messaging

demo: venv collection
	bash demo/run.sh

# ansible-doc on the collection this checkout is (through the collections tree above), so
# it works without installing anything: `make doc DOC=mapi.messaging.mapisvc`, or
# `make doc DOC="-t role mapi.messaging.message_service"` for the role's variables.
.PHONY: doc
DOC ?= mapi.messaging.mapisvc
doc: venv collection
	$(BIN)/ansible-doc $(DOC)

# The Windows INI API oracle: Wine's kernel32 and a small program of ours built with mingw-w64.
oracle: .tmp/oracle/profile_dump.exe
.tmp/oracle/profile_dump.exe: tests/oracle/profile_dump.c
	bash tests/oracle/build.sh $@

unit: venv collection
	$(BIN)/pytest -q $(PARALLEL) tests/unit

differential: venv collection oracle
	MAPISVC_ORACLE=$(ORACLE_EXE) $(BIN)/pytest -q tests/differential

integration: venv collection
	$(BIN)/pytest -q $(PARALLEL) tests/integration

sanity: venv
	bash tests/sanity/run.sh

sanity-quick: venv
	bash tests/sanity/run.sh $(addprefix --skip-test ,$(SANITY_SLOW))

# The tier for every change: the unit tests that start no ansible-playbook (core, action
# plugins, modules as processes, the PowerShell static check), every property test at a few
# examples, the playbook runs tests/conftest.py lists in CHECK_TIER (every module through
# Ansible, batched), then the quick sanity tests.
check: venv collection
	$(BIN)/pytest -q $(PARALLEL) --hypothesis-profile=check -m "not playbook or check" tests/unit tests/integration
	$(MAKE) --no-print-directory sanity-quick

# The role's scenarios on simulated Windows hosts (tests/windows_double). Run from the
# collection root; two runs of the same scenario must not overlap.
molecule: venv collection
	$(BIN)/molecule test -s default
	$(BIN)/molecule test -s removal
	$(BIN)/molecule test -s profiles

# The same installation on real Windows workstations (docs/testing-on-windows.md).
molecule-windows: venv collection
	@if [ -z "$$MAPI_WINDOWS_INVENTORY" ]; then \
	  echo "SKIPPED: the real-Windows scenario needs MAPI_WINDOWS_INVENTORY (docs/testing-on-windows.md)"; \
	else \
	  $(BIN)/molecule test -s windows; \
	fi

# Static checks first, then pytest: the independent tests on every core, then the ones marked
# serial (the Wine differential tests, one prefix) beside the role's scenarios.
# ansible-lint and antsibull-docs run once, in tests/packaging/test_changelog_and_docs.py.
# --durations lists the slowest tests, where time is to be won.
TEST_PATHS := tests/unit tests/differential tests/integration tests/packaging
test: venv collection oracle
	bash tests/sanity/run.sh
	MAPISVC_ORACLE=$(ORACLE_EXE) $(BIN)/pytest -q $(PARALLEL) --durations=25 -m "not serial" $(TEST_PATHS)
	@# The Wine tests (serial: one Wine prefix) and the Molecule scenarios each keep about one
	@# core busy, so they run side by side; the Wine tests' output follows Molecule's.
	@( MAPISVC_ORACLE=$(ORACLE_EXE) $(BIN)/pytest -q --durations=10 -m serial $(TEST_PATHS) \
	    > .tmp/test-serial.log 2>&1; echo $$? > .tmp/test-serial.rc ) & \
	$(MAKE) --no-print-directory molecule; molecule=$$?; wait; \
	echo "== Wine differential tests (serial)"; cat .tmp/test-serial.log; \
	test $$molecule -eq 0 && test "$$(cat .tmp/test-serial.rc)" -eq 0

bench: venv collection
	$(BIN)/python bench/run.py

# Per-host cost of the audit across many inventory hosts; rewrites its block in docs/scaling.md.
bench-fleet: venv collection
	$(BIN)/python bench/fleet_audit.py

# The role's cost per host on simulated Windows hosts, this checkout beside the per-item role of
# an earlier commit (extracted under .tmp/bench-role/); rewrites its block in docs/scaling.md.
# BENCH_ROLE_HOSTS (default 20) sets the timed fleet's size: use 1 to 3 while developing.
bench-role: venv collection
	$(BIN)/python bench/role.py

# The audit report of synthetic fleets (1,000 and 10,000 hosts): file sizes, and headless
# Chromium screenshots when Debian's chromium is installed (docs/audit.md).
report-preview: venv collection
	$(BIN)/python bench/report_preview.py

# The collection's HTML documentation, offline, in .tmp/docs/html: antsibull-docs writes the
# module and role pages (simplified-rst: no Ansible Sphinx extension needed) and the extra
# docs of docs/docsite, copy_guides.py puts the guides of docs/ in the extra docs' place,
# and Sphinx builds them with docs/docsite/conf.py, failing on any warning.
DOCS_BUILD := .tmp/docs
.PHONY: docs
docs: venv collection
	rm -rf $(DOCS_BUILD)
	mkdir -p $(DOCS_BUILD)/rst
	@# antsibull-docs wants its output folder writable by its owner only.
	chmod og-w $(DOCS_BUILD)/rst
	$(BIN)/antsibull-docs collection --use-current --output-format simplified-rst --no-indexes --fail-on-error \
	  --dest-dir $(DOCS_BUILD)/rst mapi.messaging
	$(BIN)/python docs/docsite/copy_guides.py $(DOCS_BUILD)/rst/collections/mapi/messaging/docsite
	cp docs/docsite/index.rst $(DOCS_BUILD)/rst/index.rst
	$(BIN)/sphinx-build -q -W --keep-going -b html -c docs/docsite $(DOCS_BUILD)/rst $(DOCS_BUILD)/html
	@echo "open $(DOCS_BUILD)/html/index.html"

include mk/packaging.mk

clean:
	rm -rf .tmp .pytest_cache .hypothesis tests/output
