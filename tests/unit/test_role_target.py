# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure core of the message_service role (plugins/plugin_utils/target.py): what it
decides for each kind of host, from registry readings shaped like win_reg_stat's results."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from ansible_collections.mapi.messaging.plugins.filter.message_service import (
    message_service_in_use, message_service_plan, message_service_target)
from ansible_collections.mapi.messaging.plugins.plugin_utils import target as core

ROLE = pathlib.Path(__file__).resolve().parents[2] / "roles" / "message_service"
SW = "HKLM:\\SOFTWARE"
WOW = "HKLM:\\SOFTWARE\\WOW6432Node"
CV = SW + "\\Microsoft\\Windows\\CurrentVersion"
NTCV = SW + "\\Microsoft\\Windows NT\\CurrentVersion"
ENV = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment"
C2R = SW + "\\Microsoft\\Office\\ClickToRun\\Configuration"
MESSAGING = "\\Microsoft\\Windows Messaging Subsystem"


def host(windows="x64", office="msi64", mapi=True, lcid="1033", version="16.0"):
    """Registry readings of a host, as a looped win_reg_stat result (missing keys included)."""
    keys = {}
    keys[ENV] = {"PROCESSOR_ARCHITECTURE": "AMD64" if windows == "x64" else "x86"}
    keys[CV] = {"ProgramFilesDir": "C:\\Program Files", "CommonFilesDir": "C:\\Program Files\\Common Files"}
    if windows == "x64":
        keys[CV].update({"ProgramFilesDir (x86)": "C:\\Program Files (x86)",
                         "CommonFilesDir (x86)": "C:\\Program Files (x86)\\Common Files"})
    keys[NTCV] = {"SystemRoot": "C:\\Windows"}
    wow = windows == "x64" and office.endswith("32")
    root = WOW if wow else SW
    if mapi:
        keys[root + MESSAGING] = {"MAPI": "1", "MAPIX": "1", "MAPIXVER": "1.0.0.1"}
    if office.startswith("msi"):
        keys[root + "\\Microsoft\\Office\\%s\\Outlook" % version] = {
            "Bitness": "x64" if office.endswith("64") else "x86"}
    elif office.startswith("c2r"):
        keys[C2R] = {"Platform": "x64" if office.endswith("64") else "x86",
                     "InstallationPath": "C:\\Program Files%s\\Microsoft Office" % (" (x86)" if wow else "")}
    if office != "none" and lcid is not None:
        keys[root + "\\Clients\\Mail\\Microsoft Outlook"] = {"MSIApplicationLCID": lcid}
    results = []
    for path in core.REGISTRY_KEYS:
        values = keys.get(path)
        if values is None:
            results.append({"item": path, "exists": False, "changed": False})
        else:
            results.append({"item": path, "exists": True, "changed": False, "sub_keys": [],
                            "properties": {name: {"value": value, "raw_value": value, "type": "REG_SZ"}
                                           for name, value in values.items()}})
    return {"results": results, "changed": False}


def detected(**kwargs):
    return message_service_target(host(**kwargs))


def test_role_reads_the_keys_the_core_reads():
    listed = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["__message_service_registry_keys"]
    assert tuple(listed) == core.REGISTRY_KEYS


def test_64_bit_msi_outlook_on_64_bit_windows():
    found = detected()
    assert (found["windows_arch"], found["office_install"], found["office_bitness"], found["office_version"]) == \
        ("x64", "msi", "x64", "16.0")
    assert found["mapi_present"] is True
    assert found["program_files"] == "C:\\Program Files"
    assert found["system_dir"] == "C:\\Windows\\System32"
    assert found["registry_software_root"] == SW
    assert found["msmapi_roots"] == [{"path": "C:\\Program Files\\Common Files\\System\\MSMAPI",
                                      "kind": "msi", "verified": True}]
    assert found["search_paths"] == ["C:\\Program Files\\Common Files\\System\\MSMAPI",
                                     "C:\\Windows\\System32\\MAPISVC.INF"]


def test_32_bit_msi_outlook_on_64_bit_windows_uses_the_wow64_side():
    found = detected(office="msi32")
    assert (found["office_bitness"], found["office_install"]) == ("x86", "msi")
    assert found["mapi_present"] is True
    assert found["program_files"] == "C:\\Program Files (x86)"
    assert found["common_files"] == "C:\\Program Files (x86)\\Common Files"
    assert found["system_dir"] == "C:\\Windows\\SysWOW64"
    assert found["registry_software_root"] == WOW
    assert found["msmapi_roots"][0]["path"] == "C:\\Program Files (x86)\\Common Files\\System\\MSMAPI"


