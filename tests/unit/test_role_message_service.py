# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The message_service role's files agree with each other and with its design: every variable
it reads is documented in meta/argument_specs.yml with its default, and its tasks call only
modules that preview in check mode (no win_shell or win_command; win_powershell only for the
role's own read-only scripts, which declare SupportsShouldProcess so they run in check mode)."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

ROLE = pathlib.Path(__file__).resolve().parents[2] / "roles" / "message_service"
ALLOWED = {
    "ansible.windows.win_reg_stat", "ansible.windows.win_regedit", "ansible.windows.win_stat",
    "ansible.windows.win_find", "ansible.windows.win_file", "ansible.windows.win_copy",
    "ansible.windows.win_get_url", "ansible.windows.win_powershell", "mapi.messaging.mapisvc",
    "ansible.builtin.assert", "ansible.builtin.set_fact", "ansible.builtin.include_tasks",
    "ansible.builtin.import_tasks", "ansible.builtin.fail", "ansible.builtin.debug",
}
TASK_KEYWORDS = {
    "name", "loop", "loop_control", "when", "register", "vars", "block", "rescue", "always",
    "changed_when", "failed_when", "check_mode", "tags", "no_log", "delegate_to", "run_once",
    "become", "ignore_errors",
}
SCRIPT_LOOKUP = re.compile(r"^\{\{ lookup\('ansible\.builtin\.file', '([a-z_]+\.ps1)'\) \}\}$")
# Facts the role sets for later steps and for the user (and the filters of the same names,
# plus the in-use check's filter); not inputs.
FACTS = {"message_service_target", "message_service_plan", "message_service_in_use"}


def _specs():
    return yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]


def _tasks(items):
    for item in items or []:
        yield item
        for key in ("block", "rescue", "always"):
            yield from _tasks(item.get(key))


def _task_files():
    return sorted((ROLE / "tasks").glob("*.yml"))


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


def test_tasks_call_only_modules_that_preview_in_check_mode():
    for path in _task_files():
        for task in _tasks(yaml.safe_load(path.read_text())):
            if "block" in task:
                continue
            modules = set(task) - TASK_KEYWORDS
            assert len(modules) == 1, (path.name, task.get("name"), modules)
            assert modules <= ALLOWED, (path.name, task.get("name"), modules)


def _entry_point_tasks(name):
    """The tasks an entry point runs, with the files it imports followed."""
    for task in _tasks(yaml.safe_load((ROLE / "tasks" / name).read_text())):
        if "ansible.builtin.import_tasks" in task:
            yield from _entry_point_tasks(task["ansible.builtin.import_tasks"])
        else:
            yield task


@pytest.mark.parametrize("entry_point", ["preflight.yml", "detect.yml"])
def test_preflight_and_detect_only_read(entry_point):
    readers = {"ansible.windows.win_reg_stat", "ansible.windows.win_stat", "ansible.windows.win_find",
               "ansible.windows.win_powershell", "ansible.builtin.set_fact", "ansible.builtin.assert",
               "ansible.builtin.debug"}
    tasks = list(_entry_point_tasks(entry_point))
    assert len(tasks) >= 5
    for task in tasks:
        assert set(task) - TASK_KEYWORDS <= readers, task.get("name")


def test_detect_takes_only_the_detection_variables_and_needs_none():
    specs = _specs()
    detect = specs["detect"]["options"]
    assert set(detect) == {"message_service_mapisvc_paths", "message_service_office_version",
                           "message_service_office_bitness"}
    assert all(detect[name] == specs["main"]["options"][name] for name in detect)
    assert not [name for name, option in detect.items() if option.get("required")]
    text = (ROLE / "tasks" / "detect.yml").read_text()
    assert set(re.findall(r"\bmessage_service_[a-z_]+\b", text)) - FACTS <= set(detect)


def test_meta_declares_windows_and_no_galaxy_dependencies():
    meta = yaml.safe_load((ROLE / "meta" / "main.yml").read_text())
    assert [platform["name"] for platform in meta["galaxy_info"]["platforms"]] == ["Windows"]
    assert meta["dependencies"] == []


def _powershell_tasks():
    for path in _task_files():
        for task in _tasks(yaml.safe_load(path.read_text())):
            if "ansible.windows.win_powershell" in task:
                yield path, task


def test_powershell_runs_only_the_roles_own_read_only_scripts():
    tasks = list(_powershell_tasks())
    assert [path.name for path, task in tasks] == ["preflight.yml"]
    for path, task in tasks:
        match = SCRIPT_LOOKUP.match(task["ansible.windows.win_powershell"]["script"])
        assert match, (path.name, task["name"])
        script = (ROLE / "files" / match.group(1)).read_text()
        name = match.group(1)[:-len(".ps1")].replace("message_service_", "")
        assert script.splitlines()[0] == "# mapi.messaging: %s" % name
        assert "[CmdletBinding(SupportsShouldProcess)]" in script
        assert "$Ansible.Changed = $false" in script
        assert task.get("changed_when") is False


def test_in_use_check_runs_after_the_variables_are_checked_and_before_any_change():
    names = [task.get("name", "") for task in _entry_point_tasks("preflight.yml")]
    check = names.index("Preflight | Look for a running Outlook and for the service's files in use")
    assert names.index("Preflight | Stop before any change if something is wrong") < check
    assert names[check + 1] == "Preflight | Stop before any change if Outlook runs or a file is in use"
    main = [task["name"] for task in yaml.safe_load((ROLE / "tasks" / "main.yml").read_text())]
    assert main[0] == "Preflight | Detect the target and check the variables"
    install = yaml.safe_load((ROLE / "tasks" / "main.yml").read_text())[1]["block"]
    # Files first, MAPISVC.INF after: a copy that fails stops the host before the INF changes.
    order = [task["name"].split(" | ")[0] for task in install]
    assert order.index("Files") < order.index("MAPISVC.INF")


@pytest.mark.parametrize("file_name, task_name", [
    ("registry.yml", "Registry | Set the registry values in Outlook's registry view"),
    ("absent.yml", "Registry | Remove the service's registry values"),
    ("files.yml", "Files | Download the files (checksum verified; skipped when the file already matches it)"),
])
def test_tasks_carrying_registry_data_or_download_urls_hide_them(file_name, task_name):
    task = next(task for task in _tasks(yaml.safe_load((ROLE / "tasks" / file_name).read_text()))
                if task.get("name") == task_name)
    assert task["no_log"] in (True, "{{ item.secret }}")
    label = task["loop_control"]["label"]
    assert "data" not in label and "url" not in label
