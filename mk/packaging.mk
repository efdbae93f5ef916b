# Packaging, changelog, documentation lint, execution environment, ansible-lint and the
# ansible-core compatibility matrix. Included from the Makefile, whose PYTHON, BIN, the
# exported ANSIBLE_* variables and the `venv` and `collection` targets it uses.
# docs/packaging.md explains every target.

.PHONY: package package-test changelog docs-lint ee-context lint compat

COLLECTION_VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
DIST := .tmp/dist
TARBALL := $(DIST)/mapi-messaging-$(COLLECTION_VERSION).tar.gz

# The collection tarball, as `ansible-galaxy collection publish` or an offline install takes it.
package: venv
	@mkdir -p $(DIST)
	$(BIN)/ansible-galaxy collection build --force --output-path $(DIST) .
	@ls -l $(TARBALL)

# Build, offline install into an empty collections path, the demo from the installed copy,
# execution environment context, metadata, changelog and documentation checks.
package-test: venv collection
	$(BIN)/pytest -q tests/packaging

# Lint the fragments, then (re)build the release named by galaxy.yml's version from them and
# from the modules, plugins, roles and playbooks whose version_added is that version, and
# write CHANGELOG.md and CHANGELOG.rst. Until the version is tagged, rerunning it rebuilds
# that release (tests/packaging/changelog_release.py says how).
changelog: venv collection
	$(BIN)/python tests/packaging/changelog_release.py

# Plugin and role documentation (schema, markup, references) and the docs/ files as a
# docsite build would see them.
docs-lint: venv collection
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

# The build context of an execution environment holding the tarball (and, from Galaxy at
# build time, ansible.windows); `podman build -f .tmp/ee/Containerfile .tmp/ee` builds it.
ee-context: package
	$(BIN)/python tests/packaging/ee_context.py $(TARBALL) .tmp/ee

# ansible-lint's production profile over the playbooks, roles and examples users run.
LINT_PATHS := $(wildcard roles playbooks examples demo)
lint: venv collection
	$(BIN)/ansible-lint --offline --profile production $(LINT_PATHS)

# The unit and integration suites on the lowest ansible-core in meta/runtime.yml and on the
# newest the `ansible` package bundles, each in a venv of its own. The newest needs Python
# 3.12 or later (ansible-core 2.20+); COMPAT_NEW_PYTHON picks python3.12 from PATH when it
# runs, else the newest 3.12 under pyenv's root (`pyenv root`, or PYENV_ROOT), where a pyenv
# shim on PATH may refuse to run a version that is not selected. Check for a newer package with
#   $(COMPAT_NEW_PYTHON) -m pip index versions ansible
COMPAT_LOW_CORE := 2.16
COMPAT_LOW_ANSIBLE := 9.13.0
COMPAT_LOW_PYTHON ?= $(PYTHON)
COMPAT_NEW_CORE := 2.21
COMPAT_NEW_ANSIBLE := 14.5.0
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null)
COMPAT_NEW_PYTHON ?= $(or $(shell python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null),$(if $(PYENV_ROOT),$(shell ls -d $(PYENV_ROOT)/versions/3.12.*/bin/python3 2>/dev/null | sort -V | tail -n 1)),python3.12)
COMPAT_LOW_VENV := .tmp/compat-$(COMPAT_LOW_CORE)
COMPAT_NEW_VENV := .tmp/compat-$(COMPAT_NEW_CORE)
# The test tools at the versions the main venv pins.
COMPAT_TEST_TOOLS := $(shell grep -E '^(pytest|hypothesis)==' requirements-dev.txt)

# One stamp per ansible version, so changing a pin rebuilds the venv.
$(COMPAT_LOW_VENV)/.ansible-$(COMPAT_LOW_ANSIBLE):
	rm -rf $(COMPAT_LOW_VENV)
	$(COMPAT_LOW_PYTHON) -m venv $(COMPAT_LOW_VENV)
	$(COMPAT_LOW_VENV)/bin/pip install --quiet 'ansible==$(COMPAT_LOW_ANSIBLE)' $(COMPAT_TEST_TOOLS)
	touch $@

$(COMPAT_NEW_VENV)/.ansible-$(COMPAT_NEW_ANSIBLE):
	rm -rf $(COMPAT_NEW_VENV)
	$(COMPAT_NEW_PYTHON) -m venv $(COMPAT_NEW_VENV)
	$(COMPAT_NEW_VENV)/bin/pip install --quiet 'ansible==$(COMPAT_NEW_ANSIBLE)' $(COMPAT_TEST_TOOLS)
	touch $@

# Every suite runs even when one fails; the target fails if any did. Unit and integration
# tests are separate pytest runs, one summary line each.
COMPAT_VERSIONS := import importlib.metadata as m, platform; \
  print("== ansible-core %s (ansible %s, Python %s)" % (m.version("ansible-core"), m.version("ansible"), platform.python_version()))
compat: collection $(COMPAT_LOW_VENV)/.ansible-$(COMPAT_LOW_ANSIBLE) $(COMPAT_NEW_VENV)/.ansible-$(COMPAT_NEW_ANSIBLE)
	@status=0; for venv in $(COMPAT_LOW_VENV) $(COMPAT_NEW_VENV); do \
	  $$venv/bin/python -c '$(COMPAT_VERSIONS)'; \
	  for suite in tests/unit tests/integration; do \
	    PATH="$(CURDIR)/$$venv/bin:$$PATH" $$venv/bin/pytest -q $$suite || status=1; \
	  done; \
	done; exit $$status