def test_32_bit_outlook_on_32_bit_windows():
    found = detected(windows="x86", office="msi32")
    assert (found["windows_arch"], found["office_bitness"]) == ("x86", "x86")
    assert found["system_dir"] == "C:\\Windows\\System32"
    assert found["registry_software_root"] == SW
    assert found["program_files"] == "C:\\Program Files"


@pytest.mark.parametrize("office, vfs, program_files", [
    ("c2r64", "C:\\Program Files\\Microsoft Office\\root\\VFS\\ProgramFilesCommonX64\\System\\MSMAPI",
     "C:\\Program Files"),
    ("c2r32", "C:\\Program Files (x86)\\Microsoft Office\\root\\VFS\\ProgramFilesCommonX86\\System\\MSMAPI",
     "C:\\Program Files (x86)"),
])
def test_click_to_run_searches_the_virtual_file_system_marked_unverified(office, vfs, program_files):
    found = detected(office=office)
    assert found["office_install"] == "c2r"
    assert found["office_bitness"] == ("x64" if office == "c2r64" else "x86")
    assert found["office_version"] == "16.0"
    assert found["msmapi_roots"] == [{"path": vfs, "kind": "c2r", "verified": False}]
    assert found["program_files"] == program_files


def test_older_office_version_is_found_and_can_be_pinned():
    assert detected(version="14.0")["office_version"] == "14.0"
    pinned = message_service_target(host(version="14.0"), office_version="16.0")
    assert pinned["office_bitness"] is None


def test_registry_names_are_case_insensitive():
    readings = host()
    for result in readings["results"]:
        if result.get("properties"):
            result["properties"] = {name.lower(): value for name, value in result["properties"].items()}
        result["item"] = result["item"].upper()
    found = message_service_target(readings)
    assert (found["office_bitness"], found["mapi_present"]) == ("x64", True)


def test_mapi_missing_fails_in_the_plan_with_the_mapix_message():
    found = detected(mapi=False)
    assert found["mapi_present"] is False
    planned = message_service_plan(found, name="CONTOSO", display_name="Contoso Connector")
    assert len(planned["problems"]) == 1
    assert "MAPIX=1 is missing under HKLM:\\SOFTWARE\\Microsoft\\Windows Messaging Subsystem" in planned["problems"][0]
    assert "message_service_messaging_subsystem: true" in planned["problems"][0]
    written = message_service_plan(found, name="CONTOSO", display_name="Contoso Connector",
                                   messaging_subsystem=True)
    assert written["problems"] == []
    assert [(item["path"], item["name"], item["data"]) for item in written["registry"]] == [
        (SW + MESSAGING, name, data) for name, data in core.MESSAGING_SUBSYSTEM_VALUES]


def test_mapi_only_in_the_other_view_is_named_as_a_bitness_mismatch():
    readings = host(office="msi32", mapi=False)
    for result in readings["results"]:
        if result["item"] == SW + MESSAGING:
            result.update(exists=True, properties={"MAPIX": {"value": "1"}})
    planned = message_service_plan(message_service_target(readings), name="C", display_name="C")
    assert "other registry view" in planned["problems"][0]
    assert WOW + MESSAGING in planned["problems"][0]


def test_no_outlook_fails_unless_the_bitness_is_given():
    planned = message_service_plan(detected(office="none"), name="C", display_name="C")
    assert any(problem.startswith("message_service_office_bitness: no Outlook found") for problem in planned["problems"])
    forced = message_service_target(host(office="none"), office_bitness="x64")
    assert message_service_plan(forced, name="C", display_name="C")["problems"] == []


def test_existing_copies_are_all_edited():
    found = message_service_target(
        host(), existing=["C:\\Program Files\\Common Files\\System\\MSMAPI", "C:\\Windows\\System32\\MAPISVC.INF"],
        found=["C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF",
               "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MSMAPI32.DLL",
               "C:\\Program Files\\Common Files\\System\\MSMAPI\\1031\\mapisvc.inf"])
    assert found["mapisvc_paths"] == ["C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF",
                                      "C:\\Program Files\\Common Files\\System\\MSMAPI\\1031\\mapisvc.inf",
                                      "C:\\Windows\\System32\\MAPISVC.INF"]
    assert found["mapisvc_create"] is None
    assert all(not item["create"] for item in found["mapisvc_files"])


