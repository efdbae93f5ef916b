# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulated Windows host (tests/windows_double), driven through real ansible-playbook.

The ansible.windows TEST DOUBLES run as modules on localhost through the
``mapi_testdouble.windows_host.simulated`` shell, on machines built by ``make_machine``.
These tests prove what the role's tests rely on: the doubles refuse options the real modules
lack, accept the real ones, change nothing in check mode, skip unchanged copies, load hives
like win_regedit, and let mapi.messaging.mapisvc edit MAPISVC.INF on the simulated host
through win_powershell's ``replace`` contract.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pathlib

import pytest

from doubles import load, require_doubles

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOUBLES = ROOT / "tests" / "windows_double"
DEMO_MAPISVC = ROOT / "demo" / "MAPISVC.INF"
MAPISVC = r"C:\Program Files\Common Files\System\MSMAPI\1033\MAPISVC.INF"
pytestmark = pytest.mark.playbook  # most tests here start ansible-playbook


require_doubles()

# Loaded by file path: the runner lives in tests/integration, and the builder is a script.
runner = load("windows_double_playbook_run", ROOT / "tests" / "integration" / "playbook_run.py")
builder = load("windows_double_make_machine", DOUBLES / "make_machine.py")
host = load("windows_double_host", DOUBLES / "ansible_collections" / "ansible" / "windows" / "plugins"
            / "module_utils" / "_double_host.py")


@pytest.fixture
def machine(tmp_path):
    """A 64-bit MSI Office machine with the demo MAPISVC.INF, a logged-on user with an
    Outlook profile and a logged-off one without."""
    return builder.make_machine(tmp_path / "machine", office="msi64", users=[
        "alice:with-profile", "bob:without-profile:unloaded"], mapisvc=str(DEMO_MAPISVC))


def play(tmp_path, machine, tasks, check=False, diff=False):
    """Run ``tasks`` against the simulated host ``machine``; return (rc, results)."""
    work = tmp_path / ("run-%d" % len(list(tmp_path.glob("run-*"))))
    work.mkdir()
    # The double collection must come before the real ansible.windows and mapi.messaging.
    return runner.run_playbook(work, tasks, check=check, diff=diff, collections=(DOUBLES, runner.COLLECTIONS), extra_args=[
        "-e", "ansible_shell_type=mapi_testdouble.windows_host.simulated",
        "-e", "simulated_windows_root=%s" % machine["root"], "-e", "ansible_pipelining=true"])


def on_disk(machine, windows_path):
    return pathlib.Path(host.Machine(machine["root"]).host_path(windows_path))


def snapshot(root):
    """Every file under the machine (registry included) with its bytes."""
    return {str(path.relative_to(root)): path.read_bytes()
            for path in sorted(pathlib.Path(root).rglob("*")) if path.is_file() and path.name != "registry.lock"}


def registry(machine):
    return json.loads((pathlib.Path(machine["root"]) / "registry.json").read_text())


# A valid call of every double, and the same call with an option the real module lacks.
VALID_CALLS = {
    "ansible.windows.win_reg_stat": {"path": "HKLM:\\SOFTWARE"},
    "ansible.windows.win_regedit": {"path": "HKLM:\\SOFTWARE\\Contoso"},
    "ansible.windows.win_stat": {"path": "C:\\Windows"},
    "ansible.windows.win_file": {"path": "C:\\Windows", "state": "directory"},
    "ansible.windows.win_find": {"paths": ["C:\\Windows"]},
    "ansible.windows.win_copy": {"content": "x", "dest": "C:\\x.txt"},
    "ansible.windows.win_get_url": {"url": "file:///C:/Windows/System32/MAPI32.DLL", "dest": "C:\\m.dll"},
    "ansible.windows.slurp": {"src": "C:\\Windows\\System32\\MAPI32.DLL"},
    "ansible.windows.win_powershell": {"script": "# mapi.messaging: replace\n", "parameters": {}},
}
# Options that exist in a sibling module but not in the real one named.
FOREIGN_OPTIONS = {
    "ansible.windows.win_reg_stat": "data",        # win_regedit's
    "ansible.windows.win_regedit": "delete_value",
    "ansible.windows.win_stat": "get_md5",         # ansible.builtin.stat's
    "ansible.windows.win_file": "mode",            # ansible.builtin.file's
    "ansible.windows.win_find": "excludes",        # ansible.builtin.find's
    "ansible.windows.win_copy": "checksum",        # ansible.builtin.copy's
    "ansible.windows.win_get_url": "sha256sum",
    "ansible.windows.slurp": "path_type",
    "ansible.windows.win_powershell": "creates_key",
}


