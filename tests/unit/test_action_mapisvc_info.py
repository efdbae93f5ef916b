# -*- coding: utf-8 -*-
"""The mapisvc_info action plugin and transport.Remote.read_all, run against the fake target
of test_action_mapisvc.py (its docstring says what is real and what is fake).

The fake's win_powershell learns READ_SCRIPT here: per path, exists / is_directory / content
(base64) / error, as the script builds them, inside ``result`` like every win_powershell
answer.
"""

from __future__ import annotations

import base64
import pathlib

import pytest
import yaml
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.template import Templar, trust_as_template

from probe_results import Host

from ansible_collections.mapi.messaging.plugins.action.mapisvc_info import ActionModule
from ansible_collections.mapi.messaging.plugins.modules import mapisvc_info as info_module
from ansible_collections.mapi.messaging.plugins.plugin_utils import census, findings, probe, probe_script, profile, transport
from test_action_mapisvc import (TASK_VARS, WIN_POWERSHELL, WIN_SLURP, FakeConnection, FakeTarget, docs,
                                 WINDOWS_MODULES, failure_result)
from test_action_mapisvc import read_call as read_one

SAMPLE = (pathlib.Path(__file__).resolve().parents[2] / "demo" / "MAPISVC.INF").read_bytes()
WIN_A = "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF"
WIN_B = "C:\\Windows\\System32\\MAPISVC.INF"
POSIX_A = "/srv/golden/MSMAPI/1033/MAPISVC.INF"
POSIX_B = "/srv/golden/System32/MAPISVC.INF"
BROKEN = SAMPLE.replace(b"Providers=MSPST MSP", b"Providers=MSPST MSP, GONE")


