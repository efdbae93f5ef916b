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

.PHONY: help venv collection demo test unit integration differential sanity oracle bench compat clean

help:
	@echo "make demo          register a sample service in a sample MAPISVC.INF, twice"
	@echo "make test          unit, property, differential (Wine), integration and sanity tests"
	@echo "make bench         benchmarks; writes docs/performance.md"
	@echo "make compat        unit and integration tests on the lowest supported ansible-core (2.16)"

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

# Sanity first, so the run ends with pytest's summary line.
test: venv collection oracle
	bash tests/sanity/run.sh
	MAPISVC_ORACLE=$(CURDIR)/.tmp/oracle/profile_dump.exe $(BIN)/pytest -q tests/unit tests/differential tests/integration

# The lowest ansible-core in meta/runtime.yml (2.16, from the ansible 9 package): unit and
# integration suites in a venv of their own.
COMPAT_216 := .tmp/compat-2.16
$(COMPAT_216)/bin/pytest:
	$(PYTHON) -m venv $(COMPAT_216)
	$(COMPAT_216)/bin/pip install --quiet 'ansible==9.13.0' 'pytest==9.0.3' 'hypothesis==6.170.15'

compat: collection $(COMPAT_216)/bin/pytest
	$(COMPAT_216)/bin/ansible --version | head -n 1
	$(COMPAT_216)/bin/pytest -q tests/unit tests/integration

bench: venv collection
	$(BIN)/python bench/run.py

clean:
	rm -rf .tmp .pytest_cache .hypothesis tests/output