def test_no_copy_creates_one_next_to_msmapi32_of_the_detected_lcid():
    found = message_service_target(
        host(lcid="1031"), existing=["C:\\Program Files\\Common Files\\System\\MSMAPI"],
        found=["C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MSMAPI32.DLL",
               "C:\\Program Files\\Common Files\\System\\MSMAPI\\1031\\MSMAPI32.DLL"])
    assert found["mapisvc_paths"] == []
    assert found["mapisvc_create"] == "C:\\Program Files\\Common Files\\System\\MSMAPI\\1031\\MAPISVC.INF"
    assert found["mapisvc_files"] == [{"path": found["mapisvc_create"], "create": True}]


def test_lcid_reference_instead_of_number_falls_back_to_the_folders_found():
    readings = host(lcid=None)
    for result in readings["results"]:
        if result["item"] == SW + "\\Clients\\Mail\\Microsoft Outlook":
            result.update(exists=True, properties={"MSIApplicationLCID": {
                "value": ["Software\\Microsoft\\Office\\16.0\\Outlook", "LastUILanguage"]}})
    found = message_service_target(readings, existing=["x"], found=[
        "C:\\Program Files\\Common Files\\System\\MSMAPI\\2057\\MSMAPI32.DLL"])
    assert found["lcid"] is None
    assert found["mapisvc_create"] == "C:\\Program Files\\Common Files\\System\\MSMAPI\\2057\\MAPISVC.INF"


def test_no_copy_and_no_msmapi_folder_creates_in_the_system_directory_of_outlooks_bitness():
    found = message_service_target(host(office="msi32"), existing=[], found=[])
    assert found["mapisvc_create"] == "C:\\Windows\\SysWOW64\\MAPISVC.INF"


def test_override_paths_replace_detection_and_are_created_if_missing():
    paths = ["D:\\Image\\MAPISVC.INF", "d:\\image\\mapisvc.inf", "E:\\Other\\MAPISVC.INF"]
    found = message_service_target(host(), existing=["C:\\Windows\\System32\\MAPISVC.INF"], mapisvc_paths=paths)
    assert found["mapisvc_paths"] == ["D:\\Image\\MAPISVC.INF", "E:\\Other\\MAPISVC.INF"]
    assert [item["create"] for item in found["mapisvc_files"]] == [True, True]


CONTOSO_FILES = [
    {"src": "files/x64/contoso32.dll", "arch": "x64"},
    {"src": "files/x64/contosoui32.dll", "arch": "x64"},
    {"src": "files/x86/contoso32.dll", "arch": "x86"},
    {"src": "files/x86/contosoui32.dll", "arch": "x86"},
    {"src": "files/contoso.chm"},
]


def contoso(found, **kwargs):
    args = dict(name="CONTOSO", display_name="Contoso Connector", files=CONTOSO_FILES,
                properties={"PR_SERVICE_DLL_NAME": "contoso.dll", "PR_SERVICE_ENTRY_NAME": "ServiceEntry"},
                providers=[{"name": "CONTOSO_AB",
                            "properties": {"PR_PROVIDER_DLL_NAME": "contoso.dll", "PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER"}}])
    args.update(kwargs)
    return message_service_plan(found, **args)


def test_dll_set_follows_outlooks_bitness_and_names_are_registered_without_32():
    planned = contoso(detected())
    assert planned["problems"] == []
    assert planned["install_dir"] == "C:\\Program Files\\CONTOSO"
    assert [(item["src"], item["dest"]) for item in planned["files"]] == [
        ("files/x64/contoso32.dll", "C:\\Program Files\\CONTOSO\\contoso32.dll"),
        ("files/x64/contosoui32.dll", "C:\\Program Files\\CONTOSO\\contosoui32.dll"),
        ("files/contoso.chm", "C:\\Program Files\\CONTOSO\\contoso.chm")]
    assert planned["properties"]["PR_SERVICE_DLL_NAME"] == "C:\\Program Files\\CONTOSO\\contoso.dll"
    assert planned["providers"][0]["properties"]["PR_PROVIDER_DLL_NAME"] == "C:\\Program Files\\CONTOSO\\contoso.dll"
    assert planned["properties"]["PR_SERVICE_SUPPORT_FILES"] == [
        "C:\\Program Files\\CONTOSO\\contoso.dll", "C:\\Program Files\\CONTOSO\\contosoui.dll",
        "C:\\Program Files\\CONTOSO\\contoso.chm"]
    assert planned["properties"]["PR_SERVICE_DELETE_FILES"] == planned["properties"]["PR_SERVICE_SUPPORT_FILES"]


