# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Detection of a Windows host from its probe (plugins/plugin_utils/host.py)."""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.mapi.messaging.plugins.plugin_utils import host, probe
from probe_results import C2R_2013, CLIENT, MESSAGING, MSMAPI, MSMAPI86, SW, VFS64, WOW, Host


def test_64_bit_msi_outlook_on_64_bit_windows():
    found = Host().detect()
    assert (found.windows_arch, found.office_install, found.office_bitness, found.office_version) == \
        ("x64", "msi", "x64", "16.0")
    assert found.mapi_present is True
    assert (found.program_files, found.system_dir, found.registry_software_root) == (
        "C:\\Program Files", "C:\\Windows\\System32", SW)
    assert found.msmapi_roots == (host.MsmapiRoot(MSMAPI, "msi", True),)
    assert found.search_paths == (MSMAPI, "C:\\Windows\\System32\\MAPISVC.INF")
    assert (found.problems, found.notes) == ((), ())


def test_32_bit_msi_outlook_on_64_bit_windows_uses_the_wow64_side():
    found = Host(office="msi32").detect()
    assert (found.office_bitness, found.office_install, found.mapi_present) == ("x86", "msi", True)
    assert (found.program_files, found.common_files) == ("C:\\Program Files (x86)", "C:\\Program Files (x86)\\Common Files")
    assert (found.system_dir, found.registry_software_root) == ("C:\\Windows\\SysWOW64", WOW)
    assert found.msmapi_roots[0].path == MSMAPI86


def test_32_bit_outlook_on_32_bit_windows():
    found = Host(windows="x86", office="msi32").detect()
    assert (found.windows_arch, found.office_bitness, found.system_dir, found.registry_software_root,
            found.program_files) == ("x86", "x86", "C:\\Windows\\System32", SW, "C:\\Program Files")


@pytest.mark.parametrize("office, vfs, program_files", [
    ("c2r64", VFS64, "C:\\Program Files"),
    ("c2r32", "C:\\Program Files (x86)\\Microsoft Office\\root\\VFS\\ProgramFilesCommonX86\\System\\MSMAPI",
     "C:\\Program Files (x86)"),
])
def test_click_to_run_searches_the_virtual_file_system_marked_unverified(office, vfs, program_files):
    found = Host(office=office).detect()
    assert (found.office_install, found.office_version) == ("c2r", "16.0")
    assert found.office_bitness == ("x64" if office == "c2r64" else "x86")
    assert found.msmapi_roots == (host.MsmapiRoot(vfs, "c2r", False),)
    assert found.program_files == program_files


def test_older_office_version_is_found_and_can_be_pinned():
    assert Host(version="14.0").detect().office_version == "14.0"
    assert Host(version="14.0").detect(office_version="16.0").office_bitness is None


def test_registry_names_are_case_insensitive():
    machine = Host()
    answer = machine.answer()
    for item in answer["result"]["registry"]:
        item["key"] = item["key"].upper()
        item["values"] = {name.lower(): value for name, value in item["values"].items()}
    found = host.detect(probe.read(answer))
    assert (found.office_bitness, found.mapi_present) == ("x64", True)


def test_mapi_only_in_the_other_view_is_reported():
    machine = Host(office="msi32", mapi=False).set(SW + MESSAGING, MAPIX="1")
    found = machine.detect()
    assert (found.mapi_present, found.mapi_other_view) == (False, True)


def test_no_outlook_is_none_unless_the_bitness_is_given():
    assert (Host(office="none").detect().office_install, Host(office="none").detect().office_bitness) == ("none", None)
    assert Host(office="none").detect(office_bitness="x64").office_bitness == "x64"


# --- Click-to-Run is 16.0; Office 2013 Click-to-Run is refused ------------------------------

def test_click_to_run_is_16_even_beside_a_leftover_msi_15_outlook_key():
    machine = Host(office="c2r64").set(SW + "\\Microsoft\\Office\\15.0\\Outlook", Bitness="x86")
    found = machine.detect()
    assert (found.office_install, found.office_version, found.office_bitness) == ("c2r", "16.0", "x64")
    assert found.problems == ()
    assert any("Office\\15.0\\Outlook (Bitness x86) is left from an earlier MSI Office" in note for note in found.notes)


