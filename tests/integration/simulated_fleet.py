# -*- coding: utf-8 -*-
"""Simulated Windows workstations (TEST DOUBLES, tests/windows_double) for playbook tests.

``build`` makes the machines with make_machine.py and an inventory of them; ``run`` runs a
playbook against them with the double collection shadowing ansible.windows; ``tree`` and
``services_in`` read a machine afterwards.
"""

from __future__ import annotations

import hashlib
import pathlib
import sys

import pytest

import playbook_run
from ansible_collections.mapi.messaging.plugins.plugin_utils import ini

ROOT = playbook_run.ROOT
DOUBLES = ROOT / "tests" / "windows_double"

if not (DOUBLES / "make_machine.py").is_file():
    # The collection tarball leaves the doubles out: the tests that need them skip there.
    pytest.skip("the simulated Windows host (tests/windows_double) is not there", allow_module_level=True)
sys.path.insert(0, str(DOUBLES))
import make_machine  # noqa: E402 - the test-double machine builder


def build(tmp_path, fleet, group="all"):
    """Build ``fleet`` ({host: (office, MAPI registered, MAPISVC.INF to start from or None)},
    optionally with a fourth item, more make_machine options such as users or lcid) under
    ``tmp_path``/machines; return (inventory, {host: root})."""
    roots = {}
    for name, (office, mapi, mapisvc, *more) in fleet.items():
        roots[name] = tmp_path / "machines" / name
        make_machine.make_machine(str(roots[name]), office=office, mapi=mapi,
                                  mapisvc=str(mapisvc) if mapisvc else None, **(more[0] if more else {}))
    return make_machine.write_inventory(tmp_path / "inventory.yml", roots, group=group), roots


def run(tmp_path, playbook, inventory, *extra):
    """playbook_run.run_playbook_file with the doubles first: (process, recap)."""
    return playbook_run.run_playbook_file(tmp_path, playbook, inventory, *extra,
                                          collections=(DOUBLES, playbook_run.COLLECTIONS))


def tree(root):
    """The simulated machine's state, its file system and registry: every file by path with
    its SHA-256 (the doubles' own lock files are not part of the machine)."""
    root = pathlib.Path(root)
    files = [path for path in sorted((root / "drive").rglob("*")) if path.is_file()] + [root / "registry.json"]
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


def services_in(root):
    """[Services] of every MAPISVC.INF on the machine, as Windows reads them."""
    found = {}
    for path in pathlib.Path(root, "drive").rglob("*"):
        if path.is_file() and path.name.upper() == "MAPISVC.INF":
            section = ini.parse(path.read_bytes()).section("Services")
            found[str(path)] = dict(section.items()) if section is not None else {}
    return found