def test_32_bit_outlook_on_64_bit_windows_gets_the_x86_files_in_program_files_x86():
    planned = contoso(detected(office="msi32"))
    assert planned["problems"] == []
    assert [item["src"] for item in planned["files"]] == [
        "files/x86/contoso32.dll", "files/x86/contosoui32.dll", "files/contoso.chm"]
    assert planned["properties"]["PR_SERVICE_DLL_NAME"] == "C:\\Program Files (x86)\\CONTOSO\\contoso.dll"


def test_support_and_delete_files_given_by_the_user_are_kept():
    planned = contoso(detected(), properties={"PR_SERVICE_DLL_NAME": "contoso.dll",
                                              "pr_service_support_files": ["contoso.dll"],
                                              "3D10101E": ["contoso.dll"]})
    assert planned["properties"]["pr_service_support_files"] == ["contoso.dll"]
    assert "PR_SERVICE_SUPPORT_FILES" not in planned["properties"]
    assert "PR_SERVICE_DELETE_FILES" not in planned["properties"]


@pytest.mark.parametrize("value, expected", [
    ("contoso32.dll", "message_service_properties.PR_SERVICE_DLL_NAME: 'contoso32.dll' carries the 32 suffix "
                      "MAPI adds itself; write contoso.dll"),
    ("fabrikam.dll", "message_service_properties.PR_SERVICE_DLL_NAME: 'fabrikam.dll' is not among "
                     "message_service_files (for this host's Outlook bitness); add the file (installed as "
                     "fabrikam32.dll) or give a full path"),
])
def test_dll_names_must_match_the_installed_files(value, expected):
    planned = contoso(detected(), properties={"PR_SERVICE_DLL_NAME": value})
    assert planned["problems"] == [expected]


def test_full_dll_paths_are_written_as_given():
    path = "C:\\Vendor\\contoso.dll"
    planned = contoso(detected(), properties={"PR_SERVICE_DLL_NAME": path})
    assert planned["problems"] == []
    assert planned["properties"]["PR_SERVICE_DLL_NAME"] == path


def test_installed_dll_without_32_is_refused_because_mapi_would_load_another_name():
    planned = contoso(detected(), files=[{"src": "files/contoso.dll"}], providers=None)
    assert planned["problems"] == [
        "message_service_properties.PR_SERVICE_DLL_NAME: 'contoso.dll' is installed as contoso.dll, but MAPI "
        "loads contoso32.dll; name the installed file contoso32.dll (message_service_files[0].name)"]
    renamed = contoso(detected(), files=[{"src": "files/contoso.dll", "name": "contoso32.dll"}])
    assert renamed["problems"] == []
    assert renamed["files"][0]["dest"] == "C:\\Program Files\\CONTOSO\\contoso32.dll"


def test_install_dir_with_a_period_is_refused_for_dll_paths():
    planned = contoso(detected(), install_dir="C:\\Program Files\\Contoso 2.0")
    assert any(problem.startswith("message_service_install_dir: 'C:\\Program Files\\Contoso 2.0' has a period")
               for problem in planned["problems"])


def test_files_for_another_bitness_only_are_refused():
    planned = contoso(detected(office="msi32"), files=[{"src": "files/x64/contoso32.dll", "arch": "x64"}])
    assert "message_service_files: Outlook on this host is x86 but no file has arch: x86 (only x64); " \
           "add the x86 build of the files" in planned["problems"]


@pytest.mark.parametrize("item, expected", [
    ({"src": "a32.dll", "url": "https://x/a32.dll"}, "message_service_files[0]: give exactly one of src"),
    ({"url": "https://example.com/dl/a32.dll?sig=1"}, "message_service_files[0]: url needs checksum"),
])
def test_bad_file_items(item, expected):
    planned = contoso(detected(), files=[item], properties={}, providers=None)
    assert len(planned["problems"]) == 1 and planned["problems"][0].startswith(expected)


def test_url_name_comes_from_the_path_not_the_query():
    planned = contoso(detected(), properties={}, providers=None, files=[
        {"url": "https://example.com/dl/contoso32.dll?sig=1", "checksum": "ab" * 32}])
    assert planned["files"][0]["name"] == "contoso32.dll"
    assert planned["files"][0]["checksum_algorithm"] == "sha256"


def test_two_files_with_one_name_are_refused():
    planned = contoso(detected(), properties={}, providers=None, files=[
        {"src": "a/contoso32.dll"}, {"src": "b/CONTOSO32.DLL"}])
    assert planned["problems"] == ["message_service_files[1].name: CONTOSO32.DLL is installed twice (also by "
                                   "message_service_files[0]); give each file its own name"]


