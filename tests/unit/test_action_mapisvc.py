# -*- coding: utf-8 -*-
"""The mapisvc action plugin and its transport, run for real against a fake target.

What is real: ``ActionModule`` (``plugins/action/mapisvc.py``), ``transport.Remote``, the
pure core, an ``ansible.playbook.task.Task``, a ``DataLoader`` and a ``Templar``.

What is fake, and kept small:

- ``FakeTarget.execute_module`` replaces ``ActionBase._execute_module``. It keeps the
  target's files as bytes in memory and answers each module the way the real module answers
  (each answer says which real code it mirrors). It records every call, so the tests can say
  exactly which modules ran on the target, with which arguments.
- ``FakeConnection`` has only ``_shell.SHELL_FAMILY``, ``_shell.tmpdir`` and
  ``_shell.join_path``: any other use of the connection (raw commands) raises AttributeError
  and fails the test.

The option and return names used with the real modules are checked against those modules'
own documentation in ``test_*_documented`` below, so the fakes cannot drift from them
silently.
"""

from __future__ import annotations

import base64
import hashlib
import ntpath
import pathlib
import posixpath
import re
from types import SimpleNamespace

import ansible
import pytest
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import fragment_loader
from ansible.template import Templar
from ansible.utils.plugin_docs import get_docstring

from ansible_collections.mapi.messaging.plugins.action.mapisvc import ATTEMPTS, ActionModule
from ansible_collections.mapi.messaging.plugins.plugin_utils import transport

WIN_PATH = "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF"
POSIX_PATH = "/srv/golden/Common Files/System/MSMAPI/1033/MAPISVC.INF"
PATHS = {"powershell": WIN_PATH, "sh": POSIX_PATH}
FAMILIES = ["powershell", "sh"]
TASK_VARS = {"inventory_hostname": "ws01"}

WIN_SLURP = "ansible.windows.slurp"
WIN_POWERSHELL = "ansible.windows.win_powershell"
FILE_MODULE = "mapi.messaging.mapisvc_file"

DECLARED = {
    "service": "CONTOSO",
    "display_name": "Contoso Connector",
    "properties": {"PR_SERVICE_DLL_NAME": "contoso.dll", "PR_SERVICE_ENTRY_NAME": "ServiceEntry"},
    "providers": [{"name": "CONTOSO_AB", "properties": {
        "PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER", "PR_PROVIDER_DLL_NAME": "contoso.dll"}}],
}

# A file without the service, and the same file with it (written out by hand).
BEFORE = ("[Services]\r\nMSEMS=Microsoft Exchange Server\r\n\r\n"
          "[MSEMS]\r\nPR_SERVICE_DLL_NAME=emsui.dll\r\n")
CONTOSO_SECTIONS = ("\r\n[CONTOSO]\r\nPR_SERVICE_DLL_NAME=contoso.dll\r\n"
                    "PR_SERVICE_ENTRY_NAME=ServiceEntry\r\nProviders=CONTOSO_AB\r\n"
                    "\r\n[CONTOSO_AB]\r\nPR_RESOURCE_TYPE=MAPI_AB_PROVIDER\r\n"
                    "PR_PROVIDER_DLL_NAME=contoso.dll\r\n")
AFTER = ("[Services]\r\nMSEMS=Microsoft Exchange Server\r\nCONTOSO=Contoso Connector\r\n\r\n"
         "[MSEMS]\r\nPR_SERVICE_DLL_NAME=emsui.dll\r\n" + CONTOSO_SECTIONS)
# What create: true writes where there was no file.
NEW_FILE = "[Services]\r\nCONTOSO=Contoso Connector\r\n" + CONTOSO_SECTIONS
# Another installer's version of BEFORE, and BEFORE with our service applied on top of it.
OTHER = ("[Services]\r\nMSEMS=Microsoft Exchange Server\r\nOTHER=Other Service\r\n\r\n"
         "[MSEMS]\r\nPR_SERVICE_DLL_NAME=emsui.dll\r\n")
