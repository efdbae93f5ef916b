# -*- coding: utf-8 -*-
"""``ansible-playbook mapi.messaging.rollout`` on simulated Windows hosts (TEST DOUBLES).

The hosts are localhost posing as Windows through tests/windows_double (see its README):
each has a machine (file system and registry) built by make_machine.py. The service is the
Contoso example of examples/vars/contoso.yml. The tests check what the playbook reports and
what is on each simulated machine afterwards, byte for byte where nothing may change.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

import simulated_fleet
from simulated_fleet import ROOT, run, services_in, tree
from ansible_collections.mapi.messaging.plugins.plugin_utils import ini

# name: (office, MAPI registered, MAPISVC.INF to start from)
FLEET = {
    "ws1": ("msi64", True, ROOT / "demo" / "MAPISVC.INF"),
    "ws2": ("msi32", True, None),
    "ws3": ("c2r64", True, None),
    "ws4": ("msi64", False, None),  # preflight must leave it out
}
SERIAL = [1, "50%", "100%"]


def build(tmp_path, fleet):
    inventory, dummy = simulated_fleet.build(tmp_path, fleet)
    service = yaml.safe_load((ROOT / "examples" / "vars" / "contoso.yml").read_text())
    for item in service["message_service_files"]:
        # Controller files as absolute paths: the playbook lives in the collection (docs/rollout.md).
        item["src"] = str(ROOT / "examples" / item["src"])
    service_file = tmp_path / "service.yml"
    service_file.write_text(yaml.safe_dump(service))
    return inventory, service_file


def test_rollout_and_audit_pass_syntax_check(tmp_path):
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("ws1 ansible_connection=local\n")
    for playbook in ("mapi.messaging.rollout", "mapi.messaging.audit"):
        proc, dummy = run(tmp_path, playbook, inventory, "--syntax-check")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "playbooks/%s.yml" % playbook.rsplit(".", maxsplit=1)[-1] in proc.stdout


@pytest.fixture(scope="module")
def rolled_out(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("rollout")
    inventory, service = build(tmp_path, FLEET)
    machines = {name: tmp_path / "machines" / name for name in FLEET}
    before = {name: tree(root) for name, root in machines.items()}
    first = run(tmp_path, "mapi.messaging.rollout", inventory, "-e", "@%s" % service,
                "-e", json.dumps({"rollout_serial": SERIAL}))
    after_first = {name: tree(root) for name, root in machines.items()}
    second = run(tmp_path, "mapi.messaging.rollout", inventory, "-e", "@%s" % service,
                 "-e", json.dumps({"rollout_serial": SERIAL}))
    after_second = {name: tree(root) for name, root in machines.items()}
    return dict(tmp_path=tmp_path, inventory=inventory, service=service, machines=machines, before=before,
                first=first, after_first=after_first, second=second, after_second=after_second)


READY = [name for name, (office, mapi, start) in FLEET.items() if mapi]
LEFT_OUT = [name for name in FLEET if name not in READY]


def rollout_batches(output):
    """The hosts of each batch, as "ws1, ws2". Ansible prints the play's banner once per batch,
    and each batch starts with the role's argument validation, one line per host (the same on
    ansible-core 2.16 and later, whose include lines differ)."""
    chunks = output.split("PLAY [Roll the service out in batches]")
    assert len(chunks) > 1, "the rollout play did not start"
    batches = []
    for chunk in chunks[1:]:
        chunk = chunk.split("\nPLAY [", 1)[0]
        validation = re.search(r"Validating arguments against arg spec 'main'[^\n]*\n((?:\w+: \[[^\]]+\][^\n]*\n)+)", chunk)
        if validation:
            batches.append(", ".join(re.findall(r"^\w+: \[([^\]]+)\]", validation.group(1), re.M)))
    return batches


def batch_sizes(hosts, serial):
    """Ansible's serial rule: a percentage is of all the play's hosts (rounded down, at least
    one), the last value repeats until every host had its turn."""
    sizes, left, i = [], hosts, 0
    while left:
        value = serial[min(i, len(serial) - 1)]
        size = max(1, hosts * int(value[:-1]) // 100) if isinstance(value, str) else value
        sizes.append(min(size, left))
        left -= sizes[-1]
        i += 1
    return sizes


def test_preflight_leaves_a_host_without_mapi_out_and_changes_nothing_there(rolled_out):
    proc, recap = rolled_out["first"]
    assert proc.returncode != 0, "a host left out by preflight fails the run"
    for name in LEFT_OUT:
        assert recap[name]["failed"] == 1 and recap[name]["changed"] == 0
        assert re.search(r"fatal: \[%s\].*left out of the rollout by preflight; nothing was changed: .*MAPIX=1 is missing"
                         % name, proc.stdout)
        assert rolled_out["after_first"][name] == rolled_out["before"][name]


def test_the_ready_hosts_get_the_service_in_batches_and_pass_the_post_check(rolled_out):
    proc, recap = rolled_out["first"]
    for name in READY:
        assert recap[name]["failed"] == 0 and recap[name]["unreachable"] == 0, proc.stdout[-3000:]
        listed = services_in(rolled_out["machines"][name])
        assert listed and all(services.get("CONTOSO") == "Contoso Connector" for services in listed.values()), listed
    # The demo file keeps the other vendors' services.
    demo = ini.parse((ROOT / "demo" / "MAPISVC.INF").read_bytes()).section("Services").keys()
    for services in services_in(rolled_out["machines"]["ws1"]).values():
        assert set(demo) <= set(services)
    batches = rollout_batches(proc.stdout)
    assert [len(batch.split(", ")) for batch in batches] == batch_sizes(len(READY), SERIAL)
    assert sum((batch.split(", ") for batch in batches), []) == READY, "only hosts that passed preflight"
    checks = re.findall(r"ok: \[(\w+)\] => \(item=.*MAPISVC\.INF\)", proc.stdout.split("Check that MAPI can use")[1])
    assert checks


def test_a_second_run_changes_nothing(rolled_out):
    proc, recap = rolled_out["second"]
    for name in READY:
        assert recap[name] == {"changed": 0, "unreachable": 0, "failed": 0, "rescued": 0}, proc.stdout[-3000:]
    assert rolled_out["after_second"] == rolled_out["after_first"]


def test_the_audit_of_the_rolled_out_fleet_finds_only_the_left_out_host(rolled_out):
    tmp_path = rolled_out["tmp_path"]
    proc, recap = run(tmp_path, "mapi.messaging.audit", rolled_out["inventory"], "-e", "@%s" % rolled_out["service"],
                      "-e", "audit_report_dir=%s" % (tmp_path / "report"), "-e", "audit_windows=true")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    data = json.loads((tmp_path / "report" / "mapisvc-report.json").read_text())
    contoso = next(s for s in data["services"] if s["name"] == "CONTOSO")
    assert contoso["host_names"] == sorted(READY)
    # The role wrote each DLL's full path for the bare names in the service file: no drift.
    assert sorted({row["host"] for row in data["drift"]}) == LEFT_OUT
    assert [row["actual"] for row in data["drift"]] == ["no MAPISVC.INF at the audited paths"]
    assert data["summary"]["without_file"] == len(LEFT_OUT)


def test_a_failing_first_batch_stops_the_rollout_before_the_other_hosts(tmp_path):
    # A download that fails only when it is made (the preflight cannot know the server lost
    # the file): the first batch fails at the write and the other batches never start.
    fleet = {"ws1": ("msi64", True, ROOT / "demo" / "MAPISVC.INF"), "ws2": ("msi64", True, None),
             "ws3": ("msi32", True, None)}
    inventory, service = build(tmp_path, fleet)
    variables = yaml.safe_load(service.read_text())
    gone = tmp_path / "server" / "contosohelp.chm"
    variables["message_service_files"].append({"url": gone.as_uri(), "checksum": "0" * 64})
    service.write_text(yaml.safe_dump(variables))
    machines = {name: tmp_path / "machines" / name for name in fleet}
    before = {name: tree(root) for name, root in machines.items()}
    proc, recap = run(tmp_path, "mapi.messaging.rollout", inventory, "-e", "@%s" % service,
                      "-e", json.dumps({"rollout_serial": [1, "100%"]}))
    assert proc.returncode != 0
    assert recap["ws1"]["failed"] == 1
    assert "Download the files" in proc.stdout.split("fatal: [ws1]")[0].rsplit("TASK [", 1)[1]
    assert rollout_batches(proc.stdout) == ["ws1"], "the second batch must not start"
    for name in ("ws2", "ws3"):
        assert tree(machines[name]) == before[name], "%s changed although the rollout stopped" % name


def test_a_mapisvc_inf_the_module_would_refuse_stops_the_host_in_preflight(tmp_path):
    # A byte order mark hides [Services] from Windows: the plan finds it in the probe's bytes,
    # so the host stops before any change instead of half-way through the role.
    bom = tmp_path / "bom-MAPISVC.INF"
    bom.write_bytes(b"\xef\xbb\xbf" + (ROOT / "demo" / "MAPISVC.INF").read_bytes())
    fleet = {"ws1": ("msi64", True, bom), "ws2": ("msi64", True, None)}
    inventory, service = build(tmp_path, fleet)
    machines = {name: tmp_path / "machines" / name for name in fleet}
    before = tree(machines["ws1"])
    proc, recap = run(tmp_path, "mapi.messaging.rollout", inventory, "-e", "@%s" % service,
                      "-e", json.dumps({"rollout_serial": [1, "100%"]}))
    assert proc.returncode != 0
    assert "byte order mark" in proc.stdout
    assert tree(machines["ws1"]) == before, "ws1 changed although its preflight failed"
    assert rollout_batches(proc.stdout) == ["ws2"], "only the host that passed preflight is rolled out"


def test_the_audit_needs_no_service_variables_to_find_mapisvc_inf_on_windows(tmp_path):
    """Without a service file the audit still uses the role's detection (its read-only
    ``detect`` entry point): no host fails or shows a rescued task, and a German MSI Office
    (LCID 1031, not among the audit's fallback paths) is read where detection found it."""
    inventory, dummy = build(tmp_path, {"ws1": ("msi64", True, ROOT / "demo" / "MAPISVC.INF", {"lcid": 1031}),
                                        "ws2": ("c2r64", True, ROOT / "demo" / "MAPISVC.INF")})
    proc, recap = run(tmp_path, "mapi.messaging.audit", inventory, "-e", "audit_report_dir=%s" % (tmp_path / "report"),
                      "-e", "audit_windows=true")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "fatal:" not in proc.stdout and not any(host["rescued"] for host in recap.values()), proc.stdout[-3000:]
    data = json.loads((tmp_path / "report" / "mapisvc-report.json").read_text())
    assert data["stragglers"] == []
    for row in data["hosts"]:
        machine = tmp_path / "machines" / row["host"]
        assert row["status"] == "ok" and row["files_found"] == len(services_in(machine)) >= 1, row
    german_paths = [f["path"] for f in next(r for r in data["hosts"] if r["host"] == "ws1")["files"] if f["exists"]]
    assert german_paths and all("\\MSMAPI\\1031\\" in path for path in german_paths), german_paths


def test_a_rollout_in_check_mode_reports_changes_and_changes_nothing(tmp_path):
    fleet = {"ws1": ("msi64", True, ROOT / "demo" / "MAPISVC.INF"), "ws2": ("msi32", True, None)}
    inventory, service = build(tmp_path, fleet)
    machines = {name: tmp_path / "machines" / name for name in fleet}
    before = {name: tree(root) for name, root in machines.items()}
    proc, recap = run(tmp_path, "mapi.messaging.rollout", inventory, "-e", "@%s" % service, "--check", "--diff")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    for name in fleet:
        assert recap[name]["failed"] == 0 and recap[name]["changed"] > 0, recap
        assert tree(machines[name]) == before[name], "%s changed in check mode" % name
    assert "+CONTOSO=Contoso Connector" in proc.stdout, "--diff shows the [Services] line to come"
