# mapi.messaging: `make demo` and `make test` are the two commands a new machine needs.
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

.PHONY: help venv collection demo test unit integration differential sanity oracle bench bench-fleet molecule molecule-windows clean

help:
	@echo "make demo          register a sample service in a sample MAPISVC.INF, twice"
	@echo "make test          sanity, lint, unit, property, differential (Wine), integration, packaging and Molecule tests"
	@echo "make bench         benchmarks; writes docs/performance.md"
	@echo "make bench-fleet   audit cost per host; writes its block in docs/scaling.md"
	@echo "make compat        unit and integration tests on the lowest and newest ansible-core"
	@echo "make molecule      the role's Molecule scenarios on simulated Windows hosts"
	@echo "make molecule-windows  the role's Molecule scenario on real Windows (MAPI_WINDOWS_INVENTORY)"
	@echo "make package       build the collection tarball; make package-test installs and runs it"
	@echo "make lint          ansible-lint (production profile); make docs-lint: antsibull-docs"

$(BIN)/ansible-playbook: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/ansible-playbook

collection:
	@mkdir -p $(COLLECTIONS)/ansible_collections/mapi .tmp/ansible-local
	@ln -sfn $(CURDIR) $(COLLECTIONS)/ansible_collections/mapi/messaging

demo: venv collection
	bash demo/run.sh

# The Windows INI API oracle: Wine's kernel32 and a small program of ours built with mingw-w64.
oracle: .tmp/oracle/profile_dump.exe
.tmp/oracle/profile_dump.exe: tests/oracle/profile_dump.c
	bash tests/oracle/build.sh $@

unit: venv collection
	$(BIN)/pytest -q tests/unit

differential: venv collection oracle
	MAPISVC_ORACLE=$(CURDIR)/.tmp/oracle/profile_dump.exe $(BIN)/pytest -q tests/differential

integration: venv collection
	$(BIN)/pytest -q tests/integration

sanity: venv
	bash tests/sanity/run.sh

# The role's scenarios on simulated Windows hosts (tests/windows_double). Run from the
# collection root; two runs of the same scenario must not overlap.
molecule: venv collection
	$(BIN)/molecule test -s default
	$(BIN)/molecule test -s removal

# The same installation on real Windows workstations (docs/testing-on-windows.md).
molecule-windows: venv collection
	@if [ -z "$$MAPI_WINDOWS_INVENTORY" ]; then \
	  echo "SKIPPED: the real-Windows scenario needs MAPI_WINDOWS_INVENTORY (docs/testing-on-windows.md)"; \
	else \
	  $(BIN)/molecule test -s windows; \
	fi

# Static checks first; pytest's summary line comes after them, then the role's scenarios.
test: venv collection oracle
	bash tests/sanity/run.sh
	$(MAKE) --no-print-directory lint docs-lint
	MAPISVC_ORACLE=$(CURDIR)/.tmp/oracle/profile_dump.exe $(BIN)/pytest -q tests/unit tests/differential tests/integration tests/packaging
	$(MAKE) --no-print-directory molecule

bench: venv collection
	$(BIN)/python bench/run.py

# Per-host cost of the audit across many inventory hosts; rewrites its block in docs/scaling.md.
bench-fleet: venv collection
	$(BIN)/python bench/fleet_audit.py

include mk/packaging.mk

clean:
	rm -rf .tmp .pytest_cache .hypothesis tests/output