OTHER_AFTER = ("[Services]\r\nMSEMS=Microsoft Exchange Server\r\nOTHER=Other Service\r\n"
               "CONTOSO=Contoso Connector\r\n\r\n[MSEMS]\r\nPR_SERVICE_DLL_NAME=emsui.dll\r\n"
               + CONTOSO_SECTIONS)
EXPECTED_CHANGES = [
    {"section": "Services", "key": "CONTOSO", "before": None, "after": "Contoso Connector"},
    {"section": "CONTOSO", "key": None, "before": None, "after": {}},
    {"section": "CONTOSO", "key": "PR_SERVICE_DLL_NAME", "before": None, "after": "contoso.dll"},
    {"section": "CONTOSO", "key": "PR_SERVICE_ENTRY_NAME", "before": None, "after": "ServiceEntry"},
    {"section": "CONTOSO", "key": "Providers", "before": None, "after": "CONTOSO_AB"},
    {"section": "CONTOSO_AB", "key": None, "before": None, "after": {}},
    {"section": "CONTOSO_AB", "key": "PR_RESOURCE_TYPE", "before": None, "after": "MAPI_AB_PROVIDER"},
    {"section": "CONTOSO_AB", "key": "PR_PROVIDER_DLL_NAME", "before": None, "after": "contoso.dll"},
]

BACKUP_SUFFIX = ".4242.2026-11-21@10-00-00~"
ACCESS_DENIED = ("Exception calling \"Replace\" with \"3\" argument(s): \"Access to the path "
                 "'%s' is denied.\"" % WIN_PATH)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def sha1(data):
    return hashlib.sha1(data).hexdigest()


