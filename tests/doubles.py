# -*- coding: utf-8 -*-
"""The simulated Windows host's files (TEST DOUBLES, tests/windows_double) for tests that load
them by path: make_machine.py is a script and the doubles' module_utils are not a package
Python imports from here."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOUBLES = ROOT / "tests" / "windows_double"
MODULE_UTILS = DOUBLES / "ansible_collections" / "ansible" / "windows" / "plugins" / "module_utils"


def load(name, path):
    """The module at ``path``, imported under ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require_doubles():
    """Skip the calling test module where the doubles are absent (the collection tarball
    leaves them out)."""
    if not (DOUBLES / "make_machine.py").is_file():
        pytest.skip("the simulated Windows host (tests/windows_double) is not there", allow_module_level=True)
