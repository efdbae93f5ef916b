# -*- coding: utf-8 -*-
"""The default-profile core (plugins/plugin_utils/profile.py): its settings, the PRF text and who
counts as a user (the per-user plan is in test_core_profile_plan.py).

The PRF is read back with the collection's own Windows INI reader (ini.py), so each test checks
what Outlook's INI reading would see, not our own spelling of it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from ansible_collections.mapi.messaging.plugins.plugin_utils import ini, profile

TARGET = {"install_dir": "C:\\Program Files\\Contoso", "office_version": "16.0"}
ALICE = "S-1-5-21-1004336348-1177238915-682003330-1001"
BOB = "S-1-5-21-1004336348-1177238915-682003330-1002"


def contoso(**overrides):
    spec = {
        "properties": [
            {"name": "ServerName", "type": "PT_STRING8", "tag": "0x6700", "value": "dir.contoso.example"},
            {"name": "Port", "type": "PT_LONG", "tag": "0x6701", "value": 389},
            {"name": "UseSSL", "type": "PT_BOOLEAN", "tag": "0x6702", "value": True},
            {"name": "Realm", "type": "PT_UNICODE", "tag": "6703", "value": "CONTOSO"},
        ],
    }
    spec.update(overrides)
    return spec


def resolve(spec=None, service="CONTOSO", display_name="Contoso Connector", target=None):
    """Settings for ``spec``; ``target`` None means TARGET (give ``{}`` for no preflight facts)."""
    return profile.settings(spec, service, display_name=display_name, target=TARGET if target is None else target)


def read(prf_text):
    return ini.parse(prf_text.encode("ascii"))


def problems_of(spec=None, **kwargs):
    with pytest.raises(profile.ProfileError) as caught:
        resolve(spec, **kwargs)
    return caught.value.problems


# --- PRF text -------------------------------------------------------------------------------

def test_general_section_creates_a_default_profile_without_backup_copies():
    doc = read(resolve(contoso())["prf"])
    assert doc.get("General", "Custom") == "1"
    assert doc.get("General", "ProfileName") == "Outlook"
    assert doc.get("General", "DefaultProfile") == "Yes"
    assert doc.get("General", "OverwriteProfile") == "No"
    assert doc.get("General", "ModifyDefaultProfileIfPresent") == "FALSE"
    assert doc.get("General", "BackupProfile") == "No"


def test_service_list_names_the_friendly_name_and_its_mapping_section_names_the_service():
    doc = read(resolve(contoso())["prf"])
    assert doc.get("Service List", "Service1") == "Contoso Connector"
    assert doc.get("Contoso Connector", "ServiceName") == "CONTOSO"


def test_each_property_has_a_value_in_service1_and_a_type_and_tag_in_the_mapping_section():
    doc = read(resolve(contoso())["prf"])
    assert doc.get("Service1", "UniqueService") == "Yes"
    assert doc.get("Service1", "ServerName") == "dir.contoso.example"
    assert doc.get("Service1", "Port") == "389"
    assert doc.get("Service1", "UseSSL") == "TRUE"
    assert doc.get("Service1", "Realm") == "CONTOSO"
    assert doc.get("Contoso Connector", "ServerName") == "PT_STRING8,0x6700"
    assert doc.get("Contoso Connector", "Port") == "PT_LONG,0x6701"
    assert doc.get("Contoso Connector", "UseSSL") == "PT_BOOLEAN,0x6702"
    assert doc.get("Contoso Connector", "Realm") == "PT_UNICODE,0x6703"


def test_prf_is_ascii_with_crlf_and_no_bom():
    text = resolve(contoso())["prf"]
    data = text.encode("ascii")
    assert not data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xff\xfe")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.endswith(b"\r\n")


def test_no_duplicate_sections_or_keys():
    doc = read(resolve(contoso())["prf"])
    assert doc.duplicate_sections() == []
    for section in doc.sections:
        names = [ini.fold(line.name) for line in section.entries()]
        assert len(names) == len(set(names)), section.name


def test_options_change_the_general_section():
    spec = contoso(name="Contoso", default_profile=False, overwrite="Append",
                   modify_default_profile_if_present=True, unique_service=False)
    doc = read(resolve(spec)["prf"])
    assert doc.get("General", "ProfileName") == "Contoso"
    assert doc.get("General", "DefaultProfile") == "No"
    assert doc.get("General", "OverwriteProfile") == "Append"
    assert doc.get("General", "ModifyDefaultProfileIfPresent") == "TRUE"
    assert doc.get("Service1", "UniqueService") is None


@pytest.mark.parametrize("given_value,written", [(False, "No"), (True, "Yes"), ("no", "No"), ("YES", "Yes"), ("append", "Append")])
def test_overwrite_accepts_yaml_booleans_and_any_case(given_value, written):
    assert resolve({"overwrite": given_value})["overwrite"] == written


def test_friendly_name_defaults_to_display_name_then_service():
    assert resolve({})["friendly_name"] == "Contoso Connector"
    assert resolve({}, display_name=None)["friendly_name"] == "CONTOSO"
    assert resolve({"friendly_name": "Contoso Directory"})["friendly_name"] == "Contoso Directory"


def test_empty_and_null_profile_use_every_default():
    assert resolve(None) == resolve({})
    doc = read(resolve(None)["prf"])
    assert doc.get("Service List", "Service1") == "Contoso Connector"
    assert [line.name for line in doc.section("Service1").entries()] == ["UniqueService"]


@pytest.mark.parametrize("value,written", [(0, "0"), (4294967295, "4294967295"), (-1, "4294967295"),
                                           ("0x40000000", "0x40000000"), ("12", "12")])
def test_pt_long_values(value, written):
    spec = {"properties": [{"name": "Flags", "type": "PT_LONG", "tag": "0x6600", "value": value}]}
    assert read(resolve(spec)["prf"]).get("Service1", "Flags") == written


# --- paths, Active Setup --------------------------------------------------------------------

def test_paths_default_under_the_install_folder():
    resolved = resolve({})
    assert resolved["prf_path"] == "C:\\Program Files\\Contoso\\CONTOSO.prf"
    assert resolved["script_path"] == "C:\\Program Files\\Contoso\\message_service_profile.ps1"


def test_stub_path_runs_the_script_with_both_prfs_the_office_version_the_service_and_the_modes():
    resolved = resolve({"existing_profiles": "add"},
                       target={"install_dir": "C:\\Program Files (x86)\\Contoso\\", "office_version": "15.0"})
    assert resolved["stub_path"] == (
        '"%SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -NoProfile -NonInteractive '
        '-ExecutionPolicy Bypass -WindowStyle Hidden -File "C:\\Program Files (x86)\\Contoso\\message_service_profile.ps1" '
        '-PrfPath "C:\\Program Files (x86)\\Contoso\\CONTOSO.prf" '
        '-AppendPrfPath "C:\\Program Files (x86)\\Contoso\\CONTOSO-append.prf" -OfficeVersion 15.0 '
        '-ServiceName "CONTOSO" -ExistingProfiles add -NewProfiles leave')


def test_active_setup_keys_and_version():
    resolved = resolve({"active_setup_version": "1,0,0,2"})
    assert resolved["active_setup_key"] == "HKLM:\\SOFTWARE\\Microsoft\\Active Setup\\Installed Components\\mapi.messaging.CONTOSO.profile"
    assert resolved["user_active_setup_key"] == "Software\\Microsoft\\Active Setup\\Installed Components\\mapi.messaging.CONTOSO.profile"
    assert resolved["active_setup_version"] == "1,0,0,2"
    assert resolve({"active_setup_version": 3})["active_setup_version"] == "3"


def test_office_version_defaults_to_16_and_selects_the_keys():
    resolved = resolve({}, target={"install_dir": "C:\\Program Files\\X"})
    assert resolved["office_version"] == "16.0"
    assert resolved["setup_key"] == "Software\\Microsoft\\Office\\16.0\\Outlook\\Setup"
    assert resolved["profile_keys"] == [
        "Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles",
        "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"]


def test_before_outlook_2013_only_the_messaging_subsystem_profiles_count():
    assert profile.profile_keys("14.0") == [
        "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"]


def test_explicit_paths_do_not_need_preflight():
    resolved = resolve({"prf_path": "C:\\Program Files\\Profiles\\contoso.prf",
                        "script_path": "C:\\Program Files\\Profiles\\as.ps1"}, target={})
    assert resolved["prf_path"] == "C:\\Program Files\\Profiles\\contoso.prf"
    assert "C:\\Program Files\\Profiles\\as.ps1" in resolved["stub_path"]


# --- refusals -------------------------------------------------------------------------------

@pytest.mark.parametrize("field,spec,needle", [
    ("name", {"name": "Sales [EU]"}, "message_service_profile.name"),
    ("name", {"name": "Büro"}, "message_service_profile.name"),
    ("friendly_name", {"friendly_name": "A=B"}, "message_service_profile.friendly_name"),
    ("overwrite", {"overwrite": "sometimes"}, "message_service_profile.overwrite"),
    ("default_profile", {"default_profile": "yes"}, "message_service_profile.default_profile"),
    ("unknown", {"nmae": "x"}, "unknown keys nmae"),
    ("prf_path", {"prf_path": "relative.prf"}, "message_service_profile.prf_path"),
    ("prf_path", {"prf_path": 'C:\\a"b.prf'}, "message_service_profile.prf_path"),
    ("active_setup_id", {"active_setup_id": "a\\b"}, "message_service_profile.active_setup_id"),
    ("active_setup_version", {"active_setup_version": "1.2"}, "message_service_profile.active_setup_version"),
])
def test_bad_general_options_are_named(field, spec, needle):
    problems = problems_of(spec)
    assert any(needle in problem for problem in problems), problems


@pytest.mark.parametrize("prop,needle", [
    ({"name": "Server Name", "tag": "0x6700", "value": "x"}, "properties[0].name"),
    ({"name": "ServiceName", "tag": "0x6700", "value": "x"}, "used by the PRF format"),
    ({"name": "X", "tag": "0x67000", "value": "x"}, "properties[0].tag"),
    ({"name": "X", "type": "PT_BINARY", "tag": "0x6700", "value": "00"}, "properties[0].type"),
    ({"name": "X", "tag": "0x6700"}, "properties[0].value: required"),
    ({"name": "X", "tag": "0x6700", "value": "caf\u00e9"}, "printable ASCII"),
    ({"name": "X", "tag": "0x6700", "value": "a\r\nServiceName=EVIL"}, "printable ASCII"),
    ({"name": "X", "tag": "0x6700", "value": " padded"}, "blanks"),
    ({"name": "X", "type": "PT_LONG", "tag": "0x6700", "value": True}, "boolean"),
    ({"name": "X", "type": "PT_LONG", "tag": "0x6700", "value": 2 ** 32}, "32 bits"),
    ({"name": "X", "type": "PT_LONG", "tag": "0x6700", "value": "ten"}, "PT_LONG needs"),
    ({"name": "X", "type": "PT_BOOLEAN", "tag": "0x6700", "value": "yes"}, "true or false"),
])
def test_bad_properties_are_named(prop, needle):
    problems = problems_of({"properties": [prop]})
    assert any(needle in problem for problem in problems), problems


def test_repeated_property_names_and_ids_are_refused():
    problems = problems_of({"properties": [
        {"name": "Server", "tag": "0x6700", "value": "a"},
        {"name": "SERVER", "tag": "0x6701", "value": "b"},
        {"name": "Other", "tag": "6700", "value": "c"}]})
    assert any("properties[1].name" in p and "repeats properties[0]" in p for p in problems), problems
    assert any("properties[2].tag" in p and "repeats properties[0]" in p for p in problems), problems


def test_every_problem_is_reported_at_once():
    problems = problems_of({"name": "[x]", "overwrite": 3, "properties": [{"name": "1x", "tag": "z", "value": 1}]},
                           target={"office_version": "sixteen"})
    assert len(problems) >= 5, problems


def test_missing_install_dir_says_to_run_preflight():
    problems = problems_of({}, target={})
    assert any("message_service_target.install_dir" in p and "preflight" in p for p in problems), problems


def test_service_name_must_fit_the_prf():
    problems = problems_of({}, service="CON=TOSO")
    assert any(p.startswith("message_service_name") for p in problems), problems


# --- generated: whatever passes the checks reads back unchanged -----------------------------

SAFE_NAME = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9 ._()&+,'-]{0,20}[A-Za-z0-9)]\Z")
KEY = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,15}\Z").filter(
    lambda name: name.lower() not in {key.lower() for key in profile.RESERVED_KEYS})
TEXT = st.from_regex(r"\A[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?\Z")


@st.composite
def specs(draw):
    names = draw(st.lists(KEY, max_size=6, unique_by=str.lower))
    ids = draw(st.lists(st.integers(0x6600, 0x67FF), min_size=len(names), max_size=len(names), unique=True))
    props = []
    for name, prop_id in zip(names, ids):
        ptype = draw(st.sampled_from(profile.PROPERTY_TYPES))
        if ptype == "PT_LONG":
            value = draw(st.integers(0, 0xFFFFFFFF))
        elif ptype == "PT_BOOLEAN":
            value = draw(st.booleans())
        else:
            value = draw(TEXT)
        props.append({"name": name, "type": ptype, "tag": "0x%04X" % prop_id, "value": value})
    return {"name": draw(SAFE_NAME), "friendly_name": draw(SAFE_NAME), "properties": props}


@hypothesis_settings(max_examples=150, deadline=None)
@given(specs())
def test_generated_profiles_read_back_as_declared(spec):
    resolved = resolve(spec)
    doc = read(resolved["prf"])
    assert doc.get("General", "ProfileName") == spec["name"]
    friendly = spec["friendly_name"]
    assert doc.get("Service List", "Service1") == friendly
    assert doc.get(friendly, "ServiceName") == "CONTOSO"
    for prop in spec["properties"]:
        value = prop["value"]
        expected = ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value)
        assert doc.get("Service1", prop["name"]) == expected
        assert doc.get(friendly, prop["name"]) == "%s,%s" % (prop["type"], prop["tag"])


# --- who counts as a user ------------------------------------------------------------------

def test_user_sids_keep_only_real_accounts():
    keys = [".DEFAULT", "S-1-5-18", "S-1-5-19", "S-1-5-20", ALICE, ALICE + "_Classes", BOB, "S-1-5-21-x"]
    assert profile.user_sids(keys) == [ALICE, BOB]


# --- where the PRF and the script may live ---------------------------------------------------

@pytest.mark.parametrize("folder", [
    "C:\\Users\\Public", "C:\\Users\\alice\\AppData\\Local\\Temp", "C:\\ProgramData\\Contoso", "C:\\Windows\\Temp",
    "C:\\Windows\\System32", "D:\\Apps\\Contoso", "C:\\Contoso", "C:\\Program Files\\Contoso\\..\\..\\Users\\Public",
    "C:\\Program Files\\.\\Contoso", "C:\\Program Files", "C:\\Program Files\\Microsoft Office\\root\\Office16"])
@pytest.mark.parametrize("key, name", [("prf_path", "contoso.prf"), ("script_path", "as.ps1")])
def test_a_prf_or_script_where_ordinary_users_could_write_is_refused(folder, key, name):
    problems = problems_of({key: folder + "\\" + name})
    assert [problem.split(":", 1)[0] for problem in problems] == ["message_service_profile." + key], problems


@pytest.mark.parametrize("path", ["\\\\server\\share\\contoso.prf", "%TEMP%\\contoso.prf", "CON", "C:\\Program Files\\Contoso\\CON.prf",
                                  "C:\\Program Files\\Contoso\\contoso.exe", "C:\\Program Files\\Contoso\\a\r\nb.prf"])
def test_a_prf_path_that_is_not_a_prf_file_in_a_local_folder_is_refused(path):
    problems = problems_of({"prf_path": path})
    assert [problem.split(":", 1)[0] for problem in problems] == ["message_service_profile.prf_path"], problems


def test_the_default_install_folder_outside_program_files_needs_explicit_paths():
    problems = problems_of({}, target={"install_dir": "D:\\Apps\\Contoso"})
    assert [problem.split(":", 1)[0] for problem in problems] == [
        "message_service_profile.prf_path", "message_service_profile.script_path"]
    assert "Program Files" in problems[0]


def test_the_hosts_own_program_files_folders_are_used():
    target = dict(TARGET, install_dir="E:\\Apps\\Contoso", program_files_dirs=["E:\\Apps"])
    assert resolve({}, target=target)["prf_path"] == "E:\\Apps\\Contoso\\CONTOSO.prf"
    assert problems_of({}, target=dict(TARGET, program_files_dirs=["E:\\Apps"]))


# --- paths in the Active Setup command (a REG_EXPAND_SZ, expanded per user at logon) -------------

@pytest.mark.parametrize("key, path", [("prf_path", "C:\\Program Files\\%USERNAME%\\contoso.prf"),
                                       ("prf_path", "C:\\Program Files\\Contoso\\100%.prf"),
                                       ("script_path", "C:\\Program Files\\Contoso\\%APPDATA%.ps1")])
def test_a_percent_sign_in_a_path_is_refused_naming_the_path_and_the_fix(key, path):
    problems = problems_of({key: path})
    assert [problem.split(":", 1)[0] for problem in problems] == ["message_service_profile." + key], problems
    assert "'%'" in problems[0] and "in full" in problems[0]


def test_a_percent_sign_in_the_install_folder_is_refused_naming_it_when_the_paths_default_under_it():
    problems = problems_of({}, target=dict(TARGET, install_dir="C:\\Program Files\\%USERNAME%\\Contoso"))
    assert [problem.split(":", 1)[0] for problem in problems] == ["message_service_install_dir"] * 2, problems
    assert "message_service_profile.prf_path" in problems[0] and "message_service_profile.script_path" in problems[1]
    # Explicit paths do not go under it.
    resolve({"prf_path": "C:\\Program Files\\Contoso\\c.prf", "script_path": "C:\\Program Files\\Contoso\\s.ps1"},
            target=dict(TARGET, install_dir="C:\\Program Files\\%USERNAME%\\Contoso"))


@pytest.mark.parametrize("spec, service", [({"prf_path": "C:\\Program Files\\Contoso\\Outlook-Append.PRF"}, "CONTOSO"),
                                           ({}, "CONTOSO-append")])
def test_a_prf_named_like_the_prf_for_existing_profiles_of_another_is_refused(spec, service):
    # C:\Program Files\Contoso\CONTOSO-append.prf is CONTOSO's PRF for existing profiles: the
    # service CONTOSO-append in the same folder must not write (or remove) its PRF there.
    problems = problems_of(spec, service=service)
    assert [problem.split(":", 1)[0] for problem in problems] == ["message_service_profile.prf_path"], problems
    assert "-append.prf" in problems[0]