# --------------------------------------------------------------------------------------
# The fake target
# --------------------------------------------------------------------------------------
class FakeTarget:
    """A host's files (path -> bytes) and folders, and the standard modules run on it."""

    def __init__(self, family, files=None, folders=None):
        self.windows = family == "powershell"
        self.pathmod = ntpath if self.windows else posixpath
        self.files = dict(files or {})
        # Every file's folder exists unless told otherwise.
        self.folders = set(folders) if folders is not None else {self.pathmod.dirname(p) for p in self.files}
        self.calls = []          # (module name, module args) per module execution
        self.task_vars = []      # task_vars passed with each module execution
        self.other_writer = []   # contents another writer puts in the file just before each write step
        self.write_error = None  # message of the .NET exception File.Replace throws

    # ActionBase._execute_module(module_name=, module_args=, task_vars=, ...)
    def execute_module(self, module_name=None, module_args=None, task_vars=None, **kwargs):
        self.calls.append((module_name, dict(module_args)))
        self.task_vars.append(task_vars)
        handlers = {WIN_SLURP: self._win_slurp, WIN_POWERSHELL: self._win_powershell,
                    FILE_MODULE: self._file_module}
        if module_name not in handlers:
            raise AssertionError("the plugin ran a module the fake target does not have: %s" % module_name)
        if module_name in (WIN_SLURP, WIN_POWERSHELL) and not self.windows or \
                module_name == FILE_MODULE and self.windows:
            raise AssertionError("%s run on a %s host" % (module_name, "Windows" if self.windows else "POSIX"))
        return handlers[module_name](module_args)

    def _interfere(self, path):
        """Another installer rewrites the file between our read and our write."""
        if self.other_writer:
            self.files[path] = self.other_writer.pop(0)

    def _win_slurp(self, args):
        # ansible.windows slurp.ps1: Test-Path -PathType Leaf -> changed/content/encoding;
        # -PathType Container -> Fail-Json "Path $src is a directory"; else "Path $src is not found".
        src = args["src"]
        if src in self.files:
            return {"changed": False, "content": b64(self.files[src]), "encoding": "base64"}
        if src in self.folders:
            return {"changed": False, "failed": True, "msg": "Path %s is a directory" % src}
        return {"changed": False, "failed": True, "msg": "Path %s is not found" % src}

    def _file_module(self, args):
        # mapi.messaging.mapisvc_file (its RETURN): op=read gives exists, file_type and, for a
        # regular file, size, content (base64) and sha1; op=replace compares the SHA-1 and
        # swaps the bytes in under the folder lock, answering conflict, sha1 and backup_file,
        # and fails with "the folder X does not exist; ..." where the folder is missing.
        path = args["path"]
        if args["op"] == "read":
            if path in self.files:
                data = self.files[path]
                return {"changed": False, "exists": True, "file_type": "file", "size": len(data),
                        "content": b64(data), "sha1": sha1(data), "real_path": path}
            if path in self.folders:
                return {"changed": False, "exists": True, "file_type": "directory", "real_path": path}
            return {"changed": False, "exists": False, "real_path": path}
        self._interfere(path)
        current = sha1(self.files[path]) if path in self.files else ""
        if current != args["expected_sha1"]:
            return {"changed": False, "conflict": True, "sha1": current, "real_path": path}
        folder = posixpath.dirname(path)
        if folder not in self.folders:
            return {"failed": True, "real_path": path,
                    "msg": "the folder %s does not exist; MAPISVC.INF is only created in an existing folder" % folder}
        result = {"changed": True, "conflict": False, "real_path": path}
        if args.get("backup") and path in self.files:
            result["backup_file"] = path + BACKUP_SUFFIX
            self.files[result["backup_file"]] = self.files[path]
        self.files[path] = base64.b64decode(args["content"])
        result["sha1"] = sha1(self.files[path])
        return result

    def _win_powershell(self, args):
        # ansible.windows win_powershell running transport.REPLACE_SCRIPT: the module returns
        # result ($Ansible.Result), changed ($Ansible.Changed, which the script sets to $false
        # first), output, error (error records) and host_out/host_err; a terminating error
        # (throw, or a .NET exception under $ErrorActionPreference = 'Stop') sets failed and
        # leaves result as it was (the initial @{}).
        if args.get("script") != transport.REPLACE_SCRIPT:
            raise AssertionError("the fake win_powershell only knows transport.REPLACE_SCRIPT")
        params = args["parameters"]
        path = params["Path"]
        self._interfere(path)
        current = sha1(self.files[path]) if path in self.files else ""
        if current != params["ExpectedSha1"]:
            return self._ps_answer({"conflict": True, "sha1": current}, changed=False)
        folder = ntpath.dirname(path)
        if folder not in self.folders:
            return self._ps_failure("The folder '%s' does not exist; MAPISVC.INF is only created in "
                                    "an existing folder" % folder)
        if self.write_error:
            return self._ps_failure(self.write_error, "System.Management.Automation.MethodInvocationException")
        backup_file = None
        if path in self.files and params["Backup"]:
            backup_file = path + BACKUP_SUFFIX
            self.files[backup_file] = self.files[path]
        self.files[path] = base64.b64decode(params["Content"])
        return self._ps_answer({"conflict": False, "sha1": sha1(self.files[path]), "backup_file": backup_file},
                               changed=True)

    @staticmethod
    def _ps_answer(result, changed, failed=False, error=None):
        return {"changed": changed, "failed": failed, "result": result, "host_out": "", "host_err": "",
                "output": [], "error": error or [], "warning": [], "verbose": [], "debug": [],
                "information": []}

    @classmethod
    def _ps_failure(cls, message, exception_type="System.Management.Automation.RuntimeException"):
        # One error record as win_powershell.ps1 builds it (see its RETURN: error.contains);
        # the message is in exception.message, there is no top-level "message".
        record = {
            "output": "%s\r\nAt line:68 char:9\r\n+         [System.IO.File]::Replace(...)\r\n" % message,
            "error_details": None,
            "exception": {"message": message, "type": exception_type, "help_link": None,
                          "source": "System.Management.Automation", "hresult": -2146233087,
                          "inner_exception": None},
            "target_object": None,
            "category_info": {"category": "NotSpecified", "category_id": 0, "activity": "",
                              "reason": exception_type.rsplit(".", 1)[-1], "target_name": "",
                              "target_type": ""},
            "fully_qualified_error_id": "IOException",
            "script_stack_trace": "at <ScriptBlock>, <No file>: line 68",
            "pipeline_iteration_info": [],
        }
        return cls._ps_answer({}, changed=False, failed=True, error=[record])


