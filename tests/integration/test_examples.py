# -*- coding: utf-8 -*-
"""The playbooks in examples/, run as their README says, on simulated Windows workstations
(TEST DOUBLES, tests/windows_double).

ws1 has 64-bit MSI Office and the demo MAPISVC.INF with other vendors' services, a user with
an Outlook profile and one without; ws2 has 32-bit Office on 64-bit Windows and no
MAPISVC.INF yet. The sequence is a user's: preflight, preview, install, install again,
preview the removal, remove, remove again.
"""

from __future__ import annotations

import json

import pytest
import yaml

from simulated_fleet import ROOT, build, run, services_in, tree
from ansible_collections.mapi.messaging.plugins.plugin_utils import ini

EXAMPLES = ROOT / "examples"
DEMO = ROOT / "demo" / "MAPISVC.INF"
FLEET = {
    "ws1": ("msi64", True, DEMO, {"users": ["alice:with-profile", "bob:without-profile"]}),
    "ws2": ("msi32", True, None),
}
STEPS = [
    ("preflight", "preflight.yml"),
    ("install preview", "install-contoso.yml", "--check", "--diff"),
    ("install", "install-contoso.yml"),
    ("install again", "install-contoso.yml"),
    ("removal preview", "remove-contoso.yml", "--check", "--diff"),
    ("removal", "remove-contoso.yml"),
    ("removal again", "remove-contoso.yml"),
]


@pytest.fixture(scope="module")
def steps(tmp_path_factory):
    """Each step's process, recap and the machines' state after it."""
    tmp_path = tmp_path_factory.mktemp("examples")
    inventory, roots = build(tmp_path, FLEET, group="workstations")
    done = {"start": {"machines": {name: tree(root) for name, root in roots.items()}}}
    for step, playbook, *options in STEPS:
        proc, recap = run(tmp_path, EXAMPLES / playbook, inventory, *options)
        done[step] = {"proc": proc, "recap": recap, "machines": {name: tree(root) for name, root in roots.items()},
                      "services": {name: services_in(root) for name, root in roots.items()}}
    done["roots"] = roots
    return done


def changed(step):
    return {name: host["changed"] for name, host in step["recap"].items()}


@pytest.mark.parametrize("step", [s[0] for s in STEPS])
def test_every_step_succeeds_on_every_workstation(steps, step):
    proc, recap = steps[step]["proc"], steps[step]["recap"]
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert sorted(recap) == sorted(FLEET), proc.stdout[-2000:]
    assert all(host["failed"] == 0 and host["unreachable"] == 0 for host in recap.values()), recap


def test_preflight_shows_the_target_and_changes_nothing(steps):
    step = steps["preflight"]
    assert set(changed(step).values()) == {0}
    assert step["machines"] == steps["start"]["machines"]
    assert step["proc"].stdout.count('"mapisvc_paths"') == len(FLEET)
    assert "MSMAPI\\\\1033\\\\MAPISVC.INF" in step["proc"].stdout


@pytest.mark.parametrize("preview, before", [("install preview", "start"), ("removal preview", "install again")])
def test_a_preview_reports_changes_and_changes_nothing(steps, preview, before):
    assert all(changed(steps[preview]).values()), steps[preview]["recap"]
    assert steps[preview]["machines"] == steps[before]["machines"]
    # --diff shows the MAPISVC.INF lines to come or go.
    assert "[CONTOSO]" in steps[preview]["proc"].stdout


def test_install_registers_the_service_and_keeps_the_other_vendors(steps):
    installed = steps["install"]["services"]
    for name, files in installed.items():
        assert files and all(services.get("CONTOSO") == "Contoso Connector" for services in files.values()), name
    original = ini.parse(DEMO.read_bytes()).section("Services").keys()
    for services in installed["ws1"].values():
        assert set(original) < set(services)
    assert any(path.endswith("contoso32.dll") for path in contoso_files(steps["install"]["machines"]["ws1"]))


@pytest.mark.parametrize("again, first", [("install again", "install"), ("removal again", "removal")])
def test_a_second_run_changes_nothing(steps, again, first):
    assert set(changed(steps[again]).values()) == {0}, steps[again]["proc"].stdout[-3000:]
    assert steps[again]["machines"] == steps[first]["machines"]


def test_removal_leaves_the_demo_file_byte_identical(steps):
    ws1 = steps["roots"]["ws1"]
    (inf,) = [path for path in (ws1 / "drive").rglob("*") if path.name.upper() == "MAPISVC.INF"]
    assert inf.read_bytes() == DEMO.read_bytes()
    for name, files in steps["removal"]["services"].items():
        assert all("CONTOSO" not in services for services in files.values()), name
    # The service's files went with it.
    assert not contoso_files(steps["removal"]["machines"]["ws1"])


def contoso_files(machine):
    return [path for path in machine if path.startswith("drive") and "contoso" in path.lower()]


def test_an_upgrade_replaces_the_dll_and_retires_a_provider(tmp_path):
    """Version 2 of the service: a new x64 DLL and no transport provider. The same playbook
    with the new variables brings the workstation there. A provider only left out keeps its
    section (with a warning naming the fix); declared with state: absent, it goes in that
    later run, and the run after changes nothing."""
    inventory, roots = build(tmp_path, {"ws1": FLEET["ws1"]}, group="workstations")
    proc, recap = run(tmp_path, EXAMPLES / "install-contoso.yml", inventory)
    assert proc.returncode == 0, proc.stdout[-3000:]
    service = yaml.safe_load((EXAMPLES / "vars" / "contoso.yml").read_text())
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "contoso32.dll").write_bytes(b"MZ contoso version 2\r\n")
    files = [dict(item, src=str(tmp_path / "v2" / "contoso32.dll")) if item["src"] == "files/x64/contoso32.dll"
             else dict(item, src=str(EXAMPLES / item["src"])) for item in service["message_service_files"]]
    kept = [provider for provider in service["message_service_providers"] if provider["name"] != "CONTOSO_XP"]
    left_out = {"message_service_files": files, "message_service_providers": kept}
    retired = dict(left_out, message_service_providers=kept + [{"name": "CONTOSO_XP", "state": "absent"}])
    (inf,) = [path for path in (roots["ws1"] / "drive").rglob("*") if path.name.upper() == "MAPISVC.INF"]
    for attempt, variables in (("left out", left_out), ("retired", retired), ("again", retired)):
        proc, recap = run(tmp_path, EXAMPLES / "install-contoso.yml", inventory, "-e", json.dumps(variables))
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert bool(recap["ws1"]["changed"]) == (attempt != "again"), (attempt, proc.stdout[-3000:])
        document = ini.parse(inf.read_bytes())
        assert document.section("CONTOSO").get("Providers") == "CONTOSO_AB"
        if attempt == "left out":
            assert document.section("CONTOSO_XP") is not None
            assert "[CONTOSO_XP] is no longer listed by CONTOSO and was left in place; declare it with " \
                   "state: absent" in " ".join(proc.stderr.split())
        else:
            assert document.section("CONTOSO_XP") is None, "the retired provider's section is gone"
    (dll,) = [path for path in (roots["ws1"] / "drive").rglob("contoso32.dll") if path.is_file()]
    assert dll.read_bytes() == b"MZ contoso version 2\r\n"