def test_click_to_run_with_another_version_pinned_is_a_problem():
    found = Host(office="c2r64").detect(office_version="15.0")
    assert found.problems == ("message_service_office_version: 15.0 is set, but this host has Click-to-Run Office, "
                              "which is version 16.0; set 16.0 or auto",)
    assert found.office_version == "16.0"


def test_office_2013_click_to_run_is_refused_naming_the_key():
    machine = Host(office="none").set(C2R_2013).set(C2R_2013 + "\\Configuration", Platform="x86")
    machine.set(WOW + "\\Microsoft\\Office\\15.0\\Outlook", Bitness="x86")
    found = machine.detect()
    assert (found.office_install, found.office_version, found.office_bitness) == ("c2r", "15.0", "x86")
    assert len(found.problems) == 1
    assert found.problems[0].startswith("Outlook: Office 2013 Click-to-Run is installed (%s)" % C2R_2013)
    assert "upgrade to Microsoft 365 Apps or Office 2016 or later" in found.problems[0]


def test_a_leftover_office_2013_click_to_run_key_beside_msi_outlook_16_is_only_noted():
    found = Host().set(C2R_2013).detect()
    assert (found.office_install, found.office_version, found.problems) == ("msi", "16.0", ())
    assert any("left from Office 2013 Click-to-Run" in note for note in found.notes)


# --- MAPISVC.INF copies, DLLPathEx and where to create --------------------------------------

def test_existing_copies_mapi_reads_are_all_edited():
    machine = Host().copy(MSMAPI + "\\1033\\MAPISVC.INF").copy(MSMAPI + "\\1031\\mapisvc.inf")
    machine.copy("C:\\Windows\\System32\\MAPISVC.INF")
    machine.dlls = [MSMAPI + "\\1033\\MSMAPI32.DLL"]
    found = machine.detect()
    assert found.mapisvc_paths == (MSMAPI + "\\1033\\MAPISVC.INF", MSMAPI + "\\1031\\mapisvc.inf",
                                   "C:\\Windows\\System32\\MAPISVC.INF")
    assert found.mapisvc_create == ()
    assert not any(item.create for item in found.mapisvc_files)


def test_copies_of_the_other_bitness_are_left_alone_and_noted():
    machine = Host().copy(MSMAPI + "\\1033\\MAPISVC.INF").copy(MSMAPI86 + "\\1033\\MAPISVC.INF")
    machine.copy("C:\\Windows\\SysWOW64\\MAPISVC.INF")
    found = machine.detect()
    assert found.mapisvc_paths == (MSMAPI + "\\1033\\MAPISVC.INF",)
    assert [note.split(" is not", 1)[0] for note in found.notes] == [
        MSMAPI86 + "\\1033\\MAPISVC.INF", "C:\\Windows\\SysWOW64\\MAPISVC.INF"]


def test_no_copy_creates_one_in_every_language_folder_holding_msmapi32_detected_lcid_first():
    machine = Host(lcid="1031")
    machine.dlls = [MSMAPI + "\\1033\\MSMAPI32.DLL", MSMAPI + "\\1031\\MSMAPI32.DLL", MSMAPI86 + "\\1040\\MSMAPI32.DLL"]
    found = machine.detect()
    assert found.mapisvc_paths == ()
    assert found.mapisvc_create == (MSMAPI + "\\1031\\MAPISVC.INF", MSMAPI + "\\1033\\MAPISVC.INF")
    assert found.mapisvc_files == tuple(host.MapisvcFile(path, True) for path in found.mapisvc_create)


def test_dllpathex_folder_is_where_mapi_reads_and_is_created_first():
    # DLLPathEx may point outside the folders guessed from the install type.
    real = "C:\\Program Files\\Microsoft Office\\root\\vfs\\ProgramFilesCommonX64\\System\\MSMAPI\\1033"
    machine = Host().set(CLIENT, DLLPathEx=real + "\\MSMAPI32.DLL")
    machine.dlls = [real + "\\MSMAPI32.DLL", MSMAPI + "\\1033\\MSMAPI32.DLL"]
    found = machine.detect()
    assert found.mapi_dll == real + "\\MSMAPI32.DLL"
    assert found.mapisvc_create == (real + "\\MAPISVC.INF", MSMAPI + "\\1033\\MAPISVC.INF")
    edited = machine.copy(real + "\\MAPISVC.INF").detect()
    assert edited.mapisvc_paths == (real + "\\MAPISVC.INF",)
    assert edited.mapisvc_create == ()
    assert edited.notes == ()


