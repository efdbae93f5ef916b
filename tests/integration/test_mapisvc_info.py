# -*- coding: utf-8 -*-
"""mapi.messaging.mapisvc_info through ansible-playbook on localhost (the POSIX path).

Every test reads real files with real playbooks and checks what the task returned against
the files on disk, which must be left exactly as they were.
"""

import importlib.util
import json
import pathlib
import subprocess
import sys

import pytest
import yaml

import playbook_run
from playbook_run import run_playbook

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "demo" / "MAPISVC.INF"
FILES = pathlib.Path(__file__).resolve().parent / "files"
UTF8_BOM = b"\xef\xbb\xbf"
DOUBLES = playbook_run.ROOT / "tests" / "windows_double"


def info(path, **extra):
    args = {"path": path if isinstance(path, list) else str(path)}
    if isinstance(path, list):
        args["path"] = [str(item) for item in path]
    args.update(extra)
    return {"name": "mapisvc_info", "mapi.messaging.mapisvc_info": args, "register": "info"}


def write(tmp_path, name, data):
    target = tmp_path / name
    target.write_bytes(data)
    return target


def test_single_path_reports_the_demo_sample_without_findings(tmp_path):
    inf = write(tmp_path, "MAPISVC.INF", SAMPLE.read_bytes())
    rc, results = run_playbook(tmp_path, [info(inf)])
    assert rc == 0
    result = results[0]
    assert result["changed"] is False
    [report] = result["files"]
    assert report["path"] == str(inf) and report["exists"] is True and report["encoding"] == "cp1252"
    assert report["findings"] == [] and result["findings_count"] == {"error": 0, "warning": 0}
    names = [s["name"] for s in report["services"]]
    assert names == ["MSEMS", "MSPST MS", "FABRIKAM"]
    assert result["services"] == sorted(names, key=str.upper)
    pst = report["services"][1]
    assert pst["display_name"] == "Personal Folders File (.pst)" and pst["default"] is True
    assert pst["providers"][0]["properties"]["PR_MDB_PROVIDER"] == "4e495441f9bfb80100aa0037d96e0000"
    fabrikam = report["services"][2]
    # "PR_SERVICE_ENTRY_NAME = ServiceEntry" in the file: blanks around '=' are trimmed.
    assert fabrikam["properties"]["PR_SERVICE_ENTRY_NAME"] == "ServiceEntry"
    assert inf.read_bytes() == SAMPLE.read_bytes()


def test_list_of_paths_with_a_missing_one_in_one_task(tmp_path):
    sample = write(tmp_path, "a.inf", SAMPLE.read_bytes())
    fragment = write(tmp_path, "b.inf", (FILES / "tailspin-mapisvc.inf").read_bytes())
    missing = tmp_path / "nowhere" / "MAPISVC.INF"
    rc, results = run_playbook(tmp_path, [info([sample, missing, fragment])])
    assert rc == 0
    files = results[0]["files"]
    assert [item["path"] for item in files] == [str(sample), str(missing), str(fragment)]
    assert [item["exists"] for item in files] == [True, False, True]
    assert files[1] == {"path": str(missing), "exists": False, "encoding": None, "services": [], "findings": []}
    assert [s["name"] for s in files[2]["services"]] == ["TAILSPIN"]
    assert results[0]["services"] == ["FABRIKAM", "MSEMS", "MSPST MS", "TAILSPIN"]


def test_directory_fails_with_a_clear_message(tmp_path):
    rc, results = run_playbook(tmp_path, [info(tmp_path)])
    assert rc != 0
    assert results[0]["failed"] is True
    assert results[0]["msg"].startswith("path: %s is a directory; give the full path of the MAPISVC.INF file"
                                        % tmp_path)


def test_check_mode_reports_the_same_and_changes_nothing(tmp_path):
    data = SAMPLE.read_bytes().replace(b"Providers=MSPST MSP", b"Providers=MSPST MSP, GONE")
    inf = write(tmp_path, "MAPISVC.INF", data)
    rc, normal = run_playbook(tmp_path, [info(inf)])
    rc_check, checked = run_playbook(tmp_path, [info(inf)], check=True)
    assert rc == rc_check == 0
    assert checked[0]["changed"] is False
    assert checked[0]["files"] == normal[0]["files"]
    [finding] = checked[0]["files"][0]["findings"]
    assert (finding["code"], finding["service"], finding["key"]) == ("missing-section", "MSPST MS", "Providers")
    assert inf.read_bytes() == data


def test_utf8_bom_file_is_reported_not_refused(tmp_path):
    # The same file mapisvc refuses to edit: mapisvc_info reads it the way Windows does.
    data = UTF8_BOM + (FILES / "tailspin-mapisvc.inf").read_bytes().split(b"\n", 1)[1]
    assert data.startswith(UTF8_BOM + b"[Services]")
    inf = write(tmp_path, "MAPISVC.INF", data)
    rc, results = run_playbook(tmp_path, [info(inf)])
    assert rc == 0
    report = results[0]["files"][0]
    assert report["services"] == []
    codes = [(f["severity"], f["code"], f["section"]) for f in report["findings"]]
    assert codes == [("error", "utf8-bom", "Services"), ("warning", "section-without-service", "TAILSPIN")]
    assert results[0]["findings_count"] == {"error": 1, "warning": 1}
    rc, refused = run_playbook(tmp_path, [{"mapi.messaging.mapisvc": {
        "path": str(inf), "service": "X", "display_name": "X", "state": "absent"}}])
    assert rc != 0 and "UTF-8 byte order mark" in refused[0]["msg"]