class FakeConnection:
    """Only the shell facts the plugin may read."""

    def __init__(self, family):
        tmpdir = "C:\\Users\\ansible\\AppData\\Local\\Temp\\ansible-tmp-1" if family == "powershell" \
            else "/home/ansible/.ansible/tmp/ansible-tmp-1"
        join = ntpath.join if family == "powershell" else posixpath.join
        self._shell = SimpleNamespace(SHELL_FAMILY=family, tmpdir=tmpdir, join_path=join)


def make_action(target, args, check_mode=False, diff=False):
    task = Task()
    task.action = "mapi.messaging.mapisvc"
    task.args = dict(args)
    task.check_mode = check_mode
    task.diff = diff
    loader = DataLoader()
    family = "powershell" if target.windows else "sh"
    action = ActionModule(task, FakeConnection(family), PlayContext(), loader, Templar(loader=loader),
                          shared_loader_obj=None)
    action._execute_module = target.execute_module
    return action


def run(target, check_mode=False, diff=False, **args):
    """Run the task; a failure comes back as the task result the executor would make of it
    (AnsibleActionFail contributes its result plus failed and msg)."""
    action = make_action(target, args, check_mode=check_mode, diff=diff)
    try:
        result = action.run(task_vars=TASK_VARS)
    except AnsibleActionFail as e:
        result = failure_result(e)
    assert action._task.args == args, "the task's own args must not be changed"
    return result


def failure_result(e):
    """The task result the executor makes of an AnsibleActionFail: its result plus failed and
    msg (which ansible-core 2.16 already puts in e.result, 2.19 in result_contribution and
    2.21 in neither)."""
    result = dict(e.result)
    result.update(failed=True, msg=e.message)
    return result


def target_with(family, text=None, raw=None, **kwargs):
    path = PATHS[family]
    data = raw if raw is not None else (text.encode("cp1252") if text is not None else None)
    files = {path: data} if data is not None else {}
    folders = kwargs.pop("folders", {(ntpath if family == "powershell" else posixpath).dirname(path)})
    return FakeTarget(family, files, folders, **kwargs)


def read_call(family, path=None):
    path = path or PATHS[family]
    if family == "powershell":
        return (WIN_SLURP, {"src": path})
    return (FILE_MODULE, {"op": "read", "path": path, "max_bytes": transport.MAX_FILE_BYTES})


def replace_call(path, content, expected_sha1, backup=False):
    if not path.startswith("/"):
        return (WIN_POWERSHELL, {"script": transport.REPLACE_SCRIPT, "depth": transport._RESULT_DEPTH, "parameters": {
            "Path": path, "Content": b64(content), "ExpectedSha1": expected_sha1, "Backup": backup,
            "MaxBytes": transport.MAX_FILE_BYTES}})
    return (FILE_MODULE, {"op": "replace", "path": path, "expected_sha1": expected_sha1, "content": b64(content),
                          "backup": backup, "max_bytes": transport.MAX_FILE_BYTES})


# --------------------------------------------------------------------------------------
# Windows
# --------------------------------------------------------------------------------------
def test_windows_no_change_is_one_slurp_and_no_write():
    target = target_with("powershell", AFTER)
    result = run(target, path=WIN_PATH, **DECLARED)
    assert target.calls == [(WIN_SLURP, {"src": WIN_PATH})]
    assert target.task_vars == [TASK_VARS]
    assert result["changed"] is False
    assert result["changes"] == []
    assert result["msg"] == "MAPISVC.INF already says what was declared"
    assert "diff" not in result and "backup_file" not in result
    assert target.files == {WIN_PATH: AFTER.encode()}


def test_windows_change_is_slurp_then_one_win_powershell_compare_and_swap():
    target = target_with("powershell", BEFORE)
    result = run(target, path=WIN_PATH, **DECLARED)
    assert target.calls == [
        (WIN_SLURP, {"src": WIN_PATH}),
        replace_call(WIN_PATH, AFTER.encode(), sha1(BEFORE.encode())),
    ]
    assert target.files[WIN_PATH] == AFTER.encode()
    assert result["changed"] is True
    assert result["changes"] == EXPECTED_CHANGES
    assert result["encoding"] == "cp1252"
    assert result["path"] == WIN_PATH
    assert result["msg"] == "changed 6 entries and 2 sections"
    assert "backup_file" not in result and "diff" not in result


