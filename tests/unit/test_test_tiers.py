# -*- coding: utf-8 -*-
"""The test tiers (tests/conftest.py): `make check` keeps the playbook tests CHECK_TIER names,
and its Hypothesis profile lowers every property test's own example count."""

import ast
import importlib.util
import pathlib
import types

from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _tiers():
    spec = importlib.util.spec_from_file_location("tiers_conftest", ROOT / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_check_tier_entry_names_a_playbook_test_that_exists():
    for entry in _tiers().CHECK_TIER:
        path, name = entry.split("::")
        assert path.startswith("tests/integration/"), entry
        tree = ast.parse((ROOT / path).read_text())
        functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert name in functions, "%s: no such test; update CHECK_TIER in tests/conftest.py" % entry


def test_the_check_profile_lowers_a_tests_own_example_count():
    calls = []

    @settings(max_examples=200, database=None)
    @given(st.integers())
    def property_test(value):
        calls.append(value)

    tiers = _tiers()
    tiers._cap_examples(types.SimpleNamespace(obj=property_test, nodeid="property_test"), tiers.CHECK_EXAMPLES)
    property_test()
    assert 0 < len(calls) <= tiers.CHECK_EXAMPLES


def test_a_test_without_hypothesis_is_left_alone():
    def plain():
        pass

    tiers = _tiers()
    tiers._cap_examples(types.SimpleNamespace(obj=plain, nodeid="plain"), tiers.CHECK_EXAMPLES)
    assert not hasattr(plain, "_hypothesis_internal_use_settings")