def test_duplicate_sections_and_keys_name_the_invisible_lines(tmp_path):
    text = SAMPLE.read_bytes().decode("cp1252") + (
        "\r\n[MSPST MSP]\r\nPR_PROVIDER_DLL_NAME=other.dll\r\n"
        "\r\n[services]\r\nGHOST=Ghost\r\n")
    text = text.replace("PR_SERVICE_ENTRY_NAME=EMSCfg", "PR_SERVICE_ENTRY_NAME=EMSCfg\r\npr_service_entry_name=Other")
    inf = write(tmp_path, "MAPISVC.INF", text.encode("cp1252"))
    rc, results = run_playbook(tmp_path, [info(inf)])
    assert rc == 0
    report = results[0]["files"][0]
    lines = text.split("\r\n")
    found = [(f["code"], f["section"], f["key"], f["line"]) for f in report["findings"]]
    assert found == [
        ("duplicate-key", "MSEMS", "PR_SERVICE_ENTRY_NAME", lines.index("pr_service_entry_name=Other") + 1),
        ("duplicate-section", "MSPST MSP", None, len(lines) - lines[::-1].index("[MSPST MSP]")),
        ("duplicate-section", "Services", None, lines.index("[services]") + 1),
    ]
    # What MAPI reads: the first copies.
    assert "GHOST" not in results[0]["services"]
    pst = report["services"][1]
    assert pst["providers"][0]["properties"]["PR_PROVIDER_DLL_NAME"] == "mspst.dll"
    assert report["services"][0]["properties"]["PR_SERVICE_ENTRY_NAME"] == "EMSCfg"


def test_a_service_mapisvc_registered_is_reported_back(tmp_path):
    inf = write(tmp_path, "MAPISVC.INF", SAMPLE.read_bytes())
    register = {"mapi.messaging.mapisvc": {
        "path": str(inf), "src": "tailspin-mapisvc.inf"}}
    rc, results = run_playbook(tmp_path, [register, info(inf)], files_dir=FILES)
    assert rc == 0 and results[0]["changed"] is True
    report = results[1]["files"][0]
    assert report["findings"] == []
    [tailspin] = [s for s in report["services"] if s["name"] == "TAILSPIN"]
    assert tailspin["default"] is True and tailspin["display_name"] == "Tailspin Directory"
    assert tailspin["providers"] == [{"name": "TAILSPIN_AB", "exists": True, "properties": {
        "PR_PROVIDER_DLL_NAME": "tailab.dll", "PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER",
        "PR_PROVIDER_DISPLAY": "Tailspin Directory",
        "6600001e": "C:\\ProgramData\\Tailspin\\directory.tab", "66040003": "0C000000"}}]
    assert tailspin["sections"] == [{"name": "TAILSPIN_Profile", "exists": True,
                                     "properties": {"UID": "5D8AB3D0E1F211D1A5B800A0C90F4E0B"}}]


# -- the simulated Windows host (tests/windows_double) ---------------------------------------
OFFICE_MAPISVC = "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF"
SYSTEM_MAPISVC = "C:\\Windows\\System32\\MAPISVC.INF"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def windows(tmp_path):
    """A simulated 64-bit MSI Office machine with the demo MAPISVC.INF, and a second copy with
    a UTF-8 byte order mark in System32; returns (machine root, host path of a Windows path)."""
    if not (DOUBLES / "make_machine.py").is_file():
        pytest.skip("the simulated Windows host (tests/windows_double) is not there")
    builder = _load("info_make_machine", DOUBLES / "make_machine.py")
    host = _load("info_double_host", DOUBLES / "ansible_collections" / "ansible" / "windows" / "plugins"
                 / "module_utils" / "_double_host.py")
    built = builder.make_machine(tmp_path / "machine", office="msi64", mapisvc=str(SAMPLE))
    machine = host.Machine(built["root"])
    system_copy = pathlib.Path(machine.host_path(SYSTEM_MAPISVC))
    system_copy.parent.mkdir(parents=True, exist_ok=True)
    system_copy.write_bytes(UTF8_BOM + (FILES / "tailspin-mapisvc.inf").read_bytes().split(b"\n", 1)[1])
    return built["root"], machine.host_path