def test_windows_change_with_diff_and_backup_returns_script_backup_file():
    target = target_with("powershell", BEFORE)
    result = run(target, diff=True, path=WIN_PATH, backup=True, **DECLARED)
    assert target.calls[1] == replace_call(WIN_PATH, AFTER.encode(), sha1(BEFORE.encode()), backup=True)
    assert result["backup_file"] == WIN_PATH + BACKUP_SUFFIX
    assert target.files[WIN_PATH + BACKUP_SUFFIX] == BEFORE.encode()
    assert result["diff"] == {"before_header": WIN_PATH, "after_header": WIN_PATH,
                              "before": BEFORE, "after": AFTER}


def test_windows_conflict_rereads_and_reapplies_on_the_other_writers_content():
    target = target_with("powershell", BEFORE)
    target.other_writer = [OTHER.encode()]  # lands between our slurp and our first write
    result = run(target, path=WIN_PATH, **DECLARED)
    assert target.calls == [
        (WIN_SLURP, {"src": WIN_PATH}),
        replace_call(WIN_PATH, AFTER.encode(), sha1(BEFORE.encode())),  # answered conflict
        (WIN_SLURP, {"src": WIN_PATH}),
        replace_call(WIN_PATH, OTHER_AFTER.encode(), sha1(OTHER.encode())),
    ]
    assert target.files[WIN_PATH] == OTHER_AFTER.encode()  # the other writer's OTHER= survived
    assert result["changed"] is True
    assert "failed" not in result


def test_windows_every_attempt_in_conflict_fails_clearly_and_overwrites_nothing(monkeypatch):
    from ansible_collections.mapi.messaging.plugins.action import mapisvc as action
    waits = []
    monkeypatch.setattr(action, "time", SimpleNamespace(sleep=waits.append))
    target = target_with("powershell", BEFORE)
    versions = [BEFORE.encode() + b"; v%d\r\n" % n for n in range(ATTEMPTS)]
    target.other_writer = list(versions)
    result = run(target, path=WIN_PATH, **DECLARED)
    names = [call[0] for call in target.calls]
    assert names == [WIN_SLURP, WIN_POWERSHELL] * ATTEMPTS
    # Each attempt compares against what that attempt read, after a random back-off.
    assert [args["parameters"]["ExpectedSha1"] for name, args in target.calls if name == WIN_POWERSHELL] \
        == [sha1(BEFORE.encode())] + [sha1(version) for version in versions[:-1]]
    assert len(waits) == ATTEMPTS - 1
    assert result["failed"] is True
    assert result["msg"].startswith("path: %s changed on the target %d times" % (WIN_PATH, ATTEMPTS))
    assert "nothing was overwritten" in result["msg"]
    assert target.files == {WIN_PATH: versions[-1]}


@pytest.mark.parametrize("create, folders, message", [
    # File.Replace throws (file locked / ACL); the module catches the terminating error.
    (False, None, ACCESS_DENIED),
    # create: true in a folder that does not exist: REPLACE_SCRIPT throws its own message.
    (True, set(), "The folder '%s' does not exist; MAPISVC.INF is only created in an existing folder"
     % ntpath.dirname(WIN_PATH)),
])
def test_windows_write_failure_fails_with_the_error_message_and_says_unchanged(create, folders, message):
    if create:
        target = target_with("powershell", None, folders=folders)
    else:
        target = target_with("powershell", BEFORE)
        target.write_error = ACCESS_DENIED
    files_before = dict(target.files)
    result = run(target, path=WIN_PATH, create=create, **DECLARED)
    assert [call[0] for call in target.calls] == [WIN_SLURP, WIN_POWERSHELL]
    assert result["failed"] is True
    assert result["msg"] == "path: writing %s failed, the file is unchanged: %s" % (WIN_PATH, message)
    assert target.files == files_before