def test_present_needs_a_display_name_and_every_problem_is_reported_at_once():
    planned = message_service_plan(detected(mapi=False), files=[{"url": "https://x/a32.dll"}],
                                   registry=[{"path": "SOFTWARE\\Contoso", "name": "x", "data": 1}])
    fields = [problem.split(":", 1)[0] for problem in planned["problems"]]
    assert fields == ["message_service_name", "message_service_display_name", "MAPI",
                      "message_service_files[0]", "message_service_registry[0].path"]


def test_registry_items_follow_outlooks_view_unless_told_otherwise():
    items = [{"path": "HKLM:\\SOFTWARE\\Contoso", "name": "Server", "data": "mail.contoso.com"},
             {"path": "HKLM:\\Software\\Contoso", "name": "Native", "data": 1, "type": "dword", "view": "64-bit"},
             {"path": "HKLM:\\SOFTWARE\\Contoso", "name": "Forced32", "data": "x", "view": "32-bit"},
             {"path": "HKLM:\\SOFTWARE\\WOW6432Node\\Contoso", "name": "Already", "data": "x"},
             {"path": "HKLM:\\SOFTWARE\\Contoso\\Old", "state": "absent"}]
    on_wow = contoso(detected(office="msi32"), registry=items)["registry"]
    assert [item["path"] for item in on_wow] == [
        WOW + "\\Contoso", "HKLM:\\Software\\Contoso", WOW + "\\Contoso", WOW + "\\Contoso",
        WOW + "\\Contoso\\Old"]
    assert on_wow[1]["type"] == "dword" and on_wow[0]["type"] == "string"
    assert on_wow[4]["state"] == "absent" and on_wow[0]["state"] == "present"
    native = contoso(detected(), registry=items)["registry"]
    assert [item["path"] for item in native][:3] == [SW + "\\Contoso", "HKLM:\\Software\\Contoso", WOW + "\\Contoso"]
    on_32_bit_windows = contoso(detected(windows="x86", office="msi32"), registry=items)["registry"]
    assert on_32_bit_windows[2]["path"] == SW + "\\Contoso"


def test_registry_value_without_data_is_refused():
    planned = contoso(detected(), registry=[{"path": "HKLM:\\SOFTWARE\\Contoso", "name": "Server"}])
    assert planned["problems"] == ["message_service_registry[0].data: required when name is given and state is present"]


def test_removal_deletes_files_and_delete_files_and_every_registry_item_but_not_mapi_values():
    planned = contoso(detected(), state="absent", display_name=None, messaging_subsystem=True,
                      properties={"PR_SERVICE_DELETE_FILES": ["contoso.dll", "contoso.log",
                                                              "c:\\program files\\contoso\\contoso.txt"]},
                      registry=[{"path": "HKLM:\\SOFTWARE\\Contoso", "name": "Server", "data": "x"},
                                {"path": "HKLM:\\SOFTWARE\\Contoso\\Connector"}])
    assert planned["problems"] == []
    assert planned["delete_paths"] == [
        "C:\\Program Files\\CONTOSO\\contoso32.dll", "C:\\Program Files\\CONTOSO\\contosoui32.dll",
        "C:\\Program Files\\CONTOSO\\contoso.chm", "C:\\Program Files\\CONTOSO\\contoso.log",
        "c:\\program files\\contoso\\contoso.txt"]
    assert [(item["name"], item["state"]) for item in planned["registry"]] == [("Server", "absent"), (None, "absent")]
    assert planned["providers"] == [{"name": "CONTOSO_AB"}]
    assert planned["remove_install_dir"] is True


def test_removal_from_a_host_without_mapi_or_outlook_is_allowed():
    planned = contoso(detected(office="none", mapi=False), state="absent", display_name=None)
    assert planned["problems"] == []
    assert [item["src"] for item in planned["files"]][:2] == ["files/x64/contoso32.dll", "files/x64/contosoui32.dll"]


def test_given_install_dir_is_used_and_kept_on_removal():
    planned = contoso(detected(), state="absent", install_dir="D:\\Apps\\Contoso")
    assert planned["install_dir"] == "D:\\Apps\\Contoso"
    assert planned["remove_install_dir"] is False
    assert contoso(detected(), install_dir="Apps\\Contoso")["problems"] == [
        "message_service_install_dir: 'Apps\\Contoso' is not an absolute path on a local drive (a share or "
        "relative path is refused: MAPI loads service files from a local drive); the install folder must be "
        "the service's own folder, e.g. C:\\Program Files\\Contoso"]