def test_every_double_refuses_an_option_the_real_module_lacks(tmp_path, machine):
    tasks = [{name: dict(args, **{FOREIGN_OPTIONS[name]: "x"}), "ignore_errors": True} for name, args in VALID_CALLS.items()]
    rc, results = play(tmp_path, machine, tasks)
    assert len(results) == len(VALID_CALLS)
    for (name, option), result in zip(FOREIGN_OPTIONS.items(), results):
        assert result.get("failed"), name
        assert "Unsupported parameters" in result["msg"] and option in result["msg"], (name, result["msg"])


def test_every_double_accepts_its_real_options_and_aliases(tmp_path, machine):
    (tmp_path / "payload.bin").write_bytes(b"payload\r\n")
    payload = "file://%s" % (tmp_path / "payload.bin")
    rc, results = play(tmp_path, machine, [
        {"ansible.windows.win_reg_stat": {"key": "HKLM:\\SOFTWARE\\Microsoft\\Windows Messaging Subsystem",
                                          "entry": "MAPIX"}},
        {"ansible.windows.win_regedit": {"key": "HKLM:\\SOFTWARE\\Contoso", "entry": "Level", "data": "0x10",
                                         "datatype": "dword", "state": "present"}},
        {"ansible.windows.win_reg_stat": {"path": "HKLM:\\SOFTWARE\\Contoso", "name": "Level"}},
        {"ansible.windows.win_stat": {"dest": MAPISVC, "get_checksum": True, "checksum_algorithm": "sha256",
                                      "get_size": True, "follow": False}},
        {"ansible.windows.win_file": {"name": "C:\\Program Files\\Contoso\\x64", "state": "directory"}},
        {"ansible.windows.win_get_url": {"url": payload, "dest": "C:\\Program Files\\Contoso\\x64\\payload.bin",
                                         "checksum": hashlib.sha1(b"payload\r\n").hexdigest(), "force": False,
                                         "url_timeout": 5, "validate_certs": True}},
        {"ansible.windows.win_find": {"paths": ["C:\\PROGRAM FILES"], "regexp": ["^mapisvc\\.inf$"], "use_regex": True,
                                      "recurse": True, "file_type": "file", "get_checksum": False}},
        {"ansible.windows.slurp": {"path": "%CommonProgramFiles%\\System\\MSMAPI\\1033\\mapisvc.inf"}},
        {"ansible.windows.win_powershell": {"script": "# mapi.messaging: nothing_like_this\n", "depth": 3},
         "ignore_errors": True},
    ])
    assert len(results) == 9, results[-1]
    reg_stat, regedit, level, stat, folder, download, find, slurp, powershell = results
    assert reg_stat["exists"] and reg_stat["type"] == "REG_SZ" and reg_stat["value"] == "1"
    assert regedit["changed"] and level["type"] == "REG_DWORD" and level["value"] == 16
    assert stat["stat"]["checksum"] == hashlib.sha256(DEMO_MAPISVC.read_bytes()).hexdigest()
    assert stat["stat"]["size"] == DEMO_MAPISVC.stat().st_size and stat["stat"]["isreg"]
    assert folder["changed"] and on_disk(machine, "C:\\Program Files\\Contoso\\x64").is_dir()
    assert download["changed"] and on_disk(machine, "C:\\Program Files\\Contoso\\x64\\payload.bin").read_bytes() == b"payload\r\n"
    assert find["matched"] == 1 and find["files"][0]["path"] == MAPISVC
    assert base64.b64decode(slurp["content"]) == DEMO_MAPISVC.read_bytes()
    assert powershell["failed"] and "contract_nothing_like_this.py" in powershell["msg"]


