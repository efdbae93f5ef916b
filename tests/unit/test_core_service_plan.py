# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's plan (plugins/plugin_utils/service_plan.py and removal.py): the variables checked
against the host, and only the writes the probe shows are needed kept."""

from __future__ import annotations

import base64
import dataclasses
import hashlib

import pytest

from ansible_collections.mapi.messaging.plugins.plugin_utils import plan as mapisvc_plan
from ansible_collections.mapi.messaging.plugins.plugin_utils import probe, service_plan, windows_paths
from ansible_collections.mapi.messaging.plugins.plugin_utils import profile as default_profile
from probe_results import MESSAGING, SW, WOW, Host

# The MAPISVC.INF copy MAPI reads on a host with 64-bit MSI Outlook.
MSMAPI = "C:\\Program Files\\Common Files\\System\\MSMAPI\\1033\\MAPISVC.INF"


def detected(**kwargs):
    """The host.Target detection makes from a hand-built host's probe."""
    return Host(**kwargs).detect()


def plan_of(found, **kwargs):
    """The plan without readings (every write kept), as the role reads it."""
    return service_plan.plan(found, None, **kwargs).as_dict()


def test_mapi_missing_fails_in_the_plan_with_the_mapix_message():
    found = detected(mapi=False)
    assert found.mapi_present is False
    planned = plan_of(found, name="CONTOSO", display_name="Contoso Connector")
    assert len(planned["problems"]) == 1
    assert "MAPIX=1 is missing under HKLM:\\SOFTWARE\\Microsoft\\Windows Messaging Subsystem" in planned["problems"][0]
    assert "message_service_messaging_subsystem: true" in planned["problems"][0]
    written = plan_of(found, name="CONTOSO", display_name="Contoso Connector", messaging_subsystem=True)
    assert written["problems"] == []
    assert [(item["path"], item["name"], item["data"]) for item in written["registry"]] == [
        (SW + MESSAGING, name, data) for name, data in windows_paths.MESSAGING_SUBSYSTEM_VALUES]


def test_mapi_only_in_the_other_view_is_named_as_a_bitness_mismatch():
    found = Host(office="msi32", mapi=False).set(SW + MESSAGING, MAPIX="1").detect()
    planned = plan_of(found, name="C", display_name="C")
    assert "other registry view" in planned["problems"][0]
    assert WOW + MESSAGING in planned["problems"][0]


def test_no_outlook_fails_unless_the_bitness_is_given():
    planned = plan_of(detected(office="none"), name="C", display_name="C")
    assert any(problem.startswith("message_service_office_bitness: no Outlook found") for problem in planned["problems"])
    forced = Host(office="none").detect(office_bitness="x64")
    assert plan_of(forced, name="C", display_name="C")["problems"] == []


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
    return plan_of(found, **args)


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


@pytest.mark.parametrize("installed, registered", [
    ("contoso32.dll", "contoso.dll"), ("CONTOSOUI32.DLL", "CONTOSOUI.DLL"), ("contoso.dll", "contoso.dll"),
    ("contoso32.x.dll", "contoso.x.dll"), ("a32b.dll", "a32b.dll"), ("readme.txt", "readme.txt"),
    ("help32.chm", "help32.chm")])
