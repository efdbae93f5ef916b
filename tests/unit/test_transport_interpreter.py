# -*- coding: utf-8 -*-
"""A module that cannot start on a POSIX target because its Python interpreter is missing:
the error names ansible_python_interpreter and how to set it, not the path.

The failed results are the shapes ansible-core returns when the shell cannot run the
interpreter (module_stderr from the shell, rc 127, no JSON on stdout);
tests/integration/test_interpreter_message.py makes Ansible produce one for real."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.template import Templar

from ansible_collections.mapi.messaging.plugins.action import mapisvc_info as mapisvc_info_action
from ansible_collections.mapi.messaging.plugins.plugin_utils import transport

# ansible-core 2.19 with a local connection and ansible_python_interpreter=/usr/bin/python3.99.
CORE_219 = {"failed": True, "changed": False, "rc": 127, "module_stdout": "",
            "module_stderr": "/bin/sh: 1: /usr/bin/python3.99: not found\n",
            "msg": "The module interpreter '/usr/bin/python3.99' was not found."}
# Older ansible-core: a generic message; the shell (bash here) names the interpreter.
CORE_216 = {"failed": True, "changed": False, "rc": 127, "module_stdout": "",
            "module_stderr": "bash: /opt/python/bin/python3: No such file or directory\n",
            "msg": "The module failed to execute correctly, you probably need to set the interpreter.\n"
                   "See stdout/stderr for the exact error"}
# A pyenv shim whose version is not installed: the shim runs, the command does not.
PYENV_SHIM = {"failed": True, "changed": False, "rc": 127, "module_stdout": "",
              "module_stderr": "pyenv: python3.11: command not found\n",
              "msg": "MODULE FAILURE\nSee stdout/stderr for the exact error"}
# The module ran and answered (JSON, so no module_stdout/module_stderr): mapisvc_file's own
# failure for an OSError, "%s: %s" % (path, strerror). A missing file is about the path.
MODULE_ANSWER = {"failed": True, "changed": False, "msg": "/srv/golden/MAPISVC.INF: No such file or directory",
                 "real_path": "/srv/golden/MAPISVC.INF"}
# The module started and crashed: a traceback about some other missing file.
MODULE_TRACEBACK = {"failed": True, "changed": False, "rc": 1, "module_stdout": "",
                    "module_stderr": "Traceback (most recent call last):\n  File \"/usr/lib/python3.11/x.py\", line 1\n"
                                     "FileNotFoundError: [Errno 2] No such file or directory: '/x'\n",
                    "msg": "MODULE FAILURE\nSee stdout/stderr for the exact error"}


@pytest.mark.parametrize("result, interpreter", [
    (CORE_219, "/usr/bin/python3.99"),
    (CORE_216, "/opt/python/bin/python3"),
    (PYENV_SHIM, "python3.11"),
], ids=["core-2.19", "older-core-bash", "pyenv-shim"])
def test_a_module_that_did_not_start_is_blamed_on_the_interpreter(result, interpreter):
    message = transport.interpreter_failure(result, configured=None)
    assert message.startswith("ansible_python_interpreter: ")
    assert "'%s'" % interpreter in message
    assert "ansible_python_interpreter=/usr/bin/python3" in message
    assert "nothing was read or written" in message


def test_discovery_is_not_named_as_the_interpreter_the_shell_names_it():
    message = transport.interpreter_failure(CORE_219, configured="auto")
    assert "'/usr/bin/python3.99'" in message and "'auto'" not in message


def test_exit_127_without_words_names_the_configured_interpreter():
    result = {"failed": True, "rc": 127, "module_stdout": "", "module_stderr": "", "msg": "MODULE FAILURE"}
    assert "'/usr/local/bin/python3'" in transport.interpreter_failure(result, configured="/usr/local/bin/python3")


@pytest.mark.parametrize("result", [
    MODULE_ANSWER,
    MODULE_TRACEBACK,
    {"failed": True, "rc": 1, "module_stdout": "", "module_stderr": "Traceback ...\nValueError: bad\n", "msg": "MODULE FAILURE"},
    {"failed": True, "rc": 127, "module_stdout": '{"failed": true, "msg": "x"}', "module_stderr": "", "msg": "x"},
    {"changed": False, "exists": False},
], ids=["module-answer", "module-traceback-missing-file", "module-crash", "json-answer", "success"])
@pytest.mark.parametrize("configured", ["/usr/bin/python3", "python3", "auto", None])
def test_other_results_are_not_blamed_on_the_interpreter(result, configured):
    assert transport.interpreter_failure(result, configured=configured) is None


def test_a_shell_naming_another_command_is_not_blamed_on_the_configured_interpreter():
    result = {"failed": True, "rc": 1, "module_stdout": "", "module_stderr": "/bin/sh: 1: /opt/tool: not found\n",
              "msg": "MODULE FAILURE"}
    assert transport.interpreter_failure(result, configured="/usr/bin/python3") is None
    assert transport.interpreter_failure(result, configured=None) is None


def run_info(result, task_vars):
    task = Task()
    task.action = "mapi.messaging.mapisvc_info"
    task.args = {"path": "/srv/golden/MAPISVC.INF"}
    task.check_mode = False
    task.diff = False
    loader = DataLoader()
    connection = SimpleNamespace(_shell=SimpleNamespace(SHELL_FAMILY="sh", tmpdir="/tmp/ansible-tmp-1"))
    action = mapisvc_info_action.ActionModule(task, connection, PlayContext(), loader, Templar(loader=loader),
                                              shared_loader_obj=None)
    action._execute_module = lambda **kwargs: dict(result)
    with pytest.raises(AnsibleActionFail) as failure:
        action.run(task_vars=task_vars)
    return failure.value.message


def test_mapisvc_info_names_the_interpreter_not_the_path():
    message = run_info(CORE_219, {"inventory_hostname": "golden", "ansible_python_interpreter": "/usr/bin/python3.99"})
    assert message.startswith("ansible_python_interpreter: ")
    assert not message.startswith("path:")
    assert "/srv/golden/MAPISVC.INF" not in message


def test_mapisvc_info_still_names_the_path_when_the_module_ran():
    message = run_info({"failed": True, "msg": "cannot open: Permission denied"}, {"inventory_hostname": "golden"})
    assert message.startswith("path: cannot read /srv/golden/MAPISVC.INF")


def test_mapisvc_info_blames_the_path_for_the_modules_own_missing_file_answer():
    message = run_info(MODULE_ANSWER, {"inventory_hostname": "golden", "ansible_python_interpreter": "/usr/bin/python3"})
    assert not message.startswith("ansible_python_interpreter")
    assert "/srv/golden/MAPISVC.INF" in message