def test_copies_away_from_dllpathex_are_edited_none_created_and_the_disagreement_noted():
    machine = Host().set(CLIENT, DLLPathEx=MSMAPI + "\\1033\\MSMAPI32.DLL").copy("C:\\Windows\\System32\\MAPISVC.INF")
    machine.dlls = [MSMAPI + "\\1033\\MSMAPI32.DLL"]
    found = machine.detect()
    assert found.mapisvc_paths == ("C:\\Windows\\System32\\MAPISVC.INF",)
    assert found.mapisvc_create == ()
    assert found.notes == ("DLLPathEx names %s\\1033\\MSMAPI32.DLL, but its folder holds no MAPISVC.INF; the copies "
                           "found (C:\\Windows\\System32\\MAPISVC.INF) are edited and none is created beside MAPI, "
                           "which would hide their services" % MSMAPI,)


@pytest.mark.parametrize("value, reason", [
    ("D:\\Gone\\MSMAPI32.DLL", "which is not on this host"),
    ("%CommonProgramFiles%\\System\\MSMAPI\\1033\\MSMAPI32.DLL", "names environment variables"),
    ("MSMAPI32.DLL", "not an absolute path"),
])
def test_a_dllpathex_that_cannot_be_used_is_noted_and_the_folders_found_decide(value, reason):
    machine = Host().set(CLIENT, DLLPathEx=value)
    machine.dlls = [MSMAPI + "\\1033\\MSMAPI32.DLL"]
    found = machine.detect()
    assert found.mapi_dll is None
    assert found.mapisvc_create == (MSMAPI + "\\1033\\MAPISVC.INF",)
    assert len(found.notes) == 1 and reason in found.notes[0]


def test_lcid_reference_names_a_users_key_and_is_not_followed_into_hklm():
    machine = Host(lcid=["Software\\Microsoft\\Office\\16.0\\Outlook", "LastUILanguage"])
    machine.set(SW + "\\Microsoft\\Office\\16.0\\Outlook", LastUILanguage="1036")
    machine.dlls = [MSMAPI + "\\2057\\MSMAPI32.DLL"]
    found = machine.detect()
    assert found.lcid is None
    assert found.mapisvc_create == (MSMAPI + "\\2057\\MAPISVC.INF",)


def test_click_to_run_without_msmapi32_creates_in_the_language_folder_of_the_virtual_file_system():
    machine = Host(office="c2r64", lcid=None)
    machine.folders = [VFS64 + "\\1033", VFS64 + "\\1031"]
    assert machine.detect().mapisvc_create == (VFS64 + "\\1031\\MAPISVC.INF",)
    machine.keys[CLIENT] = {"MSIApplicationLCID": "1033"}
    assert machine.detect().mapisvc_create == (VFS64 + "\\1033\\MAPISVC.INF",)


def test_no_copy_and_no_msmapi_folder_creates_in_the_system_directory_of_outlooks_bitness():
    assert Host(office="msi32").detect().mapisvc_create == ("C:\\Windows\\SysWOW64\\MAPISVC.INF",)


def test_override_paths_replace_detection_and_are_created_if_missing():
    machine = Host().copy("C:\\Windows\\System32\\MAPISVC.INF")
    machine.missing = ["E:\\Other\\MAPISVC.INF"]
    found = machine.detect(mapisvc_paths=["D:\\Image\\MAPISVC.INF", "d:\\image\\mapisvc.inf", "E:\\Other\\MAPISVC.INF"])
    assert found.mapisvc_paths == ("D:\\Image\\MAPISVC.INF", "E:\\Other\\MAPISVC.INF")
    assert [item.create for item in found.mapisvc_files] == [True, True]
    assert (found.mapisvc_override, found.mapisvc_create) == (True, ())
    assert found.notes == ("E:\\Other\\MAPISVC.INF (message_service_mapisvc_paths) does not exist; it is created",)


# --- What stops the role --------------------------------------------------------------------

