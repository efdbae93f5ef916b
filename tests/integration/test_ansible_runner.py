# -*- coding: utf-8 -*-
"""The AWX / Automation Platform wrappers (examples/awx) run by ansible-runner, the package
AWX and Ansible Automation Platform execute jobs with, on simulated Windows hosts (TEST
DOUBLES, tests/windows_double).

Each test lays out a private data folder as a job gets it (project/ holding the wrappers
copied as docs/awx.md says, inventory/, env/), runs ``ansible_runner.run`` and checks what
AWX would show of the job: its status and rc, the events of each host and the artifacts the
audit hands over with set_stats.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import sys

import pytest
import yaml

import playbook_run
import simulated_fleet
from simulated_fleet import DOUBLES, ROOT, tree

ansible_runner = pytest.importorskip("ansible_runner", reason="ansible-runner is a development requirement (requirements-dev.txt)")

AWX_EXAMPLES = ROOT / "examples" / "awx"
DEMO = ROOT / "demo" / "MAPISVC.INF"


def job_folder(tmp_path, fleet):
    """A private data folder with the wrappers in its project and the simulated fleet as its
    inventory, plus a host that cannot be reached (a closed port on this machine)."""
    private = tmp_path / "job"
    project = private / "project"
    project.mkdir(parents=True)
    for name in ("audit.yml", "rollout.yml", "service_vars.yml"):
        shutil.copy(AWX_EXAMPLES / name, project / name)
    inventory, roots = simulated_fleet.build(tmp_path, fleet)
    return private, project, inventory, roots


def run_job(private, playbook, inventory, extravars, **job):
    env = playbook_run.playbook_env(private, collections=(DOUBLES, playbook_run.COLLECTIONS))
    envvars = {key: env[key] for key in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_LOCAL_TEMP", "ANSIBLE_HOME",
                                         "ANSIBLE_NOCOLOR", "ANSIBLE_DEPRECATION_WARNINGS")}
    # ansible-runner starts ansible-playbook from PATH: the one of this interpreter's venv.
    envvars.update(PATH=os.pathsep.join((str(pathlib.Path(sys.executable).parent), os.environ.get("PATH", ""))),
                   ANSIBLE_REMOTE_TEMP=str(private / ".ansible-remote"), ANSIBLE_HOST_KEY_CHECKING="0")
    return ansible_runner.run(private_data_dir=str(private), playbook=playbook, inventory=str(inventory),
                              extravars=extravars, envvars=envvars, quiet=True, timeout=600, **job)


def host_events(runner):
    """{host: {event name: [task names]}} for the per-host result events."""
    found = {}
    for event in runner.events:
        data = event.get("event_data") or {}
        if event["event"].startswith("runner_on_") and data.get("host"):
            found.setdefault(data["host"], {}).setdefault(event["event"], []).append(data.get("task"))
    return found


def artifacts(runner):
    """The set_stats data of the run, as AWX keeps it (the stats event's artifact_data)."""
    stats = [event for event in runner.events if event["event"] == "playbook_on_stats"]
    assert len(stats) == 1, [event["event"] for event in runner.events][-5:]
    return stats[0]["event_data"].get("artifact_data")


def audit_inventory(inventory, unreachable):
    """The inventory as the audit takes it: the simulated hosts marked Windows (their shell
    plugin is not one the audit recognises by name); with ``unreachable``, ws9 too, a host
    nobody answers for (a closed port on this machine) with a path to read."""
    data = json.loads(pathlib.Path(inventory).read_text(encoding="utf-8"))
    for host in data["all"]["hosts"].values():
        host["audit_windows"] = True
    if unreachable:
        data["all"]["hosts"]["ws9"] = {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": 9,
                                       "ansible_shell_type": "sh", "ansible_ssh_common_args": "-o ConnectTimeout=3",
                                       "ansible_python_interpreter": "/usr/bin/python3", "audit_windows": False,
                                       "audit_paths": ["/etc/MAPISVC.INF"]}
    pathlib.Path(inventory).write_text(json.dumps(data), encoding="utf-8")


# ws1's users: alice has MSEMS in her default profile, bob is not logged on (not inspected).
WS1_USERS = ["alice:with-profile:loaded:services=MSEMS", "bob:with-profile:unloaded"]
AUDIT_FLEET = {"ws1": ("msi64", True, DEMO, {"users": WS1_USERS}), "ws2": ("msi32", True, None)}


@pytest.fixture(scope="module")
def audit_job(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("runner-audit")
    private, dummy, inventory, roots = job_folder(tmp_path, AUDIT_FLEET)
    audit_inventory(inventory, unreachable=True)
    before = {host: tree(root) for host, root in roots.items()}
    report_dir = tmp_path / "reports"
    # As a survey gives them: audit_fail_on from a multiselect question is a list of strings.
    runner = run_job(private, "audit.yml", inventory, {
        "audit_report_dir": str(report_dir), "audit_fail_on": ["unreachable"]})
    return runner, report_dir, before, {host: tree(root) for host, root in roots.items()}


def test_an_audit_job_with_a_tripped_gate_fails_after_writing_the_report(audit_job):
    runner, report_dir = audit_job[:2]
    assert (runner.status, runner.rc) == ("failed", 2), runner.stdout.read()[-3000:]
    assert sorted(path.name for path in report_dir.iterdir()) == [
        "mapisvc-report.csv", "mapisvc-report.html", "mapisvc-report.json"]


def test_an_audit_job_shows_each_host_read_or_unreachable_and_changes_no_host(audit_job):
    runner, dummy, before, after = audit_job
    events = host_events(runner)
    for host in AUDIT_FLEET:
        # The gate's failure is the report task's, shown on the host run_once ran it for.
        assert set(events[host].get("runner_on_failed", [])) <= {"Write the report (HTML, CSV, JSON)", "Fail the audit"}, \
            events[host]
        assert "runner_on_unreachable" not in events[host], events[host]
        assert "Keep what was found for the report" in events[host]["runner_on_ok"]
    # The unreachable read is an unreachable event (AWX shows it so), ignored by the play so
    # that the host stays in the report; its record says unreachable with Ansible's message.
    assert events["ws9"]["runner_on_unreachable"] == ["Read every MAPISVC.INF"], events["ws9"]
    assert "Keep why the host did not answer" in events["ws9"]["runner_on_ok"]
    assert before == after
    assert runner.stats["ignored"] == {"ws9": 1}


def test_an_audit_job_hands_the_report_figures_and_paths_over_as_artifacts(audit_job):
    runner, report_dir = audit_job[:2]
    audit = artifacts(runner)["mapi_messaging_audit"]
    assert audit["files"] == {fmt: str(report_dir / ("mapisvc-report." + fmt)) for fmt in ("html", "csv", "json")}
    summary = json.loads((report_dir / "mapisvc-report.json").read_text(encoding="utf-8"))["summary"]
    assert audit["summary"] == summary
    assert (audit["summary"]["hosts"], audit["summary"]["reached"], audit["summary"]["unreachable"]) == (3, 2, 1)
    assert audit["stragglers"] == 1
    assert audit["gate"]["failed"] is True
    assert audit["gate"]["tripped"] == ["unreachable"]
    # The job's failure speaks of the variable the survey set.
    assert "audit_fail_on tripped: unreachable: 1 of 3 hosts: ws9" in runner.stdout.read()


def test_the_audit_carries_each_hosts_profile_census_from_the_detection_into_the_report(audit_job):
    report_dir = audit_job[1]
    report = json.loads((report_dir / "mapisvc-report.json").read_text(encoding="utf-8"))
    hosts = {row["host"]: row["profiles"] for row in report["hosts"]}
    assert hosts["ws1"]["read"] is True and hosts["ws1"]["error"] is None, hosts["ws1"]
    msems = hosts["ws1"]["services"]["MSEMS"]
    assert (msems["users"], msems["inspected"], msems["not_inspected"], msems["in_default_profile"]) == (2, 1, 1, 1)
    assert hosts["ws2"]["read"] is True
    # The unreachable host has no census: not read, never zero users.
    assert hosts["ws9"]["read"] is False


def test_a_limit_of_hosts_that_are_all_offline_still_writes_the_report_and_its_artifacts(tmp_path):
    private, dummy, inventory, dummy_roots = job_folder(tmp_path, AUDIT_FLEET)
    audit_inventory(inventory, unreachable=True)
    report_dir = tmp_path / "reports"
    # AWX's Limit field: only the straggler, still offline.
    runner = run_job(private, "audit.yml", inventory, {"audit_report_dir": str(report_dir)}, limit="ws9")
    assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()[-3000:]
    audit = artifacts(runner)["mapi_messaging_audit"]
    assert (audit["summary"]["hosts"], audit["summary"]["unreachable"], audit["stragglers"]) == (1, 1, 1)
    assert "--limit ws9" in audit["scope"]
    report = json.loads((report_dir / "mapisvc-report.json").read_text(encoding="utf-8"))
    assert [(row["host"], row["status"]) for row in report["stragglers"]] == [("ws9", "unreachable")]
    assert "Connection refused" in report["stragglers"][0]["message"]


def test_an_audit_without_detection_reads_the_census_only_with_audit_profiles(tmp_path):
    private, dummy, inventory, dummy_roots = job_folder(tmp_path, AUDIT_FLEET)
    audit_inventory(inventory, unreachable=False)
    censuses = {}
    for profiles in (True, False):
        report_dir = tmp_path / ("reports-%s" % profiles)
        runner = run_job(private, "audit.yml", inventory, {"audit_report_dir": str(report_dir), "audit_detect": False,
                                                           "audit_profiles": profiles})
        assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()[-3000:]
        report = json.loads((report_dir / "mapisvc-report.json").read_text(encoding="utf-8"))
        censuses[profiles] = {row["host"]: row["profiles"]["read"] for row in report["hosts"]}
    assert censuses == {True: {"ws1": True, "ws2": True}, False: {"ws1": False, "ws2": False}}


def test_an_audit_job_without_a_gate_succeeds_with_its_artifacts(tmp_path):
    private, dummy, inventory, dummy_roots = job_folder(tmp_path, AUDIT_FLEET)
    audit_inventory(inventory, unreachable=False)
    runner = run_job(private, "audit.yml", inventory, {"audit_report_dir": str(tmp_path / "reports")})
    assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()[-3000:]
    audit = artifacts(runner)["mapi_messaging_audit"]
    assert (audit["summary"]["hosts"], audit["stragglers"], audit["gate"]) == (2, 0, None)
    assert all(not stats for key, stats in runner.stats.items() if key in ("failures", "dark"))


ROLLOUT_FLEET = {
    "ws1": ("msi64", True, DEMO),
    "ws2": ("c2r64", True, None),
    "ws4": ("msi64", False, None),  # no MAPI: preflight leaves it out
}


def test_a_rollout_job_installs_on_ready_hosts_and_fails_the_host_preflight_left_out(tmp_path):
    private, project, inventory, roots = job_folder(tmp_path, ROLLOUT_FLEET)
    service = yaml.safe_load((ROOT / "examples" / "vars" / "contoso.yml").read_text(encoding="utf-8"))
    # The vendor's files beside the wrappers, as a project holds them; the variables file
    # names them by absolute path because the playbook that runs the role is the collection's.
    shutil.copytree(ROOT / "examples" / "files", project / "files")
    for item in service["message_service_files"]:
        item["src"] = str(project / item["src"])
    (project / "vars").mkdir()
    (project / "vars" / "service.yml").write_text(yaml.safe_dump(service), encoding="utf-8")
    left_out_before = tree(roots["ws4"])
    runner = run_job(private, "rollout.yml", inventory, {"mapi_service_vars_file": "vars/service.yml",
                                                         "rollout_serial": [1, "100%"]})
    assert (runner.status, runner.rc) == ("failed", 2), runner.stdout.read()[-3000:]
    events = host_events(runner)
    for host in ("ws1", "ws2"):
        assert "runner_on_failed" not in events[host], events[host]
        assert "Check that MAPI can use the service in every copy" in events[host]["runner_on_ok"]
        assert any("CONTOSO" in services for services in simulated_fleet.services_in(roots[host]).values())
    assert events["ws4"]["runner_on_failed"][-1] == "Say why the host was left out (nothing was changed on it)"
    assert "Apply the message service" not in events["ws4"].get("runner_on_ok", [])
    assert tree(roots["ws4"]) == left_out_before
    assert set(runner.stats["failures"]) == {"ws4"}
