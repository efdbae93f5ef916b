# -*- coding: utf-8 -*-
"""The fleet audit on simulated Windows workstations (TEST DOUBLES, tests/windows_double), with
the role's detection: one read-only execution per host finds and reads every MAPISVC.INF copy,
and the report says what mapisvc_info would say about them."""

from __future__ import annotations

import collections
import json
import re

import pytest

from simulated_fleet import ROOT, build, run, tree

DEMO = ROOT / "demo" / "MAPISVC.INF"
FLEET = {
    "ws1": ("msi64", True, DEMO),
    "ws2": ("msi32", True, DEMO),
    "ws3": ("msi64", True, None),
}
# One module execution in -vvv output, with the host it ran on: Python started on the target
# (with pipelining the module comes on stdin, so its file name is not shown).
EXECUTION = re.compile(r"^<(?P<host>[^>]+)> EXEC /bin/sh -c '.*python[\d.]*(?: \S*AnsiballZ_\w+\.py)? && sleep 0'$",
                       re.MULTILINE)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("audit-windows")
    inventory, roots = build(tmp_path, FLEET, group="workstations")
    before = {host: tree(root) for host, root in roots.items()}
    # audit_windows: the simulated host's shell plugin is not one the audit recognises by name.
    proc, recap = run(tmp_path, "mapi.messaging.audit", inventory, "-vvv", "-e", "audit_windows=true",
                      "-e", "audit_report_dir=%s" % (tmp_path / "report"))
    report = json.loads((tmp_path / "report" / "mapisvc-report.json").read_text(encoding="utf-8"))
    return proc, recap, report, before, {host: tree(root) for host, root in roots.items()}


def test_the_audit_succeeds_and_changes_nothing_on_any_workstation(audited):
    proc, recap, report, before, after = audited
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert all(recap[host] == {"changed": 0, "failed": 0, "rescued": 0, "unreachable": 0} for host in FLEET), recap
    assert before == after


def test_detection_costs_one_module_execution_per_host(audited):
    proc = audited[0]
    executions = collections.Counter(match["host"] for match in EXECUTION.finditer(proc.stdout))
    assert executions == {host: 1 for host in FLEET}, executions


def test_the_report_shows_the_copy_each_host_has_where_mapi_reads_it(audited):
    report = audited[2]
    hosts = {host["host"]: host for host in report["hosts"]}
    assert set(hosts) == set(FLEET)
    paths = {name: [entry["path"] for entry in host["files"]] for name, host in hosts.items()}
    assert paths["ws1"] == ["C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF"]
    assert paths["ws2"] == ["C:\\Program Files (x86)\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF"]
    assert paths["ws3"] == []
    assert hosts["ws1"]["services"] == hosts["ws2"]["services"] == ["FABRIKAM", "MSEMS", "MSPST MS"]
    assert hosts["ws3"]["services"] == []
