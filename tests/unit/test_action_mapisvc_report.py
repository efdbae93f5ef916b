# -*- coding: utf-8 -*-
"""The mapisvc_report action plugin on the controller: what its result says about compliance,
grouped stragglers and a census it could not count (a warning naming host and field; the
report is written all the same)."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.template import Templar

from test_action_mapisvc import FakeConnection
from test_report import DESIRED, census, fleet, user

from ansible_collections.mapi.messaging.plugins.action.mapisvc_report import ActionModule
from ansible_collections.mapi.messaging.plugins.plugin_utils import report


def run_report(args, check_mode=False):
    task = Task()
    task.action = "mapi.messaging.mapisvc_report"
    task.args = dict(args)
    task.check_mode = check_mode
    loader = DataLoader()
    action = ActionModule(task, FakeConnection("sh"), PlayContext(), loader, Templar(loader=loader),
                          shared_loader_obj=None)
    return action.run(task_vars={})


def test_a_census_it_cannot_count_is_a_warning_naming_host_and_field_and_the_report_is_written(tmp_path):
    records = fleet()
    records["ws01"] = dict(records["ws01"], profiles=census(user("S-1-5-21-1-2-3-1001", ["CONTOSO"]), {"sid": 3}))
    records["ws02"] = dict(records["ws02"], profiles=census(user("S-1-5-21-1-2-3-1001", ["CONTOSO"])))
    result = run_report({"dest": str(tmp_path), "results": records, "desired": DESIRED})
    assert not result.get("failed"), result
    assert result["profile_errors"] == [{"host": "ws01", "message": result["profile_errors"][0]["message"]}]
    assert [w for w in result["warnings"] if "results[ws01].profiles.users[1]" in w]
    data = json.loads((tmp_path / "mapisvc-report.json").read_text(encoding="utf-8"))
    assert data["profile_errors"] == result["profile_errors"]
    contoso = next(row for row in data["profiles"] if row["service"] == "CONTOSO")
    assert (contoso["in_default_profile"], contoso["hosts_read"], contoso["hosts_not_read"]) == (1, 1, len(records) - 1)


def test_the_result_says_how_many_hosts_are_compliant_and_groups_the_stragglers(tmp_path):
    records = fleet()
    result = run_report({"dest": str(tmp_path), "results": records}, check_mode=True)
    summary = result["summary"]
    assert "%d of %d hosts compliant" % (summary["compliant"], len(records)) in result["msg"]
    assert {(g["status"], g["count"]) for g in result["straggler_groups"]} == {
        (r["status"], 1) for r in records.values() if r["status"] != "ok"}
    assert "warnings" not in result and result["profile_errors"] == []
    assert not list(tmp_path.iterdir()), "check mode writes nothing"


def test_no_file_is_written_unless_every_format_could_be_rendered(tmp_path, monkeypatch):
    def broken(data):
        raise RuntimeError("the json renderer failed")

    monkeypatch.setitem(report.RENDERERS, "json", broken)
    with pytest.raises(RuntimeError):
        run_report({"dest": str(tmp_path), "results": fleet()})
    assert not list(tmp_path.iterdir()), "the html and csv of a run whose json failed are not written"


def test_an_odd_record_fails_the_task_naming_host_and_field_and_writes_nothing(tmp_path):
    records = fleet()
    records["ws02"]["files"][0]["services"][0]["name"] = None
    with pytest.raises(AnsibleActionFail) as caught:
        run_report({"dest": str(tmp_path), "results": records})
    assert "results[ws02].files[0].services[0].name" in str(caught.value)
    assert not list(tmp_path.iterdir())


def test_a_lone_surrogate_from_a_host_does_not_stop_the_report(tmp_path):
    records = fleet()
    records["ws01"]["files"][0]["services"][0]["display_name"] = "Contoso \udcff"
    result = run_report({"dest": str(tmp_path), "results": records})
    assert not result.get("failed"), result
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["mapisvc-report.csv", "mapisvc-report.html", "mapisvc-report.json"]
    assert "Contoso \\udcff" in (tmp_path / "mapisvc-report.csv").read_text(encoding="utf-8")