def test_registered_name_drops_the_32_before_the_first_period_of_dlls(installed, registered):
    assert windows_paths.registered_name(installed) == registered


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
    planned = plan_of(detected(mapi=False), files=[{"url": "https://x/a32.dll"}],
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
    assert planned["registry"] == []
    assert [(item["name"], item["state"]) for item in planned["registry_removals"]] == [
        ("Server", "absent"), (None, "absent")]
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
        assert planned["registry"] == [] and planned["registry_removals"] == []


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
    assert planned["registry"] == [] and planned["registry_removals"] == []


def test_profile_locations_are_checked_in_the_plan_before_any_change():
    bad = contoso(detected(), profile={"prf_path": "C:\\Users\\Public\\contoso.prf"})
    assert [problem.split(":", 1)[0] for problem in bad["problems"]] == ["message_service_profile.prf_path"]
    removal = contoso(detected(), state="absent", profile={"script_path": "C:\\Windows\\System32\\x.ps1"})
    assert [problem.split(":", 1)[0] for problem in removal["problems"]] == ["message_service_profile.script_path"]
    elsewhere = contoso(detected(), install_dir="D:\\Apps\\Contoso", profile={})
    assert [problem.split(":", 1)[0] for problem in elsewhere["problems"]] == [
        "message_service_profile.prf_path", "message_service_profile.script_path"]
    assert contoso(detected(), profile={})["problems"] == []


def test_a_running_outlook_is_named_with_its_process_and_the_fix():
    problems = service_plan.in_use_problems([{"id": 4242, "session": 1}], [])
    assert len(problems) == 1 and problems[0].startswith("Outlook: OUTLOOK.EXE is running (process 4242 in session 1)")
    assert "Close Outlook" in problems[0]


def test_a_locked_file_is_named_with_the_error():
    locked = {"path": "C:\\Program Files\\CONTOSO\\contoso32.dll", "error": "being used by another process"}
    problems = service_plan.in_use_problems([], [locked])
    assert problems == ["message_service_files: C:\\Program Files\\CONTOSO\\contoso32.dll is in use by a running "
                        "process (being used by another process); it cannot be replaced or deleted. Close the "
                        "program that loaded it (MAPI clients such as Outlook) and run again"]
    assert service_plan.in_use_problems([], []) == []


# --- only the writes the probe shows are needed -------------------------------------------------

DIR = "C:\\Program Files\\CONTOSO"
LOCAL = {item["src"]: hashlib.sha256(item["src"].encode()).hexdigest() for item in CONTOSO_FILES}
SERVICE_ARGS = {"codepage": "cp1252", "purge": False, "backup": False}
REGISTRY = [{"path": SW + "\\Contoso", "name": "Server", "data": "mail.contoso.com", "secret": False},
            {"path": SW + "\\Contoso", "name": "Password", "data": "hunter2"},
            {"path": SW + "\\Contoso", "name": "Port", "data": "0x3E3", "type": "dword", "secret": False}]
OTHER_SERVICE = (b"[Services]\r\nMSEMS=Microsoft Exchange Server\r\n\r\n[MSEMS]\r\n"
                 b"PR_SERVICE_DLL_NAME=emsui.dll\r\nProviders=MSEMS_MDB\r\n\r\n[MSEMS_MDB]\r\nPR_RESOURCE_TYPE=MAPI_STORE_PROVIDER\r\n")


def located(**kwargs):
    """A host with Outlook x64 and one MAPISVC.INF copy MAPI reads."""
    return Host(**kwargs).copy(MSMAPI).detect()


def path_reading(path, content=None, folder=False, error=None):
    return {"path": path, "expanded": path, "exists": content is not None or folder, "directory": folder,
            "size": None if content is None else len(content),
            "sha256": None if content is None else hashlib.sha256(content).hexdigest(), "error": error}


def value_reading(key, name, data=None, reg_type="REG_SZ", secret=False, error=None):
    reading = {"key": key, "name": name, "key_exists": True, "exists": data is not None,
               "type": reg_type if data is not None else None, "error": error}
    if data is not None:
        reading.update({"sha256": probe.canonical_sha256(reg_type, data)} if secret else {"data": data})
    return reading


def probed(paths=(), values=(), copies=None, missing=(), outlook=(), locked=()):
    """A Probe read from a probe result shaped as the contract says."""
    copies = {MSMAPI: OTHER_SERVICE} if copies is None else copies
    result = {"probe": probe.PROBE_VERSION, "registry": [], "values": list(values), "paths": list(paths),
              "mapisvc": {"searched": [], "missing": list(missing), "msmapi_dlls": [], "language_folders": [],
                          "errors": [], "copies": [
                              {"path": path, "content": base64.b64encode(content).decode(),
                               "sha1": hashlib.sha1(content).hexdigest(), "size": len(content)}
                              for path, content in copies.items()]},
              "users": {"loaded": [], "keys": [], "profiles": []},
              "in_use": {"outlook": list(outlook), "locked": list(locked)}, "errors": []}
    return probe.read({"changed": False, "result": result})


def contoso_plan(found, readings, **kwargs):
    args = dict(name="CONTOSO", display_name="Contoso Connector", files=CONTOSO_FILES,
                properties={"PR_SERVICE_DLL_NAME": "contoso.dll", "PR_SERVICE_ENTRY_NAME": "ServiceEntry"},
                providers=[{"name": "CONTOSO_AB", "properties": {"PR_PROVIDER_DLL_NAME": "contoso.dll",
                                                                 "PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER"}}],
                registry=REGISTRY, service_args=SERVICE_ARGS, local_sha256=LOCAL)
    args.update(kwargs)
    return service_plan.plan(found, readings, **args)


def declared_copy(found, original=OTHER_SERVICE, **kwargs):
    """MAPISVC.INF as the mapisvc action leaves it after this plan's declaration."""
    options = contoso_plan(found, probed(), **kwargs).mapisvc_args
    return mapisvc_plan.edit(original, mapisvc_plan.from_options(options), options["state"],
                             options["purge"], options["codepage"]).rendered


def installed(found, files=None, values=None, copy=None, **kwargs):
    """The probe of a host where the service is installed exactly as declared."""
    installed_files = {DIR + "\\" + item["src"].rsplit("/", 1)[-1]: item["src"].encode()
                       for item in CONTOSO_FILES if item.get("arch") in (None, "x64")}
    installed_files.update(files or {})
    readings = [path_reading(DIR, folder=True)] + [
        path_reading(path, content) for path, content in installed_files.items()]
    held = [value_reading(SW + "\\Contoso", "Server", "mail.contoso.com"),
            value_reading(SW + "\\Contoso", "Password", "hunter2", secret=True),
            value_reading(SW + "\\Contoso", "Port", 995, "REG_DWORD")]
    held = values if values is not None else held
    return probed(paths=readings, values=held, copies={MSMAPI: declared_copy(found) if copy is None else copy},
                  **kwargs)


def test_a_host_already_as_declared_gets_no_write_at_all():
    found = located()
    planned = contoso_plan(found, installed(found))
    assert planned.problems == ()
    assert (planned.file_copies, planned.download, planned.registry, planned.mapisvc, planned.delete_paths) == ((),) * 5
    assert planned.create_install_dir is False and planned.writes == 0
    # Every file is still planned (the PR_SERVICE_SUPPORT_FILES list names them all).
    assert [entry["dest"] for entry in planned.files] == [
        DIR + "\\contoso32.dll", DIR + "\\contosoui32.dll", DIR + "\\contoso.chm"]


def test_a_fresh_host_gets_every_write():
    found = located()
    planned = contoso_plan(found, probed(paths=[path_reading(DIR)]))
    assert planned.problems == ()
    assert [entry["dest"] for entry in planned.file_copies] == [entry["dest"] for entry in planned.files]
    assert planned.create_install_dir is True
    assert [item["name"] for item in planned.registry] == ["Server", "Password", "Port"]
    assert list(planned.mapisvc) == [{"path": MSMAPI, "create": False}]


def test_one_differing_file_is_the_only_copy():
    found = located()
    planned = contoso_plan(found, installed(found, files={DIR + "\\contosoui32.dll": b"an older build"}))
    assert [entry["dest"] for entry in planned.file_copies] == [DIR + "\\contosoui32.dll"]
    assert planned.problems == () and planned.registry == () and planned.mapisvc == ()
    assert planned.create_install_dir is False


@pytest.mark.parametrize("held, written", [("hunter2", False), ("hunter3", True)])
def test_a_secret_registry_value_is_compared_by_its_sha256(held, written):
    found = located()
    values = [value_reading(SW + "\\Contoso", "Server", "mail.contoso.com"),
              value_reading(SW + "\\Contoso", "Password", held, secret=True),
              value_reading(SW + "\\Contoso", "Port", 995, "REG_DWORD")]
    readings = installed(found, values=values)
    assert all(state.data is None for state in readings.values.values() if state.name == "Password")
    planned = contoso_plan(found, readings)
    assert [item["name"] for item in planned.registry] == (["Password"] if written else [])


@pytest.mark.parametrize("reading", [
    value_reading(SW + "\\Contoso", "Server", "mail.contoso.com", "REG_EXPAND_SZ"),  # another type
    value_reading(SW + "\\Contoso", "Server", None),                                # missing
    value_reading(SW + "\\Contoso", "Server", "MAIL.contoso.com"),                   # other data
    dict(value_reading(SW + "\\Contoso", "Server"), error="access denied"),         # unreadable
])
def test_a_registry_value_that_differs_or_could_not_be_read_is_written(reading):
    found = located()
    values = [reading, value_reading(SW + "\\Contoso", "Password", "hunter2", secret=True),
              value_reading(SW + "\\Contoso", "Port", 995, "REG_DWORD")]
    planned = contoso_plan(found, installed(found, values=values))
    assert [item["name"] for item in planned.registry] == ["Server"]


def test_a_registry_value_the_probe_was_not_asked_for_is_written():
    found = located()
    planned = contoso_plan(found, installed(found, values=[]))
    assert [item["name"] for item in planned.registry] == ["Server", "Password", "Port"]


@pytest.mark.parametrize("reg_type, declared, held", [
    ("dword", "0x3E3", 995), ("dword", "995", 995), ("dword", 995, 995), ("qword", 2 ** 40, 2 ** 40),
    ("multistring", ["a", "b"], ["a", "b"]), ("binary", "hex:be,EF,0", "beef00"), ("binary", [190, 239], "beef"),
    ("expandstring", "%ProgramFiles%\\Contoso", "%ProgramFiles%\\Contoso")])
def test_declared_data_in_each_documented_form_matches_what_the_registry_holds(reg_type, declared, held):
    item = {"path": SW + "\\Contoso", "name": "V", "data": declared, "type": reg_type, "secret": True}
    reading = value_reading(SW + "\\Contoso", "V", held, service_plan.REG_TYPE[reg_type], secret=True)
    planned = contoso_plan(located(), probed(values=[reading]), registry=[item])
    assert planned.registry == ()


@pytest.mark.parametrize("reg_type, declared", [("dword", "-1"), ("dword", 2 ** 32), ("dword", True),
                                                ("string", 5), ("multistring", "a"), ("binary", "xyz")])
def test_declared_data_in_a_form_not_predicted_is_always_written(reg_type, declared):
    assert service_plan.declared_data(service_plan.REG_TYPE[reg_type], declared) is None


def test_the_probe_is_asked_for_the_files_in_every_candidate_folder_and_values_in_both_views():
    needs = service_plan.probe_needs(state="present", name="CONTOSO", files=CONTOSO_FILES, registry=REGISTRY,
                                     properties={"PR_SERVICE_DELETE_FILES": ["contoso.log"]},
                                     messaging_subsystem=True)
    assert "%ProgramFiles(x86)%\\CONTOSO\\contoso32.dll" in needs["paths"]
    assert "%ProgramFiles%\\CONTOSO" in needs["paths"]
    assert "%ProgramFiles%\\CONTOSO\\contoso.log" in needs["in_use_paths"]
    keys = {(value["key"], value["name"], value["secret"]) for value in needs["values"]}
    assert {(SW + "\\Contoso", "Password", True), (WOW + "\\Contoso", "Password", True),
            (WOW + MESSAGING, "MAPIX", False), (SW + MESSAGING, "MAPIX", False)} <= keys
    # The probe's own parameters accept them as they are.
    assert probe.parameters(registry_keys=[], mapisvc_paths=[], user_keys=[], **needs)["Values"]


def test_an_unresolvable_src_stops_the_host_before_any_change_naming_the_field():
    found = located()
    local = {src: digest for src, digest in LOCAL.items() if src != "files/contoso.chm"}
    planned = contoso_plan(found, probed(), local_sha256=local)
    assert planned.problems == (
        "message_service_files[4].src: 'files/contoso.chm' was not found on the controller (looked for in the "
        "role's and the playbook's files folders); give the path of an existing file",)


def test_a_download_is_skipped_only_when_the_installed_file_has_the_declared_sha256():
    found = located()
    content = b"contoso build 7"
    files = [{"url": "https://example.com/contoso32.dll", "checksum": hashlib.sha256(content).hexdigest().upper()},
             {"url": "https://example.com/contosoui32.dll", "checksum": hashlib.sha1(content).hexdigest(),
              "checksum_algorithm": "sha1"}]
    readings = probed(paths=[path_reading(DIR + "\\contoso32.dll", content),
                             path_reading(DIR + "\\contosoui32.dll", content)])
    planned = contoso_plan(found, readings, files=files, registry=[])
    # sha1: win_get_url compares it itself, so the item stays.
    assert [entry["dest"] for entry in planned.download] == [DIR + "\\contosoui32.dll"]


def test_a_file_whose_destination_is_a_folder_is_refused():
    found = located()
    planned = contoso_plan(found, probed(paths=[path_reading(DIR + "\\contoso.chm", folder=True)]))
    assert [problem.split(":", 1)[0] for problem in planned.problems] == ["message_service_files[4]"]


@pytest.mark.parametrize("content, needle", [
    (b"\xef\xbb\xbf[Services]\r\n", "MAPISVC.INF %s: " % MSMAPI),
    (b"[Services]\r\nFABRIKAM=Fabrikam\r\n\r\n[FABRIKAM]\r\nProviders=CONTOSO_AB\r\n",
     "MAPISVC.INF %s: CONTOSO: the provider or linked section [CONTOSO_AB] is listed by service FABRIKAM" % MSMAPI),
])
def test_a_mapisvc_copy_the_action_would_refuse_stops_the_host_before_any_change(content, needle):
    planned = contoso_plan(located(), installed(located(), copy=content))
    assert len(planned.problems) == 1 and planned.problems[0].startswith(needle), planned.problems
    assert planned.mapisvc == ()


def test_only_the_mapisvc_copies_that_would_change_are_edited_and_a_missing_one_to_create_is():
    first = "C:\\Program Files\\Common Files\\System\\MSMAPI\\1031\\MAPISVC.INF"
    found = Host().copy(MSMAPI).copy(first).detect()
    readings = probed(copies={MSMAPI: declared_copy(found), first: OTHER_SERVICE})
    assert list(contoso_plan(found, readings).mapisvc) == [{"path": first, "create": False}]
    machine = Host().copy(MSMAPI)
    machine.missing = ["D:\\Image\\MAPISVC.INF"]
    named = machine.detect(mapisvc_paths=["D:\\Image\\MAPISVC.INF", MSMAPI])
    readings = probed(copies={MSMAPI: declared_copy(named)}, missing=["D:\\Image\\MAPISVC.INF"])
    assert list(contoso_plan(named, readings).mapisvc) == [{"path": "D:\\Image\\MAPISVC.INF", "create": True}]


def test_mapisvc_options_are_typed_and_checked_as_the_action_does_naming_the_role_variables():
    planned = contoso_plan(located(), probed(), service_args=dict(SERVICE_ARGS, default_service="yes"))
    assert planned.mapisvc_args["default_service"] is True
    wrong = contoso_plan(located(), probed(), service_args=dict(SERVICE_ARGS, codepage="rot13"),
                         properties={"PR_SERVICE_DLL_NAME": "contoso.dll", "PR_BAD": "x"})
    fields = [problem.split(":", 1)[0] for problem in wrong.problems]
    assert fields == ["message_service_mapisvc_codepage"]
    secret = contoso_plan(located(), probed(), properties={"PR_SERVICE_DLL_NAME": "contoso.dll", "Password": "s3cret"})
    assert [problem.split(":", 1)[0] for problem in secret.problems] == ["message_service_properties.Password"]
    assert "s3cret" not in " ".join(secret.problems)


def test_outlook_running_stops_only_a_run_that_replaces_files_or_edits_mapisvc():
    found = located()
    outlook = [{"id": 7, "session": 1}]
    locked = [{"path": DIR + "\\contoso32.dll", "error": "in use"}]
    unchanged = contoso_plan(found, installed(found, outlook=outlook, locked=locked))
    assert unchanged.problems == () and unchanged.in_use == ()
    changed = contoso_plan(found, installed(found, files={DIR + "\\contoso32.dll": b"old"}, outlook=outlook,
                                            locked=locked))
    assert [problem.split(":", 1)[0] for problem in changed.in_use] == ["Outlook", "message_service_files"]
    assert changed.problems[-2:] == changed.in_use
    # A locked file the run does not touch is no reason to stop.
    other = contoso_plan(found, installed(found, files={DIR + "\\contoso.chm": b"old"}, locked=locked))
    assert other.in_use == ()


def test_removal_on_a_clean_host_deletes_nothing():
    found = located()
    readings = probed(paths=[path_reading(DIR)] + [path_reading(DIR + "\\" + name) for name in
                                                   ("contoso32.dll", "contosoui32.dll", "contoso.chm", "contoso.log")],
                      values=[dict(value_reading(SW + "\\Contoso", name), key_exists=False)
                              for name in ("Server", "Password", "Port")])
    planned = contoso_plan(found, readings, state="absent", display_name=None,
                           properties={"PR_SERVICE_DELETE_FILES": ["contoso.log"]})
    assert planned.problems == ()
    assert (planned.delete_paths, planned.registry_removals, planned.mapisvc) == ((), (), ())
    assert planned.remove_install_dir is False and planned.writes == 0


def test_removal_deletes_only_what_exists_and_never_a_folder_as_a_file():
    found = located()
    readings = probed(paths=[path_reading(DIR, folder=True), path_reading(DIR + "\\contoso32.dll", b"x"),
                             path_reading(DIR + "\\contosoui32.dll"), path_reading(DIR + "\\contoso.chm")],
                      values=[value_reading(SW + "\\Contoso", "Server", "x"),
                              dict(value_reading(SW + "\\Contoso", "Password"), key_exists=True)],
                      copies={MSMAPI: declared_copy(found)})
    planned = contoso_plan(found, readings, state="absent", display_name=None)
    assert planned.problems == ()
    assert list(planned.delete_paths) == [DIR + "\\contoso32.dll"]
    # Port was not read: kept, win_regedit checks itself.
    assert [item["name"] for item in planned.registry_removals] == ["Server", "Port"]
    assert list(planned.mapisvc) == [{"path": MSMAPI, "create": False}]
    assert planned.mapisvc_args["state"] == "absent" and "display_name" not in planned.mapisvc_args
    assert planned.remove_install_dir is True
    folder = probed(paths=[path_reading(DIR, folder=True), path_reading(DIR + "\\contoso32.dll", folder=True)])
    refused = contoso_plan(found, folder, state="absent", display_name=None)
    assert [problem.split(":", 1)[0] for problem in refused.problems] == ["message_service_files[0]"]


def test_the_plan_is_typed_so_a_misspelt_field_fails():
    planned = contoso_plan(located(), probed())
    with pytest.raises(dataclasses.FrozenInstanceError):
        planned.file_copies = ()
    with pytest.raises(AttributeError):
        getattr(planned, "copies")
    assert set(planned.as_dict()) == {field.name for field in dataclasses.fields(service_plan.ServicePlan)}


def test_plan_edit_decides_like_the_action_for_missing_files():
    options = contoso_plan(located(), probed()).mapisvc_args
    declare = mapisvc_plan.from_options(options)
    assert mapisvc_plan.edit(None, declare, "present").changed is True
    assert mapisvc_plan.edit(None, declare, "absent").changed is False
    done = mapisvc_plan.edit(OTHER_SERVICE, declare, "present", diff=True)
    assert done.before.startswith("[Services]") and done.changed
    assert mapisvc_plan.edit(done.rendered, declare, "present").changed is False


# --- one folder copy per destination folder -------------------------------------------------

PRF_PATH = DIR + "\\CONTOSO.prf"
SCRIPT_PATH = DIR + "\\message_service_profile.ps1"
PROFILE_SETTINGS = {"prf_path": PRF_PATH, "script_path": SCRIPT_PATH, "prf": "[General]\r\nCustom=1\r\n"}


def test_the_files_that_differ_are_one_copy_folder_per_destination_folder():
    found = located()
    planned = contoso_plan(found, probed(paths=[path_reading(DIR)]))
    assert planned.copy_folders == ({
        "dest": DIR + "\\", "files": ["contoso32.dll", "contosoui32.dll", "contoso.chm"],
        "paths": [entry["dest"] for entry in planned.file_copies],
        "sources": [{"name": entry["name"], "src": entry["src"]} for entry in planned.file_copies]},)


def test_an_unchanged_host_has_no_copy_folder():
    found = located()
    assert contoso_plan(found, installed(found)).copy_folders == ()


def test_copy_folders_group_by_folder_case_insensitively():
    copies = [{"name": "a.dll", "dest": "C:\\X\\a.dll", "src": "a.dll"},
              {"name": "b.dll", "dest": "C:\\Y\\b.dll", "src": "b.dll"},
              {"name": "c.dll", "dest": "c:\\x\\c.dll", "src": "c.dll"}]
    groups, joined = service_plan.copy_folders(copies)
    assert [(group["dest"], group["files"]) for group in groups] == [
        ("C:\\X\\", ["a.dll", "c.dll"]), ("C:\\Y\\", ["b.dll"])]
    assert joined == []


@pytest.mark.parametrize("write_prf, write_script", [(True, True), (True, False), (False, True)])
def test_the_prf_and_script_join_the_copy_of_the_install_folder(write_prf, write_script):
    found = located()
    planned = contoso_plan(found, installed(found, files={DIR + "\\contosoui32.dll": b"an older build"}))
    profile_plan = default_profile.ProfilePlan(state="present", write_prf=write_prf, write_script=write_script)
    planned, profile_plan = service_plan.with_profile_files(planned, profile_plan, PROFILE_SETTINGS)
    (group,) = planned.copy_folders
    expected = [{"name": "contosoui32.dll", "src": "files/x64/contosoui32.dll"}]
    if write_prf:
        expected.append({"name": "CONTOSO.prf", "content": PROFILE_SETTINGS["prf"]})
    if write_script:
        expected.append({"name": "message_service_profile.ps1", "src": "message_service_profile.ps1"})
    assert group["sources"] == expected
    assert group["paths"] == [DIR + "\\contosoui32.dll"] + [DIR + "\\" + item["name"] for item in expected[1:]]
    # The profile step no longer writes what the folder copy writes; the report keeps it.
    assert (profile_plan.write_prf, profile_plan.write_script) == (False, False)
    assert [entry["dest"] for entry in planned.file_copies] == [DIR + "\\contosoui32.dll"]


def test_the_prf_for_existing_profiles_joins_the_copy_of_the_install_folder_too():
    found = located()
    planned = contoso_plan(found, installed(found, files={DIR + "\\contosoui32.dll": b"an older build"}))
    settings = dict(PROFILE_SETTINGS, prf_append_path=DIR + "\\CONTOSO-append.prf",
                    prf_append="[General]\r\nOverwriteProfile=Append\r\n")
    profile_plan = default_profile.ProfilePlan(state="present", write_prf_append=True)
    planned, after = service_plan.with_profile_files(planned, profile_plan, settings)
    (group,) = planned.copy_folders
    assert group["sources"][-1] == {"name": "CONTOSO-append.prf", "content": settings["prf_append"]}
    assert group["paths"][-1] == DIR + "\\CONTOSO-append.prf"
    assert (after.write_prf, after.write_prf_append, after.write_script) == (False, False, False)


def test_the_prf_stays_with_the_profile_step_without_a_file_copy_in_its_folder():
    found = located()
    planned = contoso_plan(found, installed(found))
    profile_plan = default_profile.ProfilePlan(state="present", write_prf=True, write_script=True)
    planned, after = service_plan.with_profile_files(planned, profile_plan, PROFILE_SETTINGS)
    assert planned.copy_folders == () and after == profile_plan


def test_a_prf_in_another_folder_stays_with_the_profile_step():
    found = located()
    planned = contoso_plan(found, probed(paths=[path_reading(DIR)]))
    settings = dict(PROFILE_SETTINGS, prf_path="C:\\ProgramData\\Contoso\\CONTOSO.prf")
    profile_plan = default_profile.ProfilePlan(state="present", write_prf=True, write_script=True)
    planned, after = service_plan.with_profile_files(planned, profile_plan, settings)
    assert planned.copy_folders[0]["files"] == ["contoso32.dll", "contosoui32.dll", "contoso.chm",
                                                "message_service_profile.ps1"]
    assert (after.write_prf, after.write_script) == (True, False)


def test_a_prf_named_like_a_copied_file_is_not_staged_over_it():
    copies = [{"name": "CONTOSO.prf", "dest": PRF_PATH, "src": "files/CONTOSO.prf"}]
    groups, joined = service_plan.copy_folders(copies, [{"dest": PRF_PATH.lower(), "content": "x"}])
    assert groups[0]["sources"] == [{"name": "CONTOSO.prf", "src": "files/CONTOSO.prf"}] and joined == []


# --- downloads behind a proxy or with credentials ----------------------------------------------

SECRET = "hunter2-Sekret"
DOWNLOAD = {"url": "https://downloads.example.com/dl/contoso32.dll", "checksum": "ab" * 32}


def download_plan(**options):
    return contoso(detected(), properties={}, providers=None, files=[dict(DOWNLOAD, **options)])


def test_download_options_are_typed_and_carried_on_the_download_item():
    planned = download_plan(
        proxy_url="http://proxy.example.com:8080", proxy_username="svc-dl", proxy_password=SECRET,
        use_proxy="yes", proxy_use_default_credential="false", url_username="dl", url_password=SECRET,
        force_basic_auth="true", use_default_credential=False,
        headers={"Authorization": "Bearer " + SECRET, "X-Retries": 3},
        validate_certs="no", client_cert="Cert:\\LocalMachine\\My\\ABCDEF", client_cert_password=SECRET,
        url_timeout="120", follow_redirects="none")
    assert planned["problems"] == []
    item = planned["download"][0]
    assert {option: item[option] for option in service_plan.DOWNLOAD_OPTIONS} == {
        "proxy_url": "http://proxy.example.com:8080", "proxy_username": "svc-dl", "proxy_password": SECRET,
        "use_proxy": True, "proxy_use_default_credential": False, "url_username": "dl", "url_password": SECRET,
        "force_basic_auth": True, "use_default_credential": False,
        "headers": {"Authorization": "Bearer " + SECRET, "X-Retries": "3"}, "validate_certs": False,
        "client_cert": "Cert:\\LocalMachine\\My\\ABCDEF", "client_cert_password": SECRET, "url_timeout": 120,
        "follow_redirects": "none"}


def test_download_options_not_given_are_left_out_so_the_task_omits_them():
    item = download_plan(validate_certs=False, proxy_url=None)["download"][0]
    assert set(item) & set(service_plan.DOWNLOAD_OPTIONS) == {"validate_certs"}


@pytest.mark.parametrize("option", ["proxy_url", "url_password", "headers", "validate_certs"])
def test_a_download_option_on_a_src_item_is_refused_naming_the_field(option):
    value = {"headers": {"X-Token": SECRET}, "validate_certs": False}.get(option, SECRET)
    planned = contoso(detected(), properties={}, providers=None,
                      files=[{"src": "files/x64/contoso32.dll", option: value}])
    assert planned["problems"] == [
        "message_service_files[0].%s: only a url item is downloaded (with ansible.windows.win_get_url) and "
        "takes it; remove it, or give url instead of src" % option]
    assert planned["file_copies"] == []


@pytest.mark.parametrize("options, field", [
    ({"url_password": [SECRET]}, "message_service_files[0].url_password: expected a string"),
    ({"proxy_password": {"value": SECRET}}, "message_service_files[0].proxy_password: expected a string"),
    ({"client_cert_password": 1234}, "message_service_files[0].client_cert_password: expected a string"),
    ({"headers": "Authorization=" + SECRET}, "message_service_files[0].headers: expected a dictionary"),
    ({"headers": {"Authorization": [SECRET]}}, "message_service_files[0].headers: each header needs a name"),
    ({"headers": {"Authorization": {"token": SECRET}}}, "message_service_files[0].headers: each header needs"),
])
def test_a_malformed_secret_is_refused_without_showing_it(options, field):
    planned = download_plan(**options)
    assert len(planned["problems"]) == 1 and planned["problems"][0].startswith(field), planned["problems"]
    assert "not shown" in planned["problems"][0]
    assert "1234" not in planned["problems"][0] and SECRET not in planned["problems"][0]
    assert planned["download"] == []


@pytest.mark.parametrize("options, expected", [
    ({"validate_certs": "maybe"}, "message_service_files[0].validate_certs: is of type str and we were unable "
                                  "to convert to bool"),
    ({"url_timeout": "soon"}, "message_service_files[0].url_timeout: is of type str and we were unable to "
                              "convert to int"),
    ({"follow_redirects": "always"}, "message_service_files[0].follow_redirects: must be one of: all, none, safe"),
])
def test_a_download_option_of_the_wrong_type_is_refused_naming_the_field(options, expected):
    planned = download_plan(**options)
    assert len(planned["problems"]) == 1 and planned["problems"][0].startswith(expected), planned["problems"]


def test_a_misspelt_download_option_is_refused_instead_of_ignored():
    planned = download_plan(proxy_pasword=SECRET)
    assert len(planned["problems"]) == 1, planned["problems"]
    assert planned["problems"][0].startswith("message_service_files[0]: unknown keys proxy_pasword; known are src, ")
    assert "proxy_password" in planned["problems"][0] and SECRET not in planned["problems"][0]


def test_the_installed_name_of_a_url_never_comes_from_its_credentials_or_query():
    planned = contoso(detected(), properties={}, providers=None, files=[
        {"url": "https://dl:%s@downloads.example.com/contoso32.dll?sig=%s#x" % (SECRET, SECRET), "checksum": "ab" * 32},
        {"url": "https://dl:%s@downloads.example.com" % SECRET, "checksum": "ab" * 32}])
    assert planned["files"][0]["name"] == "contoso32.dll"
    assert len(planned["problems"]) == 1 and planned["problems"][0].startswith("message_service_files[1].name: ")
    assert SECRET not in planned["problems"][0]


def test_the_probe_needs_of_a_download_with_options_are_those_without():
    plain = service_plan.probe_needs(name="CONTOSO", files=[DOWNLOAD])
    assert service_plan.probe_needs(name="CONTOSO", files=[dict(DOWNLOAD, proxy_password=SECRET)]) == plain
    assert SECRET not in repr(plain)