@pytest.mark.parametrize("installed, registered", [
    ("contoso32.dll", "contoso.dll"), ("CONTOSOUI32.DLL", "CONTOSOUI.DLL"), ("contoso.dll", "contoso.dll"),
    ("contoso32.x.dll", "contoso.x.dll"), ("a32b.dll", "a32b.dll"), ("readme.txt", "readme.txt"),
    ("help32.chm", "help32.chm")])
def test_registered_name_drops_the_32_before_the_first_period_of_dlls(installed, registered):
    assert core.registered_name(installed) == registered


def test_lcid_reference_is_followed_into_the_outlook_key_that_was_read():
    readings = host(office="msi32", lcid=None)
    for result in readings["results"]:
        if result["item"] == WOW + "\\Clients\\Mail\\Microsoft Outlook":
            result.update(exists=True, properties={"MSIApplicationLCID": {
                "value": ["Software\\Microsoft\\Office\\16.0\\Outlook", "LastUILanguage"]}})
        if result["item"] == WOW + "\\Microsoft\\Office\\16.0\\Outlook":
            result["properties"]["LastUILanguage"] = {"value": "1036"}
    assert message_service_target(readings)["lcid"] == "1036"


def test_click_to_run_without_msmapi32_creates_in_the_language_folder_of_the_virtual_file_system():
    vfs = "C:\\Program Files\\Microsoft Office\\root\\VFS\\ProgramFilesCommonX64\\System\\MSMAPI"
    found = message_service_target(host(office="c2r64", lcid=None), existing=[vfs], found=[],
                                   folders=[vfs + "\\1031", vfs + "\\1033"])
    assert found["mapisvc_create"] == vfs + "\\1031\\MAPISVC.INF"
    readings = host(office="c2r64", lcid="1033")
    preferred = message_service_target(readings, existing=[vfs], found=[], folders=[vfs + "\\1031", vfs + "\\1033"])
    assert preferred["mapisvc_create"] == vfs + "\\1033\\MAPISVC.INF"


# --- what the role may delete or write: each hostile value is refused, naming its field -------

HOSTILE_FILE_NAMES = ["..", ".", "C:\\Windows", "\\\\server\\share", "CON", "nul.txt", "COM1", "a/../b",
                      "a\r\nb", "x*.dll", "contoso.dll.", "contoso.dll ", "C:contoso.dll", "CONTOS~1.DLL"]


@pytest.mark.parametrize("name", HOSTILE_FILE_NAMES)
def test_an_installed_file_name_that_is_not_a_plain_name_is_refused(name):
    planned = contoso(detected(), state="absent", files=[{"src": "files/contoso32.dll", "name": name}],
                      properties={}, providers=None)
    assert [problem.split(":", 1)[0] for problem in planned["problems"]] == ["message_service_files[0].name"]
    assert planned["delete_paths"] == []


# MAPISVC.INF list items are trimmed when read, so "contoso.dll " names contoso.dll there.
@pytest.mark.parametrize("entry", [name for name in HOSTILE_FILE_NAMES if name != "contoso.dll "] + [
    "C:\\Program Files", "C:\\Program Files\\CONTOSO\\..\\Office", "C:\\Program Files\\CONTOSO\\sub\\x.dll",
    "D:\\Logs\\contoso.txt", "C:\\Users\\Public\\contoso.log"])
@pytest.mark.parametrize("state", ["absent", "present"])
def test_a_delete_files_entry_outside_the_install_folder_is_refused(entry, state):
    planned = contoso(detected(), state=state, properties={"PR_SERVICE_DELETE_FILES": ["contoso.log", entry]})
    assert [problem.split(":", 1)[0] for problem in planned["problems"]] == [
        "message_service_properties.PR_SERVICE_DELETE_FILES"], planned["problems"]
    assert all(path.startswith("C:\\Program Files\\CONTOSO\\") for path in planned["delete_paths"])


def test_a_delete_files_entry_given_by_tag_and_as_a_comma_list_is_checked_too():
    planned = contoso(detected(), state="absent", properties={"3D10101E": "contoso.log, .."})
    assert [problem.split(":", 1)[0] for problem in planned["problems"]] == ["message_service_properties.3D10101E"]