def test_a_script_without_a_contract_fails_clearly(tmp_path, machine):
    rc, results = play(tmp_path, machine, [
        {"ansible.windows.win_powershell": {"script": "Get-ChildItem C:\\"}, "ignore_errors": True}])
    assert results[0]["failed"] and "is not simulated" in results[0]["msg"]


CHANGING_TASKS = [
    {"ansible.windows.win_regedit": {"path": "HKLM:\\SOFTWARE\\Contoso", "name": "Level", "data": 3, "type": "dword"}},
    {"ansible.windows.win_regedit": {"path": "HKLM:\\SOFTWARE\\Microsoft\\Windows Messaging Subsystem",
                                     "name": "MAPIX", "state": "absent"}},
    {"ansible.windows.win_regedit": {"path": "HKCU:\\Software\\Microsoft\\Office", "state": "absent"}},
    {"ansible.windows.win_file": {"path": "C:\\Program Files\\Contoso", "state": "directory"}},
    {"ansible.windows.win_file": {"path": MAPISVC, "state": "absent"}},
    {"ansible.windows.win_copy": {"content": "[Contoso]\r\n", "dest": "C:\\Windows\\contoso.ini"}},
    {"ansible.windows.win_get_url": {"url": "file:///C:/Windows/System32/MAPI32.DLL", "dest": "C:\\Windows\\m.dll"}},
]


def test_check_mode_reports_changes_and_changes_nothing(tmp_path, machine):
    before = snapshot(machine["root"])
    rc, results = play(tmp_path, machine, CHANGING_TASKS, check=True)
    assert rc == 0
    assert [result["changed"] for result in results] == [True] * len(CHANGING_TASKS)
    assert snapshot(machine["root"]) == before
    # The same tasks for real do change the machine, so the comparison above can fail.
    play(tmp_path, machine, CHANGING_TASKS)
    assert snapshot(machine["root"]) != before


def test_regedit_diff_mode_shows_before_and_after(tmp_path, machine):
    rc, results = play(tmp_path, machine, [{"ansible.windows.win_regedit": {
        "path": "HKLM:\\SOFTWARE\\Microsoft\\Windows Messaging Subsystem", "name": "MAPIX", "data": "0"}}],
        diff=True)
    diff = results[0]["diff"]
    key = "HKLM:\\SOFTWARE\\Microsoft\\Windows Messaging Subsystem"
    assert diff["before"][key]["MAPIX"] == {"type": "String", "value": "1"}
    assert diff["after"][key]["MAPIX"] == {"type": "String", "value": "0"}