# --------------------------------------------------------------------------------------
# Missing file, directory, check mode (both transports)
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("family", FAMILIES)
def test_missing_file_fails_naming_path_and_create(family):
    target = target_with(family, None)
    result = run(target, path=PATHS[family], **DECLARED)
    assert target.calls == [read_call(family)]
    assert result["failed"] is True
    assert result["msg"].startswith("path: %s does not exist" % PATHS[family])
    assert "create: true" in result["msg"]
    assert target.files == {}


@pytest.mark.parametrize("family", FAMILIES)
def test_missing_file_with_create_writes_a_new_file(family):
    path = PATHS[family]
    target = target_with(family, None)
    result = run(target, path=path, create=True, **DECLARED)
    assert target.calls == [read_call(family), replace_call(path, NEW_FILE.encode(), "")]
    assert target.files == {path: NEW_FILE.encode()}
    assert result["changed"] is True
    assert result["changes"] == [{"section": "Services", "key": None, "before": None, "after": {}}] + EXPECTED_CHANGES


# Reproduces a bug in transport.Remote.read (fixed): the slurp failure message was searched for
# "directory" / "not found" anywhere, including in the path it quotes, so a missing file in a
# folder whose name contains "directory" was reported as a directory and create: true failed.
@pytest.mark.parametrize("family, path", [
    ("powershell", "C:\\Program Files\\Contoso Directory Connector\\MAPISVC.INF"),
    ("sh", "/srv/directory/MAPISVC.INF"),
])
def test_missing_file_in_a_folder_named_directory_is_still_missing(family, path):
    target = FakeTarget(family, {}, {(ntpath if family == "powershell" else posixpath).dirname(path)})
    result = run(target, path=path, create=True, **DECLARED)
    assert "failed" not in result, result.get("msg")
    assert target.files == {path: NEW_FILE.encode()}


@pytest.mark.parametrize("family", FAMILIES)
def test_state_absent_on_missing_file_changes_nothing(family):
    target = target_with(family, None)
    result = run(target, path=PATHS[family], service="CONTOSO", state="absent")
    assert target.calls == [read_call(family)]
    assert result["changed"] is False
    assert result["changes"] == []
    assert target.files == {}


@pytest.mark.parametrize("family", FAMILIES)
def test_directory_fails_clearly(family):
    path = PATHS[family]
    target = FakeTarget(family, {}, {path})  # the path is a folder
    result = run(target, path=path, create=True, **DECLARED)
    assert target.calls == [read_call(family)]
    assert result["failed"] is True
    assert result["msg"].startswith("path: %s is a directory; give the full path of the MAPISVC.INF file" % path)
    assert target.files == {}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("diff", [False, True])
def test_check_mode_reports_the_change_without_writing(family, diff):
    path = PATHS[family]
    target = target_with(family, BEFORE)
    result = run(target, check_mode=True, diff=diff, path=path, backup=True, **DECLARED)
    assert target.calls == [read_call(family)]
    assert target.files == {path: BEFORE.encode()}
    assert result["changed"] is True
    assert result["changes"] == EXPECTED_CHANGES
    assert result["msg"] == "would change 6 entries and 2 sections"
    assert "backup_file" not in result
    if diff:
        assert result["diff"] == {"before_header": path, "after_header": path, "before": BEFORE, "after": AFTER}
    else:
        assert "diff" not in result


# --------------------------------------------------------------------------------------
# POSIX (mapisvc_file on real files: tests/unit/test_posix_transport.py)
# --------------------------------------------------------------------------------------
def test_posix_no_change_is_one_read_and_no_write():
    target = target_with("sh", AFTER)
    result = run(target, path=POSIX_PATH, **DECLARED)
    assert target.calls == [read_call("sh")]
    assert result["changed"] is False