@pytest.mark.parametrize("install_dir", [
    "C:\\", "D:\\", "\\\\server\\share", "\\\\server\\share\\Contoso", "C:\\Windows", "C:\\Windows\\System32",
    "C:\\WINDOWS\\Temp\\Contoso", "C:\\Program Files", "c:\\program files (x86)", "C:\\Program Files\\Common Files",
    "C:\\Program Files\\Common Files\\System\\MSMAPI", "C:\\Program Files\\Microsoft Office\\root",
    "C:\\Users", "C:\\Users\\Public", "C:\\Users\\Public\\Contoso", "C:\\ProgramData", "C:\\ProgramData\\Contoso",
    "C:\\Program Files\\Contoso\\..", "C:\\Program Files\\.\\Contoso", "Contoso", "C:\\Program Files\\Con*",
    # Windows strips a trailing period or space from each part, and a short name stands for any folder.
    "C:\\Windows.", "C:\\Windows.\\System32", "C:\\Windows \\System32", "C:\\Program Files\\...",
    "C:\\Program Files\\WindowsApps.", "C:\\Users.\\Public", "C:\\Program Files\\Microsoft Office.\\root\\Office16",
    "C:\\PROGRA~1\\COMMON~1\\System\\MSMAPI\\1033", "C:\\Program Files\\CONTOS~1"])
def test_an_install_folder_that_is_not_the_services_own_is_refused(install_dir):
    planned = contoso(detected(), state="absent", install_dir=install_dir)
    assert [problem.split(":", 1)[0] for problem in planned["problems"]] == ["message_service_install_dir"], \
        planned["problems"]


@pytest.mark.parametrize("install_dir", ["C:\\Program Files\\Contoso", "C:\\Program Files (x86)\\Contoso\\Connector",
                                         "D:\\Apps\\Contoso", "C:\\Program Files\\Common Files\\Contoso"])
def test_a_services_own_install_folder_is_accepted(install_dir):
    assert contoso(detected(), install_dir=install_dir)["problems"] == []


@pytest.mark.parametrize("name", ["..", ".", "A\\..\\B"])
def test_a_service_name_that_would_move_the_default_install_folder_is_refused(name):
    planned = contoso(detected(), name=name, state="absent")
    assert "message_service_name" in [problem.split(":", 1)[0] for problem in planned["problems"]]


@pytest.mark.parametrize("path, needle", [
    ("HKLM:\\SOFTWARE", "not a vendor's key"),
    ("HKLM:\\SOFTWARE\\WOW6432Node", "not a vendor's key"),
    ("HKLM:\\SOFTWARE\\Microsoft", "Windows and other programs share"),
    ("hklm:\\software\\microsoft\\Office\\16.0\\Outlook", "Windows and other programs share"),
    ("HKLM:\\SOFTWARE\\Microsoft\\Windows Messaging Subsystem", "message_service_messaging_subsystem: true"),
    ("HKLM:\\SOFTWARE\\WOW6432Node\\Classes\\CLSID", "Windows and other programs share"),
    ("HKLM:\\SOFTWARE\\Policies\\Contoso", "Windows and other programs share"),
    ("HKLM:\\SOFTWARE\\Clients\\Mail\\Contoso", "Windows and other programs share"),
    ("HKLM:\\SOFTWARE\\Contoso\\..\\Microsoft", "empty, . or .. part"),
    ("HKLM:\\SOFTWARE\\Contoso\\.", "empty, . or .. part"),
    ("HKLM:\\SOFTWARE\\\\Contoso", "empty, . or .. part"),
    ("HKLM:\\SOFTWARE\\Contoso\r\nX", "control character"),
    ("HKLM:\\SOFTWARE\\Contoso\x00", "control character"),
    ("HKLM:\\SOFTWARE/Contoso", "control character"),
    ("HKLM:\\SOFTWARE\\Cont*", "wildcard"),
    ("HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Contoso", "outside HKLM:\\SOFTWARE"),
    ("HKCU:\\Software\\X", "message_service_profile"),
    ("HKU:\\S-1-5-21-1-2-3-1001\\Software\\Contoso", "message_service_profile"),
    ("HKCR:\\CLSID\\{0}", "shared by every program"),
    ("HKCC:\\Software\\Contoso", "shared by every program"),
    ("SOFTWARE\\Contoso", "must start with HKLM:\\"),
    ("Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso", "must start with HKLM:\\"),
])
def test_a_registry_path_that_is_not_the_vendors_own_key_is_refused(path, needle):
    for state in ("present", "absent"):
        planned = contoso(detected(), state=state, registry=[{"path": path, "name": "Server", "data": "x"}])
        assert len(planned["problems"]) == 1, planned["problems"]
        assert planned["problems"][0].startswith("message_service_registry[0].path: ")
        assert needle in planned["problems"][0], planned["problems"][0]
        assert planned["registry"] == []