def test_win_copy_sends_nothing_when_the_checksum_matches(tmp_path, machine):
    files = tmp_path / "files"
    files.mkdir()
    (files / "contoso32.dll").write_bytes(b"MZ contoso")
    task = {"ansible.windows.win_file": {"path": "C:\\Program Files\\Contoso", "state": "directory"}}
    copy = {"ansible.windows.win_copy": {"src": str(files / "contoso32.dll"),
                                         "dest": "C:\\Program Files\\Contoso\\contoso32.dll"}}
    rc, first = play(tmp_path, machine, [task, copy])
    dll = on_disk(machine, "C:\\Program Files\\Contoso\\contoso32.dll")
    written = dll.stat()
    assert first[1]["changed"] and dll.read_bytes() == b"MZ contoso"
    rc, second = play(tmp_path, machine, [copy])
    assert not second[0]["changed"]
    assert (dll.stat().st_ino, dll.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    # A different source is sent.
    (files / "contoso32.dll").write_bytes(b"MZ contoso 2")
    rc, third = play(tmp_path, machine, [copy])
    assert third[0]["changed"] and dll.read_bytes() == b"MZ contoso 2"


def test_win_copy_like_the_real_one_needs_the_destination_folder(tmp_path, machine):
    rc, results = play(tmp_path, machine, [{"ansible.windows.win_copy": {
        "content": "x", "dest": "C:\\Program Files\\Nowhere\\x.txt"}, "ignore_errors": True}])
    assert results[0]["failed"] and "Destination directory" in results[0]["msg"]


def test_regedit_loads_an_unloaded_users_hive_at_hklm_ansible(tmp_path, machine):
    bob, alice = machine["users"][1], machine["users"][0]
    hive_file = on_disk(machine, bob["hive"])
    task = {"ansible.windows.win_regedit": {
        "path": "HKLM:\\ANSIBLE\\Software\\Microsoft\\Office\\16.0\\Outlook\\Setup", "name": "ImportPRF",
        "data": "C:\\Program Files\\Contoso\\contoso.prf", "hive": bob["hive"]}}
    before = hive_file.read_bytes()
    rc, results = play(tmp_path, machine, [task], check=True)
    assert results[0]["changed"] and hive_file.read_bytes() == before
    rc, results = play(tmp_path, machine, [task, task])
    assert [result["changed"] for result in results] == [True, False]
    setup = json.loads(hive_file.read_text())["keys"]["Software"]["keys"]["Microsoft"]["keys"]["Office"]["keys"]["16.0"]["keys"]["Outlook"]["keys"]["Setup"]
    assert setup["values"]["ImportPRF"] == {"type": "string", "data": "C:\\Program Files\\Contoso\\contoso.prf"}
    assert "ANSIBLE" not in registry(machine)["keys"]["HKEY_LOCAL_MACHINE"]["keys"]
    # A logged-on user's hive is in use, as on Windows.
    rc, results = play(tmp_path, machine, [dict(task, **{"ansible.windows.win_regedit": dict(
        task["ansible.windows.win_regedit"], hive=alice["hive"])}, ignore_errors=True)])
    assert results[0]["failed"] and "Win32ErrorCode 32" in results[0]["msg"]


def test_hkcu_is_the_current_users_loaded_hive(tmp_path, machine):
    rc, results = play(tmp_path, machine, [
        {"ansible.windows.win_reg_stat": {"path": "HKCU:\\Software\\Microsoft\\Office\\16.0\\Outlook", "name": "DefaultProfile"}},
        {"ansible.windows.win_reg_stat": {"path": "HKU:\\%s\\software\\MICROSOFT\\office\\16.0\\Outlook\\Profiles" % machine["users"][0]["sid"]}},
    ])
    assert results[0]["value"] == "Outlook"
    assert results[1]["exists"] and results[1]["sub_keys"] == ["Outlook"]


MAPISVC_TASK = {"mapi.messaging.mapisvc": {
    "path": MAPISVC, "service": "CONTOSO", "display_name": "Contoso Connector", "backup": True,
    "properties": {"PR_SERVICE_DLL_NAME": "C:\\Program Files\\Contoso\\contoso.dll"},
    "providers": [{"name": "CONTOSO_AB", "properties": {
        "PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER", "PR_PROVIDER_DLL_NAME": "C:\\Program Files\\Contoso\\contoso.dll"}}],
}}


def test_mapisvc_edits_the_simulated_mapisvc_inf_through_the_replace_contract(tmp_path, machine):
    inf = on_disk(machine, MAPISVC)
    original = inf.read_bytes()
    rc, results = play(tmp_path, machine, [MAPISVC_TASK], check=True)
    assert results[0]["changed"] and inf.read_bytes() == original
    rc, results = play(tmp_path, machine, [MAPISVC_TASK, MAPISVC_TASK])
    assert rc == 0 and [result["changed"] for result in results] == [True, False]
    text = inf.read_bytes()
    assert b"CONTOSO=Contoso Connector" in text and b"[CONTOSO_AB]" in text
    # Other vendors' lines are all still there, in order (only lines were added).
    kept = iter(text.splitlines())
    assert all(line in kept for line in original.splitlines())
    # The backup keeps the original bytes under the name REPLACE_SCRIPT gives it.
    backup = results[0]["backup_file"]
    assert backup.startswith(MAPISVC + ".") and backup.endswith("~")
    assert on_disk(machine, backup).read_bytes() == original
    leftovers = [name for name in os.listdir(inf.parent) if name.endswith(".tmp")]
    assert leftovers == []


def test_replace_contract_refuses_a_file_that_changed_since_it_was_read(tmp_path, machine):
    inf = on_disk(machine, MAPISVC)
    original = inf.read_bytes()
    task = {"ansible.windows.win_powershell": {
        "script": "# mapi.messaging: replace\nparam ($Path, $Content, $ExpectedSha1, $Backup, $MaxBytes)\n",
        "parameters": {"Path": MAPISVC, "Content": base64.b64encode(b"new").decode(),
                       "ExpectedSha1": hashlib.sha1(b"something else").hexdigest(), "Backup": False,
                       "MaxBytes": 1 << 26}}}
    rc, results = play(tmp_path, machine, [task])
    assert results[0]["result"] == {"conflict": True, "sha1": hashlib.sha1(original).hexdigest(), "backup_file": None}
    assert not results[0]["changed"] and inf.read_bytes() == original


def test_machine_builder_places_mapisvc_where_each_office_keeps_it(tmp_path):
    expected = {
        "msi64": "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF",
        "msi32": "C:\\Program Files (x86)\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF",
        "c2r64": "C:\\Program Files\\Microsoft Office\\root\\VFS\\ProgramFilesCommonX64\\System\\MSMAPI\\1033\\MAPISVC.INF",
        "c2r32": "C:\\Program Files (x86)\\Microsoft Office\\root\\VFS\\ProgramFilesCommonX86\\System\\MSMAPI\\1033\\MAPISVC.INF",
    }
    for office, path in expected.items():
        built = builder.make_machine(tmp_path / office, office=office, mapisvc=str(DEMO_MAPISVC))
        assert built["mapisvc"] == path
        assert on_disk(built, path).read_bytes() == DEMO_MAPISVC.read_bytes()
    wow = registry({"root": str(tmp_path / "msi32")})["keys"]["HKEY_LOCAL_MACHINE"]["keys"]["SOFTWARE"]["keys"]["WOW6432Node"]
    assert wow["keys"]["Microsoft"]["keys"]["Windows Messaging Subsystem"]["values"]["MAPIX"]["data"] == "1"
    nomapi = builder.make_machine(tmp_path / "nomapi", office="msi64", mapi=False)
    assert "Windows Messaging Subsystem" not in registry(nomapi)["keys"]["HKEY_LOCAL_MACHINE"]["keys"]["SOFTWARE"]["keys"]["Microsoft"]["keys"]
    with pytest.raises(builder.MachineError):
        builder.make_machine(tmp_path / "msi64", office="msi64")  # not empty, no force


def test_windows_paths_resolve_case_insensitively_like_ntfs(tmp_path):
    built = builder.make_machine(tmp_path / "m", office="msi64")
    simulated = host.Machine(built["root"])
    real = simulated.host_path("C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MSMAPI32.DLL")
    assert simulated.host_path("c:/PROGRAM FILES/common files/system/msmapi/1033/msmapi32.dll") == real
    assert simulated.host_path(simulated.expand("%CommonProgramFiles%\\System\\MSMAPI\\1033\\msmapi32.dll")) == real
    assert simulated.windows_path(real) == "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MSMAPI32.DLL"
    with pytest.raises(host.SimulationError):
        simulated.host_path("\\\\server\\share\\x")


def test_mapisvc_keeps_mapisvc_inf_when_replacefile_fails_and_retries_a_sharing_violation(tmp_path, machine):
    inf = on_disk(machine, MAPISVC)
    original = inf.read_bytes()
    faults = pathlib.Path(machine["root"]) / "faults.json"
    faults.write_text(json.dumps({"File.Replace": [1177]}))
    rc, results = play(tmp_path, machine, [dict(MAPISVC_TASK, ignore_errors=True)])
    assert results[0]["failed"] and "Win32 error 1177" in results[0]["msg"]
    assert "the file is unchanged" in results[0]["msg"]
    assert inf.read_bytes() == original and sorted(os.listdir(inf.parent)) == ["MAPISVC.INF", "MSMAPI32.DLL"]
    # An antivirus holding the new file twice: retried, then written.
    faults.write_text(json.dumps({"File.Replace": [32, 32]}))
    rc, results = play(tmp_path, machine, [MAPISVC_TASK])
    assert rc == 0 and results[0]["changed"] and b"CONTOSO=Contoso Connector" in inf.read_bytes()
    assert json.loads(faults.read_text()) == {"File.Replace": []}
