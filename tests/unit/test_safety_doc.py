# -*- coding: utf-8 -*-
"""docs/safety.md names the test that proves each guarantee: every test it names exists."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "safety.md"
# `tests/x/test_y.py::test_z`, and `::test_z` continuing the file named before it in the same cell.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?(?:::(test_\w+))?`")


def references():
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        current = None
        for match in REFERENCE.finditer(line):
            path, name = match.groups()
            current = path or current
            if current:
                found.append((current, name))
    return found


def test_the_safety_guide_names_only_tests_that_exist():
    named = references()
    assert len(named) > 20
    missing = []
    for path, name in named:
        source = ROOT / path
        if not source.is_file():
            missing.append(path)
        elif name and not re.search(r"^def %s\(" % name, source.read_text(encoding="utf-8"), re.MULTILINE):
            missing.append("%s::%s" % (path, name))
    assert missing == []


def test_the_readme_links_the_safety_guide():
    assert "(docs/safety.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
