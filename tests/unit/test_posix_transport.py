# -*- coding: utf-8 -*-
"""The mapisvc and mapisvc_info action plugins on a POSIX target, with the real
mapi.messaging.mapisvc_file module doing the target's side on real files.

``LocalTarget.execute_module`` replaces ``ActionBase._execute_module``: it runs the module
file in a Python process with the arguments as JSON, as Ansible does on a target, and
records every execution, so the tests can count what a run costs on the target. Any other
module is an error: the POSIX path must need nothing else."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pathlib
import stat
import subprocess
import sys
from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.template import Templar

from ansible_collections.mapi.messaging.plugins.action import mapisvc as mapisvc_action
from ansible_collections.mapi.messaging.plugins.action import mapisvc_info as mapisvc_info_action
from ansible_collections.mapi.messaging.plugins.plugin_utils import transport

MODULE = pathlib.Path(__file__).resolve().parents[2] / "plugins" / "modules" / "mapisvc_file.py"
FILE_MODULE = "mapi.messaging.mapisvc_file"

BEFORE = b"[Services]\r\nMSEMS=Microsoft Exchange Server\r\n\r\n[MSEMS]\r\nPR_SERVICE_DLL_NAME=emsui.dll\r\n"
OTHER = BEFORE.replace(b"MSEMS=Microsoft Exchange Server\r\n",
                       b"MSEMS=Microsoft Exchange Server\r\nOTHER=Other Service\r\n")
DECLARED = {"service": "CONTOSO", "display_name": "Contoso Connector",
            "properties": {"PR_SERVICE_DLL_NAME": "contoso.dll", "PR_SERVICE_ENTRY_NAME": "ServiceEntry"}}


class LocalTarget:
    def __init__(self, workdir):
        self.workdir = workdir
        self.calls = []            # (module name, module args) per execution
        self.before_replace = []   # callables run just before each replace: another writer

    def execute_module(self, module_name=None, module_args=None, task_vars=None, **kwargs):
        if module_name != FILE_MODULE:
            raise AssertionError("the POSIX path ran another module: %s" % module_name)
        self.calls.append((module_name, dict(module_args)))
        if module_args.get("op") == "replace" and self.before_replace:
            self.before_replace.pop(0)()
        spec = self.workdir / ("args-%d.json" % len(self.calls))
        spec.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": dict(module_args)}))
        proc = subprocess.run([sys.executable, str(MODULE), str(spec)], capture_output=True, text=True,
                              timeout=30, check=False)
        return json.loads(proc.stdout)

    def ops(self):
        return [args.get("op") for dummy, args in self.calls]


def run_action(plugin, target, args):
    task = Task()
    task.action = "mapi.messaging.mapisvc"
    task.args = dict(args)
    task.check_mode = False
    task.diff = False
    loader = DataLoader()
    # A remote temporary folder that exists already, as after ActionBase.run made it.
    connection = SimpleNamespace(_shell=SimpleNamespace(SHELL_FAMILY="sh", tmpdir="/home/ansible/.ansible/tmp/ansible-tmp-1"))
    action = plugin.ActionModule(task, connection, PlayContext(), loader, Templar(loader=loader),
                                 shared_loader_obj=None)
    action._execute_module = target.execute_module
    try:
        return action.run(task_vars={"inventory_hostname": "golden"})
    except AnsibleActionFail as e:
        return dict(e.result, failed=True, msg=e.message)


@pytest.fixture
def target(tmp_path):
    return LocalTarget(tmp_path)


@pytest.fixture
def inf(tmp_path):
    folder = tmp_path / "MSMAPI"
    folder.mkdir()
    path = folder / "MAPISVC.INF"
    path.write_bytes(BEFORE)
    return path


@pytest.fixture
def no_sleep(monkeypatch):
    waits = []
    # The action's own name for the time module, not time.sleep itself: subprocess waits with it.
    monkeypatch.setattr(mapisvc_action, "time", SimpleNamespace(sleep=waits.append))
    return waits


def test_no_change_run_is_one_module_execution(target, inf):
    assert run_action(mapisvc_action, target, dict(path=str(inf), **DECLARED))["changed"] is True
    target.calls.clear()
    result = run_action(mapisvc_action, target, dict(path=str(inf), **DECLARED))
    assert result["changed"] is False
    assert target.calls == [(FILE_MODULE, {"op": "read", "path": str(inf), "max_bytes": transport.MAX_FILE_BYTES})]


def test_change_is_one_read_and_one_compare_and_swap(target, inf):
    result = run_action(mapisvc_action, target, dict(path=str(inf), **DECLARED))
    assert result["changed"] is True
    assert target.ops() == ["read", "replace"]
    replace = target.calls[1][1]
    assert replace["expected_sha1"] == hashlib.sha1(BEFORE).hexdigest()
    assert base64.b64decode(replace["content"]) == inf.read_bytes()
    assert b"CONTOSO=Contoso Connector\r\n" in inf.read_bytes()


def test_a_writer_between_read_and_swap_is_kept_and_ours_reapplied(target, inf, no_sleep):
    target.before_replace = [lambda: inf.write_bytes(OTHER)]
    result = run_action(mapisvc_action, target, dict(path=str(inf), **DECLARED))
    assert "failed" not in result and result["changed"] is True
    assert target.ops() == ["read", "replace", "read", "replace"]
    data = inf.read_bytes()
    assert b"OTHER=Other Service\r\n" in data and b"CONTOSO=Contoso Connector\r\n" in data
    assert len(no_sleep) == 1 and 0 <= no_sleep[0] <= mapisvc_action.BACKOFF_SECONDS


def test_losing_every_attempt_fails_clearly_and_overwrites_nothing(target, inf, no_sleep):
    versions = [BEFORE + b"; edit %d\r\n" % n for n in range(mapisvc_action.ATTEMPTS)]
    target.before_replace = [lambda data=data: inf.write_bytes(data) for data in versions]
    result = run_action(mapisvc_action, target, dict(path=str(inf), **DECLARED))
    assert result["failed"] is True
    assert result["msg"].startswith("path: %s changed on the target %d times" % (inf, mapisvc_action.ATTEMPTS))
    assert "nothing was overwritten" in result["msg"]
    assert inf.read_bytes() == versions[-1]
    assert target.ops() == ["read", "replace"] * mapisvc_action.ATTEMPTS
    # A random wait before every attempt but the first, growing, never after the last.
    assert len(no_sleep) == mapisvc_action.ATTEMPTS - 1
    assert all(0 <= wait <= mapisvc_action.BACKOFF_SECONDS * 2 ** min(n, 3) for n, wait in enumerate(no_sleep))


def test_symlinked_path_is_replaced_through_the_link_with_its_mode_kept(target, inf):
    inf.chmod(0o640)
    link = inf.parent / "current.inf"
    link.symlink_to(inf.name)
    result = run_action(mapisvc_action, target, dict(path=str(link), **DECLARED))
    assert "failed" not in result, result.get("msg")
    assert result["changed"] is True and target.ops() == ["read", "replace"]
    assert link.is_symlink() and b"CONTOSO=Contoso Connector\r\n" in inf.read_bytes()
    assert stat.S_IMODE(inf.stat().st_mode) == 0o640


@pytest.mark.parametrize("kind, described", [
    ("fifo", "a FIFO (named pipe)"), ("device", "a character device")])
def test_fifo_or_device_fails_clearly_without_reading(target, tmp_path, kind, described):
    path = tmp_path / "MAPISVC.INF"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    for plugin, args in ((mapisvc_action, dict(path=str(path), create=True, **DECLARED)),
                         (mapisvc_info_action, dict(path=str(path)))):
        target.calls.clear()
        result = run_action(plugin, target, args)
        assert result["failed"] is True
        assert result["msg"] == ("path: %s is %s, not a regular file; nothing was read. Give the path of "
                                 "the MAPISVC.INF file itself" % (path, described))
        assert target.ops() == ["read"]


def test_folder_fails_with_the_directory_message(target, tmp_path):
    result = run_action(mapisvc_action, target, dict(path=str(tmp_path), create=True, **DECLARED))
    assert result["failed"] is True
    assert result["msg"].startswith("path: %s is a directory; give the full path" % tmp_path)


def test_file_above_the_cap_fails_naming_sizes(target, inf, monkeypatch):
    monkeypatch.setattr(transport, "MAX_FILE_BYTES", len(BEFORE) - 1)
    result = run_action(mapisvc_action, target, dict(path=str(inf), **DECLARED))
    assert result["failed"] is True
    assert result["msg"] == ("path: %s holds %d bytes or more, more than the %d a MAPISVC.INF may have; "
                             "nothing was read. Check the path" % (inf, len(BEFORE), len(BEFORE) - 1))
    assert inf.read_bytes() == BEFORE


def test_missing_file_keeps_the_none_semantics(target, tmp_path):
    path = tmp_path / "MAPISVC.INF"
    result = run_action(mapisvc_action, target, dict(path=str(path), **DECLARED))
    assert result["failed"] is True and result["msg"].startswith("path: %s does not exist" % path)
    assert run_action(mapisvc_action, target, dict(path=str(path), service="CONTOSO", state="absent"))["changed"] is False
    result = run_action(mapisvc_action, target, dict(path=str(path), create=True, **DECLARED))
    assert result["changed"] is True and path.read_bytes().startswith(b"[Services]\r\nCONTOSO=Contoso Connector\r\n")


def test_backup_file_is_returned_and_holds_the_previous_bytes(target, inf):
    result = run_action(mapisvc_action, target, dict(path=str(inf), backup=True, **DECLARED))
    backup = pathlib.Path(result["backup_file"])
    assert backup.parent == inf.parent and backup.read_bytes() == BEFORE