@pytest.mark.parametrize("backup", [False, True])
def test_posix_change_is_one_read_then_one_compare_and_swap(backup):
    target = target_with("sh", BEFORE)
    result = run(target, diff=True, path=POSIX_PATH, backup=backup, **DECLARED)
    assert target.calls == [read_call("sh"), replace_call(POSIX_PATH, AFTER.encode(), sha1(BEFORE.encode()), backup)]
    assert target.task_vars == [TASK_VARS] * 2
    assert target.files[POSIX_PATH] == AFTER.encode()
    assert result["changed"] is True
    assert result["changes"] == EXPECTED_CHANGES
    assert result["diff"]["before"] == BEFORE and result["diff"]["after"] == AFTER
    if backup:
        assert result["backup_file"] == POSIX_PATH + BACKUP_SUFFIX
        assert target.files[POSIX_PATH + BACKUP_SUFFIX] == BEFORE.encode()
    else:
        assert "backup_file" not in result


def test_posix_missing_folder_fails_and_says_unchanged():
    target = target_with("sh", None, folders=set())
    result = run(target, path=POSIX_PATH, create=True, **DECLARED)
    assert result["failed"] is True
    assert result["msg"] == ("path: writing %s failed, the file is unchanged: the folder %s does not exist; "
                             "MAPISVC.INF is only created in an existing folder" % (POSIX_PATH, posixpath.dirname(POSIX_PATH)))
    assert target.files == {}


# --------------------------------------------------------------------------------------
# Declaration and encodings
# --------------------------------------------------------------------------------------
def test_bad_declaration_fails_before_any_module_call_listing_every_problem():
    target = target_with("powershell", BEFORE)
    result = run(target, path=WIN_PATH, service="CONTOSO", display_name="Contoso Connector", properties={
        "1234567": "x", "PR_SERVICE_UID": "13DBB0C8AA05101A9BB000AA002FC45A",
        "PR_SERVICE_DLL_NAME": "contoso32.dll"})
    assert target.calls == []
    assert result["failed"] is True
    problems = result["problems"]
    assert len(problems) == 3
    assert problems[0].startswith("properties.1234567: '1234567' looks like a property tag but has 7 hex digits")
    assert problems[1].startswith("properties.PR_SERVICE_UID: MAPI computes PR_SERVICE_UID")
    assert problems[2].startswith("properties.PR_SERVICE_DLL_NAME: 'contoso32.dll' already ends in '32'")
    assert result["msg"].startswith("3 problem(s) in the declaration; %s was not touched:\n- " % WIN_PATH)
    assert result["msg"].endswith("\n- ".join(problems))


def test_utf8_bom_fails_naming_path_without_writing():
    target = target_with("powershell", raw=b"\xef\xbb\xbf" + BEFORE.encode())
    result = run(target, path=WIN_PATH, **DECLARED)
    assert target.calls == [(WIN_SLURP, {"src": WIN_PATH})]
    assert result["failed"] is True
    assert result["msg"].startswith("path: %s: the file starts with a UTF-8 byte order mark" % WIN_PATH)
    assert target.files[WIN_PATH] == b"\xef\xbb\xbf" + BEFORE.encode()


def test_utf16le_file_stays_utf16le_with_bom():
    original = b"\xff\xfe" + BEFORE.encode("utf-16-le")
    target = target_with("powershell", raw=original)
    result = run(target, diff=True, path=WIN_PATH, **DECLARED)
    assert target.calls == [(WIN_SLURP, {"src": WIN_PATH}),
                            replace_call(WIN_PATH, b"\xff\xfe" + AFTER.encode("utf-16-le"), sha1(original))]
    assert target.files[WIN_PATH] == b"\xff\xfe" + AFTER.encode("utf-16-le")
    assert result["encoding"] == "utf-16-le"
    assert result["diff"]["before"] == BEFORE and result["diff"]["after"] == AFTER


# --------------------------------------------------------------------------------------
# The real modules' documentation
# --------------------------------------------------------------------------------------
WINDOWS_MODULES = pathlib.Path(ansible.__file__).resolve().parent.parent / \
    "ansible_collections" / "ansible" / "windows" / "plugins" / "modules"


def docs(filename):
    """(options, return) of a module, with doc fragments resolved, as ansible-doc reads them."""
    docs = get_docstring(str(filename), fragment_loader, is_module=True)
    doc, returns = docs[0], docs[2]
    return doc["options"], returns