def run_on_windows(tmp_path, root, tasks, check=False):
    """ansible-playbook -vvv against the simulated host: (rc, task results, module files used).

    Verbose output names every module file executed ("Using module file ..."), which counts
    the module executions on the target; the JSON report follows it on stdout."""
    work = tmp_path / "run"
    work.mkdir(exist_ok=True)
    (work / "playbook.yml").write_text(yaml.safe_dump(
        [{"hosts": "winws01", "gather_facts": False, "tasks": tasks}], sort_keys=False))
    (work / "inventory.ini").write_text(
        "winws01 ansible_connection=local ansible_python_interpreter=%s ansible_pipelining=true "
        "ansible_shell_type=mapi_testdouble.windows_host.simulated simulated_windows_root=%s\n"
        % (sys.executable, root))
    env = playbook_run.playbook_env(work, collections=(DOUBLES, playbook_run.COLLECTIONS))
    command = [str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "-vvv", "-i", "inventory.ini",
               "playbook.yml"] + (["--check"] if check else [])
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=str(work), check=False)
    lines = proc.stdout.splitlines()
    start = lines.index("{")
    report = json.loads("\n".join(lines[start:]))
    modules = [line.rsplit("/", 1)[-1] for line in lines[:start] if line.startswith("Using module file ")]
    results = [task["hosts"]["winws01"] for play in report["plays"] for task in play["tasks"]]
    return proc.returncode, results, modules


@pytest.mark.parametrize("check", [False, True])
def test_simulated_windows_two_paths_in_one_win_powershell_execution(tmp_path, windows, check):
    root, on_disk = windows
    before = {path: pathlib.Path(on_disk(path)).read_bytes() for path in (OFFICE_MAPISVC, SYSTEM_MAPISVC)}
    missing = "C:\\Program Files (x86)\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF"
    rc, results, modules = run_on_windows(
        tmp_path, root, [info([OFFICE_MAPISVC, SYSTEM_MAPISVC, missing])], check=check)
    assert rc == 0, results
    assert modules == ["win_powershell.py"]  # one module execution for all three paths
    result = results[0]
    assert result["changed"] is False
    office, system, absent = result["files"]
    assert [office["path"], system["path"], absent["path"]] == [OFFICE_MAPISVC, SYSTEM_MAPISVC, missing]
    assert office["exists"] and office["findings"] == []
    assert [s["name"] for s in office["services"]] == ["MSEMS", "MSPST MS", "FABRIKAM"]
    assert [(f["severity"], f["code"], f["section"]) for f in system["findings"]] == [
        ("error", "utf8-bom", "Services"), ("warning", "section-without-service", "TAILSPIN")]
    assert absent == {"path": missing, "exists": False, "encoding": None, "services": [], "findings": []}
    assert result["findings_count"] == {"error": 1, "warning": 1}
    assert {path: pathlib.Path(on_disk(path)).read_bytes() for path in before} == before


def test_simulated_windows_single_path_is_one_slurp(tmp_path, windows):
    root, dummy = windows
    rc, results, modules = run_on_windows(tmp_path, root, [info(OFFICE_MAPISVC)])
    assert rc == 0 and modules == ["slurp.py"]
    assert results[0]["services"] == ["FABRIKAM", "MSEMS", "MSPST MS"]


def test_simulated_windows_folder_among_paths_fails_naming_it(tmp_path, windows):
    root, dummy = windows
    folder = "C:\\Windows\\System32"
    rc, results, modules = run_on_windows(tmp_path, root, [info([OFFICE_MAPISVC, folder])])
    assert rc != 0 and modules == ["win_powershell.py"]
    assert results[0]["msg"].startswith("path: %s is a directory" % folder)


def test_simulated_windows_profiles_report_every_users_profiles_in_one_more_read_only_execution(tmp_path):
    if not (DOUBLES / "make_machine.py").is_file():
        pytest.skip("the simulated Windows host (tests/windows_double) is not there")
    builder = _load("info_make_machine_profiles", DOUBLES / "make_machine.py")
    built = builder.make_machine(tmp_path / "machine", office="msi64", mapisvc=str(SAMPLE), users=[
        "alice:with-profile:services=MSEMS+CONTOSO", "bob:with-profile:services=MSEMS:entra:ansi",
        "carol:without-profile", "dave:with-profile:unloaded:services=CONTOSO"])
    registry = pathlib.Path(built["root"]) / "registry.json"
    before = registry.read_bytes()
    rc, results, modules = run_on_windows(tmp_path, built["root"], [info(OFFICE_MAPISVC, profiles=True)], check=True)
    assert rc == 0, results
    assert modules == ["slurp.py", "win_powershell.py"]
    profiles = results[0]["profiles"]
    alice, bob, carol, dave = (user["sid"] for user in built["users"])
    by_sid = {user["sid"]: user for user in profiles["users"]}
    assert sorted(by_sid) == sorted([alice, bob, carol, dave]) and profiles["errors"] == []
    assert by_sid[alice]["default_profile"] == "Outlook"
    assert sorted(by_sid[alice]["default_services"]) == ["CONTOSO", "MSEMS"]
    assert by_sid[bob]["default_services"] == ["MSEMS"] and bob.startswith("S-1-12-1-")
    assert by_sid[carol] == {"sid": carol, "inspected": True, "reason": None, "profiles": [], "default_profile": None,
                             "default_services": []}
    assert by_sid[dave]["inspected"] is False and "not loaded" in by_sid[dave]["reason"]
    assert registry.read_bytes() == before