class ReadingTarget(FakeTarget):
    """FakeTarget whose win_powershell also runs READ_SCRIPT."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unreadable = {}  # path -> message of the exception ReadAllBytes throws
        # The users the probe script answers about (probe_results.Host), and its failure.
        self.census_host = Host()
        self.probe_failure = None

    def _win_powershell(self, args):
        if args.get("script") == probe_script.PROBE_SCRIPT:
            if self.probe_failure:
                return self._ps_failure(self.probe_failure)
            answer = self.census_host.answer()
            answer["result"]["users"]["profiles"] = [
                entry for entry in answer["result"]["users"]["profiles"]
                if entry["key"].upper() in {key.upper() for key in args["parameters"]["ProfileKeys"]}]
            return self._ps_answer(answer["result"], changed=False)
        if args.get("script") != transport.READ_SCRIPT:
            return super()._win_powershell(args)
        assert set(args) == {"script", "depth", "parameters"} and set(args["parameters"]) == {"Paths", "MaxBytes"}
        answers = []
        for path in args["parameters"]["Paths"]:
            entry = {"path": path, "exists": False, "is_directory": False, "content": None, "error": None}
            if path in self.folders:
                entry.update(exists=True, is_directory=True)
            elif path in self.unreadable:
                entry.update(exists=True, error=self.unreadable[path])
            elif path in self.files:
                entry.update(exists=True, content=base64.b64encode(self.files[path]).decode("ascii"))
            answers.append(entry)
        return self._ps_answer({"files": answers}, changed=False)


def run(target, check_mode=False, **args):
    task = Task()
    task.action = "mapi.messaging.mapisvc_info"
    task.args = dict(args)
    task.check_mode = check_mode
    loader = DataLoader()
    action = ActionModule(task, FakeConnection("powershell" if target.windows else "sh"), PlayContext(), loader,
                          Templar(loader=loader), shared_loader_obj=None)
    action._execute_module = target.execute_module
    try:
        return action.run(task_vars=TASK_VARS)
    except AnsibleActionFail as e:
        return failure_result(e)


def read_call(paths):
    return (WIN_POWERSHELL, {"script": transport.READ_SCRIPT, "depth": transport._RESULT_DEPTH,
                             "parameters": {"Paths": paths, "MaxBytes": transport.MAX_FILE_BYTES}})


# -- Windows -------------------------------------------------------------------------------
@pytest.mark.parametrize("check_mode", [False, True])
def test_windows_two_paths_are_one_win_powershell_call(check_mode):
    target = ReadingTarget("powershell", {WIN_A: SAMPLE, WIN_B: BROKEN})
    result = run(target, check_mode=check_mode, path=[WIN_A, WIN_B, "C:\\Nowhere\\MAPISVC.INF"])
    assert target.calls == [read_call([WIN_A, WIN_B, "C:\\Nowhere\\MAPISVC.INF"])]
    assert result["changed"] is False and "failed" not in result
    assert result["files"] == [findings.report(WIN_A, SAMPLE), findings.report(WIN_B, BROKEN),
                               findings.report("C:\\Nowhere\\MAPISVC.INF", None)]
    assert result["files"][2]["exists"] is False
    assert result["services"] == ["FABRIKAM", "MSEMS", "MSPST MS"]
    assert result["findings_count"] == {"error": 1, "warning": 0}
    assert target.files == {WIN_A: SAMPLE, WIN_B: BROKEN}


def test_windows_single_path_is_one_slurp_as_mapisvc_reads_it():
    target = ReadingTarget("powershell", {WIN_A: SAMPLE})
    result = run(target, path=WIN_A)
    assert target.calls == [(WIN_SLURP, {"src": WIN_A})]
    assert result["files"] == [findings.report(WIN_A, SAMPLE)]


def test_windows_single_missing_path_exists_false():
    target = ReadingTarget("powershell", {}, {"C:\\Windows"})
    result = run(target, path=[WIN_B])
    assert result["files"] == [findings.report(WIN_B, None)] and "failed" not in result


def test_windows_directory_among_paths_fails_naming_it():
    folder = "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033"
    target = ReadingTarget("powershell", {WIN_A: SAMPLE})
    result = run(target, path=[WIN_A, folder])
    assert target.calls == [read_call([WIN_A, folder])]
    assert result["failed"] is True
    assert result["msg"].startswith("path: %s is a directory; give the full path of the MAPISVC.INF file" % folder)


def test_windows_unreadable_file_fails_with_the_error():
    target = ReadingTarget("powershell", {WIN_A: SAMPLE, WIN_B: SAMPLE})
    target.unreadable[WIN_B] = "Access to the path '%s' is denied." % WIN_B
    result = run(target, path=[WIN_A, WIN_B])
    assert result["failed"] is True
    assert result["msg"] == "path: cannot read %s: Access to the path '%s' is denied." % (WIN_B, WIN_B)


def test_windows_script_failure_is_reported_with_its_message():
    target = ReadingTarget("powershell", {WIN_A: SAMPLE})
    target._win_powershell = lambda args: FakeTarget._ps_failure("Cannot bind argument to parameter 'Paths'")
    result = run(target, path=[WIN_A, WIN_B])
    assert result["failed"] is True
    assert result["msg"] == "path: reading %s, %s failed: Cannot bind argument to parameter 'Paths'" % (WIN_A, WIN_B)


def test_read_script_is_marked_and_runs_in_check_mode():
    lines = transport.READ_SCRIPT.splitlines()
    assert lines[0] == "# mapi.messaging: read"
    # win_powershell skips a script in check mode unless it declares SupportsShouldProcess.
    assert lines[1] == "[CmdletBinding(SupportsShouldProcess)]"
    assert "[string[]]$Paths" in transport.READ_SCRIPT
    for writer in ("WriteAllBytes", "Replace(", "Delete(", "Move(", "Set-Content", "Remove-Item"):
        assert writer not in transport.READ_SCRIPT


def test_win_powershell_options_used_are_documented():
    options, returns = docs(WINDOWS_MODULES / "win_powershell.py")
    target = ReadingTarget("powershell", {WIN_A: SAMPLE, WIN_B: SAMPLE})
    run(target, path=[WIN_A, WIN_B])
    [(name, args)] = target.calls
    assert set(args) <= set(options)
    assert {"result", "error"} <= set(returns)


# -- POSIX ---------------------------------------------------------------------------------
@pytest.mark.parametrize("check_mode", [False, True])
def test_posix_one_read_per_path(check_mode):
    target = ReadingTarget("sh", {POSIX_A: SAMPLE, POSIX_B: BROKEN})
    result = run(target, check_mode=check_mode, path=[POSIX_A, POSIX_B, "/srv/none/MAPISVC.INF"])
    assert target.calls == [read_one("sh", POSIX_A), read_one("sh", POSIX_B), read_one("sh", "/srv/none/MAPISVC.INF")]
    assert [item["exists"] for item in result["files"]] == [True, True, False]
    assert result["files"][1] == findings.report(POSIX_B, BROKEN)


def test_posix_directory_fails_naming_it():
    target = ReadingTarget("sh", {}, {"/srv/golden"})
    result = run(target, path="/srv/golden")
    assert result["failed"] is True
    assert result["msg"].startswith("path: /srv/golden is a directory")


# -- options -------------------------------------------------------------------------------
def test_a_string_with_a_comma_is_one_path():
    path = "C:\\Vendors\\Contoso, Inc\\MAPISVC.INF"
    target = ReadingTarget("powershell", {path: SAMPLE})
    result = run(target, path=path)
    assert target.calls == [(WIN_SLURP, {"src": path})]
    assert [item["path"] for item in result["files"]] == [path]


@pytest.mark.parametrize("value, message", [
    ([], "path: give the full path of a MAPISVC.INF file, or a non-empty list of such paths"),
    ({"a": 1}, "path: give the full path of a MAPISVC.INF file, or a non-empty list of such paths"),
    ([WIN_A, 3], "path[1]: 3 is not a path; give each file's full path as a string"),
    ([" "], "path[0]: ' ' is not a path; give each file's full path as a string"),
])
def test_bad_path_fails_before_touching_the_target(value, message):
    target = ReadingTarget("powershell", {WIN_A: SAMPLE})
    result = run(target, path=value)
    assert result["failed"] is True and result["msg"] == message
    assert target.calls == []


def test_unknown_codepage_fails_clearly():
    target = ReadingTarget("sh", {POSIX_A: SAMPLE})
    result = run(target, path=POSIX_A, codepage="cp99999")
    assert result["failed"] is True and result["msg"].startswith("codepage: 'cp99999' is not a code page")
    assert target.calls == []


def test_codepage_is_used_for_ansi_files():
    data = "[Services]\r\nKYRILL=\u041a\u0438\u0440\u0438\u043b\u043b\r\n[KYRILL]\r\n".encode("cp1251")
    target = ReadingTarget("sh", {POSIX_A: data})
    result = run(target, path=POSIX_A, codepage="cp1251")
    assert result["files"][0]["encoding"] == "cp1251"
    assert result["files"][0]["services"][0]["display_name"] == "\u041a\u0438\u0440\u0438\u043b\u043b"


# -- profiles ------------------------------------------------------------------------------
ALICE = "S-1-5-21-1004336348-1177238915-682003330-1001"
ERIN = "S-1-12-1-3545394826-1177282345-2611744406-2393584102"
CAROL = "S-1-5-21-1004336348-1177238915-682003330-1003"
# Every Office version's profile keys, newest location first (the legacy key last).
EVERY_PROFILE_KEY = [profile.PROFILES_KEY.format(version="16.0"), profile.PROFILES_KEY.format(version="15.0"),
                     profile.LEGACY_PROFILES_KEY]


def census_target():
    target = ReadingTarget("powershell", {WIN_A: SAMPLE, WIN_B: SAMPLE})
    target.census_host.profile_keys = EVERY_PROFILE_KEY
    target.census_host.user(ALICE, {"Outlook": ["MSEMS", "CONTOSO"]}, default="Outlook").user(ERIN, None) \
        .user(CAROL, {"Outlook": ["CONTOSO"]}, default="Outlook", loaded=False)
    return target


@pytest.mark.parametrize("check_mode", [False, True])
def test_profiles_cost_one_more_read_only_probe_with_only_profile_list_and_profile_keys(check_mode):
    target = census_target()
    result = run(target, check_mode=check_mode, path=[WIN_A, WIN_B], profiles=True)
    assert target.calls == [read_call([WIN_A, WIN_B]), (WIN_POWERSHELL, {
        "script": probe_script.PROBE_SCRIPT, "depth": probe.PROBE_DEPTH, "parameters": probe.parameters(
            registry_keys=[profile.PROFILE_LIST_KEY], values=[], paths=[], mapisvc_paths=[], user_keys=[],
            in_use_paths=[], profile_keys=EVERY_PROFILE_KEY)})]
    assert result["changed"] is False and "failed" not in result
    assert result["profiles"] == census.take(target.census_host.read(), ["16.0", "15.0", "14.0"]).as_dict()
    assert census.counts(result["profiles"], "CONTOSO") == {
        "users": 3, "inspected": 2, "not_inspected": 1, "with_profile": 1, "in_default_profile": 1}


def test_without_profiles_there_is_no_probe_and_no_profiles_key():
    target = census_target()
    result = run(target, path=[WIN_A, WIN_B])
    assert target.calls == [read_call([WIN_A, WIN_B])] and "profiles" not in result


def test_profiles_on_a_host_that_is_not_windows_fail_naming_the_option_before_reading():
    target = ReadingTarget("sh", {POSIX_A: SAMPLE})
    result = run(target, path=POSIX_A, profiles=True)
    assert result["failed"] is True and result["msg"].startswith("profiles: ")
    assert "set profiles to false" in result["msg"] and target.calls == []


def test_a_failed_profile_probe_fails_the_task_naming_profiles_and_the_error():
    target = census_target()
    target.probe_failure = "Requested registry access is not allowed."
    result = run(target, path=[WIN_A, WIN_B], profiles=True)
    assert result["failed"] is True and result["msg"].startswith("profiles: probe: ")
    assert "Requested registry access is not allowed." in result["msg"]


def test_the_census_example_finds_a_service_in_the_default_profile_whatever_its_case():
    # Service names compare without case; the documented example must too.
    show, = [task for task in yaml.safe_load(info_module.EXAMPLES) if task["name"] == "Show them"]
    users = [{"sid": ALICE, "default_services": ["MSEMS", "Contoso"]}, {"sid": ERIN, "default_services": ["MSEMS"]},
             {"sid": CAROL, "default_services": []}]
    found = []
    for item in users:
        # The example is the playbook's own text, which Ansible trusts as a template.
        templar = Templar(loader=DataLoader(), variables={"item": item})
        if templar.evaluate_conditional(trust_as_template(show["when"])):
            found.append(item["sid"])
    assert found == [ALICE]
