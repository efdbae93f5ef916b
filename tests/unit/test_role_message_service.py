# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The message_service role's files agree with each other and with its design: every variable
it reads is documented in meta/argument_specs.yml with its default; its tasks call only
modules that preview in check mode (no win_shell, win_command or win_powershell task: the one
read of the host is the plan action's probe); the plan task, which reads the host once and
stops it on any problem (a running Outlook included), comes before every write; and what
carries registry data or download URLs is hidden.

The plan action itself is run once here for real (``ActionModule.run``) with its one module
execution answered by the simulated host's probe (the test double's ``contract_probe.py``)."""

from __future__ import annotations

import hashlib
import pathlib
import re

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.template import Templar

from ansible_collections.mapi.messaging.plugins.action.message_service_plan import PROBE_DEPTH, ActionModule
from ansible_collections.mapi.messaging.plugins.plugin_utils import probe_script
from test_action_mapisvc import FakeConnection
from test_probe_contract import double, make
from test_probe_contract import host as simulated

ROLE = pathlib.Path(__file__).resolve().parents[2] / "roles" / "message_service"
PLAN_MODULE = "mapi.messaging.message_service_plan"
# Exactly the modules the role calls: each previews in check mode (the plan action reads only;
# mapisvc, win_file, win_copy, win_get_url and win_regedit report what they would change).
ALLOWED = {
    PLAN_MODULE, "ansible.windows.win_regedit", "ansible.windows.win_file", "ansible.windows.win_copy",
    "ansible.windows.win_get_url", "mapi.messaging.mapisvc",
    "ansible.builtin.assert", "ansible.builtin.set_fact", "ansible.builtin.include_tasks",
    "ansible.builtin.import_tasks", "ansible.builtin.debug", "ansible.builtin.fail",
}
# Tasks that change nothing on the host.
READERS = {PLAN_MODULE, "ansible.builtin.set_fact", "ansible.builtin.assert", "ansible.builtin.debug"}
INCLUDES = ("ansible.builtin.include_tasks", "ansible.builtin.import_tasks")
TASK_KEYWORDS = {
    "name", "loop", "loop_control", "when", "register", "vars", "block", "rescue", "always",
    "changed_when", "failed_when", "check_mode", "tags", "no_log", "delegate_to", "run_once",
    "become", "ignore_errors",
}
# Facts the role sets for later steps and for the user (message_service_plan is also the plan
# action's name, message_service_detected what detect registers); not inputs.
FACTS = {"message_service_target", "message_service_plan", "message_service_detected"}
PLAN_TASK = "Preflight | Read the host once (changes nothing) and plan every change"
STOP_TASK = "Preflight | Stop before any change if something is wrong"


def _specs():
    return yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]


def _tasks(items):
    for item in items or []:
        yield item
        for key in ("block", "rescue", "always"):
            yield from _tasks(item.get(key))


def _task_files():
    return sorted((ROLE / "tasks").glob("*.yml"))


def _module(task):
    modules = set(task) - TASK_KEYWORDS
    assert len(modules) == 1, (task.get("name"), modules)
    return modules.pop()


def test_every_variable_the_role_reads_is_documented():
    documented = set(_specs()["main"]["options"])
    text = "\n".join(path.read_text() for path in _task_files())
    used = set(re.findall(r"\bmessage_service_[a-z_]+\b", text)) - FACTS
    assert used <= documented, sorted(used - documented)


def test_defaults_match_the_documented_defaults():
    options = _specs()["main"]["options"]
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    for name, value in defaults.items():
        assert name in options, name
        assert options[name].get("default") == value, name
    for name, option in options.items():
        if "default" in option:
            assert name in defaults, "%s is documented with a default that defaults/main.yml lacks" % name


def test_the_preflight_entry_point_takes_the_same_variables():
    specs = _specs()
    assert specs["preflight"]["options"] == specs["main"]["options"]


def test_tasks_call_exactly_the_modules_that_preview_in_check_mode():
    used = set()
    for path in _task_files():
        for task in _tasks(yaml.safe_load(path.read_text())):
            if "block" in task:
                continue
            module = _module(task)
            assert module in ALLOWED, (path.name, task.get("name"), module)
            used.add(module)
    # A module the role no longer calls leaves the list, so the list says what the role does.
    assert used == ALLOWED


def _entry_point_tasks(name):
    """The tasks an entry point runs, in order, with the task files it imports or includes
    followed (the role names them literally)."""
    for task in _tasks(yaml.safe_load((ROLE / "tasks" / name).read_text())):
        included = next((task[key] for key in INCLUDES if key in task), None)
        if included is not None:
            yield from _entry_point_tasks(included)
        elif "block" not in task:
            yield task


@pytest.mark.parametrize("entry_point", ["preflight.yml", "detect.yml"])
def test_preflight_and_detect_only_read(entry_point):
    tasks = list(_entry_point_tasks(entry_point))
    assert [task["name"] for task in tasks if _module(task) == PLAN_MODULE] == [tasks[0]["name"]]
    for task in tasks:
        assert _module(task) in READERS, task.get("name")


def test_in_use_check_runs_after_the_variables_are_checked_and_before_any_change():
    # The plan task checks the variables, reads the host (a running Outlook, files in use) and
    # returns every problem; the assert after it stops the host. In every entry point both come
    # before the first task that writes.
    for entry_point in _specs():
        tasks = list(_entry_point_tasks("%s.yml" % entry_point))
        names = [task["name"] for task in tasks]
        writes = [index for index, task in enumerate(tasks) if _module(task) not in READERS]
        plan = names.index(PLAN_TASK) if entry_point != "detect" else 0
        assert _module(tasks[plan]) == PLAN_MODULE, entry_point
        if writes:
            assert plan < names.index(STOP_TASK) < writes[0], (entry_point, names[writes[0]])
        else:
            assert entry_point in ("preflight", "detect")
    main = yaml.safe_load((ROLE / "tasks" / "main.yml").read_text())
    assert main[0]["ansible.builtin.include_tasks"] == "preflight.yml"
    install = main[1]["block"]
    # Files first, MAPISVC.INF after: a copy that fails stops the host before the INF changes.
    order = [task["name"].split(" | ")[0] for task in install]
    assert order.index("Files") < order.index("MAPISVC.INF")


def test_detect_takes_only_the_detection_variables_and_needs_none():
    specs = _specs()
    detect = specs["detect"]["options"]
    assert set(detect) == {"message_service_mapisvc_paths", "message_service_office_version",
                           "message_service_office_bitness"}
    assert all(detect[name] == specs["main"]["options"][name] for name in detect)
    assert not [name for name, option in detect.items() if option.get("required")]
    text = (ROLE / "tasks" / "detect.yml").read_text()
    assert set(re.findall(r"\bmessage_service_[a-z_]+\b", text)) - FACTS <= set(detect) | {
        "message_service_mapisvc_codepage"}


def test_meta_declares_windows_and_no_galaxy_dependencies():
    meta = yaml.safe_load((ROLE / "meta" / "main.yml").read_text())
    assert [platform["name"] for platform in meta["galaxy_info"]["platforms"]] == ["Windows"]
    assert meta["dependencies"] == []


def test_no_task_runs_a_script_and_every_shipped_script_is_only_copied():
    copied = set()
    for path in _task_files():
        for task in _tasks(yaml.safe_load(path.read_text())):
            assert not {"ansible.windows.win_powershell", "ansible.windows.win_shell", "ansible.windows.win_command",
                        "ansible.builtin.script", "ansible.builtin.raw"} & set(task), (path.name, task.get("name"))
            if "ansible.windows.win_copy" in task and "src" in task["ansible.windows.win_copy"]:
                copied.add(task["ansible.windows.win_copy"]["src"])
    # The Active Setup script is the only one left, and the role copies it for Windows to run at
    # logon; the in-use check lives in the probe now.
    assert sorted(path.name for path in (ROLE / "files").glob("*.ps1")) == ["message_service_profile.ps1"]
    assert "message_service_profile.ps1" in copied


@pytest.mark.parametrize("file_name, task_name", [
    ("registry.yml", "Registry | Set the registry values that differ"),
    ("absent.yml", "Registry | Remove the service's registry values"),
    ("files.yml", "Files | Download the files that do not match their checksum"),
    ("preflight.yml", "Preflight | Keep the target and the plan"),
])
def test_tasks_carrying_registry_data_or_download_urls_hide_them(file_name, task_name):
    task = next(task for task in _tasks(yaml.safe_load((ROLE / "tasks" / file_name).read_text()))
                if task.get("name") == task_name)
    assert task["no_log"] in (True, "{{ item.secret }}")
    label = task.get("loop_control", {}).get("label", "")
    assert "data" not in label and "url" not in label


# -- the plan action, run for real against a simulated host ----------------------------------
SECRET = "plan-action-S3cret"


def _tree(root):
    """Every file of the simulated machine (its drive and registry) with its SHA-256."""
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(pathlib.Path(root).rglob("*")) if path.is_file() and path.suffix != ".lock"}


def run_plan_action(machine, check_mode=False, **args):
    """Run the plan action for real on the simulated ``machine``: (result, module calls). Its
    module executions are answered by the double's probe, as win_powershell answers."""
    calls = []

    def execute_module(module_name=None, module_args=None, task_vars=None, **kwargs):
        del task_vars, kwargs
        calls.append((module_name, module_args))
        outcome = double.run(simulated.Machine(machine["root"]), module_args["parameters"], check_mode)
        return {"changed": outcome["changed"], "result": outcome["result"]}

    task = Task()
    task.action = PLAN_MODULE
    task.args = dict(args)
    task.check_mode = check_mode
    loader = DataLoader()
    action = ActionModule(task, FakeConnection("powershell"), PlayContext(), loader, Templar(loader=loader),
                          shared_loader_obj=None)
    action._execute_module = execute_module
    return action.run(task_vars={"inventory_hostname": "ws01"}), calls


@pytest.mark.parametrize("check_mode", [False, True])
def test_the_plan_action_runs_one_read_only_probe_and_hides_its_result(tmp_path, check_mode):
    machine = make(tmp_path, office="msi64", outlook_running=True)
    before = _tree(machine["root"])
    result, calls = run_plan_action(
        machine, check_mode, name="CONTOSO", display_name="Contoso Connector", files=[], properties={},
        registry=[{"path": "HKLM:\\SOFTWARE\\Contoso\\Connector", "name": "Password", "data": SECRET}])

    assert [(name, args["script"], args["depth"]) for name, args in calls] == [
        ("ansible.windows.win_powershell", probe_script.PROBE_SCRIPT, PROBE_DEPTH)]
    assert _tree(machine["root"]) == before
    assert result["changed"] is False and result["_ansible_no_log"] is True
    # The declared secret is in the plan (win_regedit needs it), which is why the result is hidden.
    assert [item["data"] for item in result["plan"]["registry"]] == [SECRET]
    # The service is new on this host, so MAPISVC.INF would change: the running Outlook stops it.
    assert result["plan"]["mapisvc"] and any(problem.startswith("Outlook:") for problem in result["problems"])
