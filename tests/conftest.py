# -*- coding: utf-8 -*-
"""Shared set-up of every test run.

- ``ansible_collections.mapi.messaging`` is importable from this checkout, through Ansible's
  own collection loader (as ansible-test does for unit tests).
- Hypothesis profiles: ``full`` (the default: each property test's own example count) and
  ``check`` (``make check``: at most CHECK_EXAMPLES examples per property test). Pick one with
  ``pytest --hypothesis-profile=check`` or ``MAPISVC_HYPOTHESIS_PROFILE=check``.
- Markers by layer (pytest.ini registers them): every test in tests/integration starts
  ansible-playbook (``playbook``); the differential tests share one Wine prefix (``serial``);
  CHECK_TIER lists the batched playbook runs ``make check`` keeps (``check``).
"""

import os
import pathlib

import pytest
from hypothesis import settings

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / ".tmp" / "collections"

# A property test in the fast tier is a smoke test of its generator and its property; the
# full example counts run in `make test`.
CHECK_EXAMPLES = 10
settings.register_profile("full")
settings.register_profile("check", max_examples=CHECK_EXAMPLES)
if os.environ.get("MAPISVC_HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["MAPISVC_HYPOTHESIS_PROFILE"])

# The playbook runs of the fast tier, as node ids without parameters. Together they run every
# module through Ansible: mapisvc (its action plugin and mapisvc_file) on some 40 refused
# declarations in one playbook; mapisvc writing and mapisvc_info reading the result; the
# fleet audit (mapisvc_info through the simulated win_powershell, and mapisvc_report) over 30
# simulated hosts in one playbook; the audit with the role's detection (message_service_plan
# and its probe) on simulated Windows workstations.
CHECK_TIER = (
    "tests/integration/test_mapisvc_bad_input.py::test_bad_input_fails_with_the_field_and_leaves_the_file",
    "tests/integration/test_mapisvc_info.py::test_a_service_mapisvc_registered_is_reported_back",
    "tests/integration/test_audit.py::test_the_audit_runs_through_every_host_and_writes_the_three_files",
    "tests/integration/test_audit.py::test_csv_and_json_agree_with_each_other_and_the_fleet",
    "tests/integration/test_audit_windows.py::test_detection_costs_one_module_execution_per_host",
)


def _link_collection():
    link = COLLECTIONS / "ansible_collections" / "mapi" / "messaging"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(ROOT)


def _install_collection_finder():
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    _AnsibleCollectionFinder(paths=[str(COLLECTIONS)])._install()


_link_collection()
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS))
_install_collection_finder()


def _relative(item):
    return pathlib.Path(str(item.path)).resolve().relative_to(ROOT).as_posix()


def _cap_examples(item, cap):
    """Lower a property test's example count to ``cap``. Tests give their own count with
    @settings, which outranks any profile, so the fast tier lowers it on the test itself."""
    test = getattr(item, "obj", None)
    if getattr(test, "hypothesis", None) is None:
        return
    current = getattr(test, "_hypothesis_internal_use_settings", None)
    if current is None:
        raise pytest.UsageError("cannot lower the example count of %s with this Hypothesis version; "
                                "run without the check profile" % item.nodeid)
    if current.max_examples > cap:
        test._hypothesis_internal_use_settings = settings(current, max_examples=cap)


# First, so that `-m` and `-k` see these markers when they deselect.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    cap = settings.default.max_examples if settings.get_current_profile_name() == "check" else None
    for item in items:
        path = _relative(item)
        if path.startswith("tests/integration/"):
            item.add_marker(pytest.mark.playbook)
        if path.startswith("tests/differential/"):
            item.add_marker(pytest.mark.serial)
        if "%s::%s" % (path, item.originalname) in CHECK_TIER:
            item.add_marker(pytest.mark.check)
        if cap is not None:
            _cap_examples(item, cap)