def test_a_detection_key_that_could_not_be_read_is_a_problem():
    machine = Host()
    machine.key_errors[SW + MESSAGING] = "Requested registry access is not allowed."
    found = machine.detect()
    assert found.problems == ("registry: %s could not be read (Requested registry access is not allowed.); the host's "
                              "Office and MAPI cannot be told without it, so nothing was changed. Let the account "
                              "Ansible connects with read it" % (SW + MESSAGING),)


def test_a_mapisvc_copy_the_probe_could_not_read_is_a_problem():
    machine = Host()
    machine.errors = ["C:\\Windows\\System32\\MAPISVC.INF: Access to the path is denied"]
    found = machine.detect()
    assert len(found.problems) == 1
    assert found.problems[0].startswith("MAPISVC.INF: C:\\Windows\\System32\\MAPISVC.INF: Access to the path is denied")


# --- WOW64: shared keys are read in one view only -------------------------------------------

@pytest.mark.parametrize("key, shared", [
    ("Clients\\Mail\\Microsoft Outlook", True),
    ("HKLM:\\SOFTWARE\\Clients\\Mail\\Microsoft Outlook", True),
    ("Microsoft\\Windows NT\\CurrentVersion\\ProfileList", True),
    ("Classes\\CLSID\\{0}", False),
    ("Classes\\.txt", True),
    ("Microsoft\\Windows Messaging Subsystem", False),
    ("Microsoft\\Office\\16.0\\Outlook", False),
    ("Microsoft\\Active Setup\\Installed Components\\X", False),
    ("Contoso", False),
])
def test_wow64_shared_follows_microsofts_table(key, shared):
    assert host.wow64_shared(key) is shared


def test_no_detection_key_that_wow64_shares_is_read_under_wow6432node():
    for key in host.registry_keys():
        if key.upper().startswith(WOW.upper() + "\\"):
            assert not host.wow64_shared(key), key
    assert WOW + "\\Clients\\Mail\\Microsoft Outlook" not in host.registry_keys()


def test_32_bit_outlook_reads_the_shared_clients_key_under_software():
    machine = Host(office="msi32", lcid="1031")
    machine.dlls = [MSMAPI86 + "\\1031\\MSMAPI32.DLL", MSMAPI86 + "\\1033\\MSMAPI32.DLL"]
    assert machine.detect().lcid == "1031"


class RecordingRegistry(probe.Registry):
    def __init__(self, inner, asked):
        super().__init__({})
        self.inner, self.asked = inner, asked

    def __getattribute__(self, name):
        if name in ("exists", "value", "text", "type", "sub_keys", "error"):
            inner, asked = object.__getattribute__(self, "inner"), object.__getattribute__(self, "asked")

            def recorded(path, *args):
                asked.add(path.upper())
                return getattr(inner, name)(path, *args)
            return recorded
        return object.__getattribute__(self, name)


@pytest.mark.parametrize("machine", [
    Host(), Host(office="msi32"), Host(windows="x86", office="msi32"), Host(office="c2r64"), Host(office="c2r32"),
    Host(office="none"), Host(version="14.0"), Host(office="none").set(C2R_2013),
    Host().set(CLIENT, DLLPathEx=MSMAPI + "\\1033\\MSMAPI32.DLL"),
])
def test_registry_keys_cover_every_key_detect_reads(machine):
    asked = set()
    read = probe.read(machine.answer())
    recording = dataclasses.replace(read, registry=RecordingRegistry(read.registry, asked))
    for version in ("auto", "15.0"):
        host.detect(recording, office_version=version)
    assert asked
    assert asked <= {key.upper() for key in host.registry_keys()}


def test_as_dict_gives_the_roles_target_shape():
    found = Host().copy(MSMAPI + "\\1033\\MAPISVC.INF").detect().as_dict()
    assert found["mapisvc_files"] == [{"path": MSMAPI + "\\1033\\MAPISVC.INF", "create": False}]
    assert found["msmapi_roots"] == [{"path": MSMAPI, "kind": "msi", "verified": True}]
    assert found["notes"] == [] and found["problems"] == [] and found["mapisvc_create"] == []
    for name in ("windows_arch", "office_install", "office_bitness", "office_version", "mapi_present",
                 "mapi_other_view", "lcid", "program_files", "program_files_dirs", "common_files", "system_root",
                 "system_dir", "registry_software_root", "system_mapisvc", "search_paths", "mapisvc_paths",
                 "mapisvc_override"):
        assert name in found


def test_target_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Host().detect().office_version = "15.0"