def builtin(name):
    return pathlib.Path(ansible.__file__).resolve().parent / "modules" / ("%s.py" % name)


def test_win_powershell_options_and_returns_used_are_documented():
    target = target_with("powershell", BEFORE)
    target.other_writer = [OTHER.encode()]  # one conflict, so both answers are read
    run(target, path=WIN_PATH, **DECLARED)
    options, returns = docs(WINDOWS_MODULES / "win_powershell.py")
    used = [args for name, args in target.calls if name == WIN_POWERSHELL]
    assert len(used) == 2
    for args in used:
        assert set(args) <= set(options)
        assert options["script"]["type"] == "str" and options["parameters"]["type"] == "dict"
    assert {"result", "error"} <= set(returns)
    # Error records: the fake builds them with the documented keys only, and the plugin
    # takes the message from exception.message.
    record = FakeTarget._ps_failure("x")["error"][0]
    assert set(record) <= set(returns["error"]["contains"])
    assert "message" not in returns["error"]["contains"]
    assert "message" in returns["error"]["contains"]["exception"]["contains"]


def test_replace_script_parameters_match_what_we_pass():
    block = re.search(r"param\s*\((.*?)\n\)", transport.REPLACE_SCRIPT, re.S).group(1)
    declared = re.findall(r"\]\s*\$(\w+)", block)
    mandatory = re.findall(r"Mandatory = \$true\)\][^$]*\$(\w+)", block)
    target = target_with("powershell", BEFORE)
    run(target, path=WIN_PATH, **DECLARED)
    passed = target.calls[1][1]["parameters"]
    assert sorted(declared) == sorted(passed) == ["Backup", "Content", "ExpectedSha1", "MaxBytes", "Path"]
    assert set(mandatory) == {"Path", "Content", "MaxBytes"}
    assert isinstance(passed["Backup"], bool)


def test_slurp_options_and_returns_used_are_documented():
    target = target_with("powershell", BEFORE)
    run(target, path=WIN_PATH, **DECLARED)
    options, returns = docs(WINDOWS_MODULES / "slurp.yml")
    read = [args for name, args in target.calls if name == WIN_SLURP]
    assert read and all(set(args) <= set(options) for args in read)
    assert "content" in returns


def test_mapisvc_file_options_and_returns_used_are_documented():
    target = target_with("sh", BEFORE)
    run(target, path=POSIX_PATH, backup=True, **DECLARED)
    options, returns = docs(pathlib.Path(__file__).resolve().parents[2] / "plugins" / "modules" / "mapisvc_file.py")
    assert [name for name, args in target.calls] == [FILE_MODULE, FILE_MODULE]
    for name, args in target.calls:
        assert set(args) <= set(options)
    assert {"exists", "file_type", "content", "conflict", "sha1", "backup_file"} <= set(returns)


@pytest.mark.parametrize("utf16", [True, False])
def test_encodability_is_judged_by_the_files_encoding(utf16):
    # Japanese text fits a UTF-16LE file but not a cp1252 one; the check happens after the read.
    name = "\u30b3\u30f3\u30c8\u30bd"
    original = b"\xff\xfe" + BEFORE.encode("utf-16-le") if utf16 else BEFORE.encode("cp1252")
    target = target_with("powershell", raw=original)
    declared = dict(DECLARED)
    declared["display_name"] = name
    result = run(target, path=WIN_PATH, **declared)
    if utf16:
        expected = b"\xff\xfe" + AFTER.replace("Contoso Connector", name).encode("utf-16-le")
        assert target.calls == [(WIN_SLURP, {"src": WIN_PATH}), replace_call(WIN_PATH, expected, sha1(original))]
        assert result["changed"] is True
    else:
        assert target.calls == [(WIN_SLURP, {"src": WIN_PATH})]
        assert result["failed"] is True
        assert result["problems"] == ["display_name: %r has characters the file's encoding cannot hold; use the "
                                      "target's ANSI code page (option codepage) or a UTF-16LE file" % name]
        assert target.files[WIN_PATH] == original