def test_deleting_a_whole_key_needs_a_product_key_below_the_vendor():
    for item, state in (({"path": "HKLM:\\SOFTWARE\\Contoso"}, "absent"),
                        ({"path": "HKLM:\\SOFTWARE\\Contoso", "state": "absent"}, "present"),
                        ({"path": "HKLM:\\SOFTWARE\\WOW6432Node\\Contoso\\", "state": "absent"}, "present")):
        planned = contoso(detected(), state=state, registry=[item])
        assert [problem.split(":", 1)[0] for problem in planned["problems"]] == ["message_service_registry[0].path"]
        assert "one level deeper" in planned["problems"][0]
    fine = contoso(detected(), state="absent", registry=[{"path": "HKLM:\\SOFTWARE\\Contoso\\Connector"},
                                                         {"path": "HKLM:\\SOFTWARE\\Contoso", "name": "Server"}])
    assert fine["problems"] == []
    # Creating the vendor key itself, or a value in it, is fine while installing.
    assert contoso(detected(), registry=[{"path": "HKLM:\\SOFTWARE\\Contoso"}])["problems"] == []


def test_a_registry_value_name_with_a_line_break_is_refused():
    planned = contoso(detected(), registry=[{"path": "HKLM:\\SOFTWARE\\Contoso", "name": "a\nb", "data": "x"}])
    assert [problem.split(":", 1)[0] for problem in planned["problems"]] == ["message_service_registry[0].name"]


def test_registry_data_is_secret_unless_the_item_says_otherwise_and_mapi_values_are_not():
    planned = contoso(detected(), messaging_subsystem=True, registry=[
        {"path": "HKLM:\\SOFTWARE\\Contoso", "name": "Password", "data": "hunter2"},
        {"path": "HKLM:\\SOFTWARE\\Contoso", "name": "Server", "data": "mail", "secret": False}])
    assert [item["secret"] for item in planned["registry"]] == [True, False] + [False] * 6


def test_the_messaging_subsystem_values_come_only_from_their_option_and_stay_on_removal():
    planned = contoso(detected(), state="absent", messaging_subsystem=True)
    assert planned["registry"] == []


def test_profile_locations_are_checked_in_the_plan_before_any_change():
    bad = contoso(detected(), profile={"prf_path": "C:\\Users\\Public\\contoso.prf"})
    assert [problem.split(":", 1)[0] for problem in bad["problems"]] == ["message_service_profile.prf_path"]
    removal = contoso(detected(), state="absent", profile={"script_path": "C:\\Windows\\System32\\x.ps1"})
    assert [problem.split(":", 1)[0] for problem in removal["problems"]] == ["message_service_profile.script_path"]
    elsewhere = contoso(detected(), install_dir="D:\\Apps\\Contoso", profile={})
    assert [problem.split(":", 1)[0] for problem in elsewhere["problems"]] == [
        "message_service_profile.prf_path", "message_service_profile.script_path"]
    assert contoso(detected(), profile={})["problems"] == []


# --- the preflight's in-use check -------------------------------------------------------------

def test_a_running_outlook_stops_the_host_with_the_fix():
    problems = message_service_in_use({"changed": False, "result": {"outlook": [{"id": 4242, "session": 1}],
                                                                    "locked": []}})
    assert len(problems) == 1 and problems[0].startswith("Outlook: OUTLOOK.EXE is running (process 4242 in session 1)")
    assert "Close Outlook" in problems[0]


def test_a_locked_file_is_named_with_the_error():
    locked = {"path": "C:\\Program Files\\CONTOSO\\contoso32.dll", "error": "being used by another process"}
    problems = message_service_in_use({"result": {"outlook": [], "locked": [locked]}})
    assert problems == ["message_service_files: C:\\Program Files\\CONTOSO\\contoso32.dll is in use by a running "
                        "process (being used by another process); it cannot be replaced or deleted. Close the "
                        "program that loaded it (MAPI clients such as Outlook) and run again"]


def test_a_free_host_passes_and_a_failed_check_stops_it():
    assert message_service_in_use({"result": {"outlook": [], "locked": []}}) == []
    failed = message_service_in_use({"failed": True, "error": [{"exception": {"message": "boom"}}]})
    assert failed == ["in-use check: the check could not run (boom); nothing was changed on this host"]
