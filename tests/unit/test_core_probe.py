# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe's parameters and the typed reading of its result (plugins/plugin_utils/probe.py)."""

from __future__ import annotations

import base64
import copy
import hashlib
import re

import pytest

from ansible_collections.mapi.messaging.plugins.plugin_utils import probe

HKLM_OUTLOOK = "HKLM:\\SOFTWARE\\Clients\\Mail\\Microsoft Outlook"
VENDOR = "HKLM:\\SOFTWARE\\Contoso\\Connector"


def answer(**parts):
    """A registered win_powershell result of the probe: every part empty unless given."""
    body = {
        "probe": probe.PROBE_VERSION,
        "registry": [],
        "values": [],
        "paths": [],
        "mapisvc": {"searched": [], "copies": [], "missing": [], "msmapi_dlls": [], "language_folders": [],
                    "errors": []},
        "users": {"loaded": [], "keys": [], "profiles": []},
        "in_use": {"outlook": [], "locked": []},
        "errors": [],
    }
    for name, value in parts.items():
        if name in body["mapisvc"]:
            body["mapisvc"][name] = value
        else:
            body[name] = value
    return {"changed": False, "failed": False, "result": body, "output": [], "error": []}


def key(path, values=None, sub_keys=(), exists=True, error=None):
    return {"key": path, "exists": exists, "error": error, "sub_keys": list(sub_keys),
            "values": {name: {"type": kind, "data": data} for name, (kind, data) in (values or {}).items()}}


def copy_of(path, content):
    return {"path": path, "content": base64.b64encode(content).decode(), "sha1": hashlib.sha1(content).hexdigest(),
            "size": len(content)}


def test_parameters_name_every_key_and_drop_case_only_repeats():
    params = probe.parameters(
        registry_keys=["HKLM:\\SOFTWARE\\A", "hklm:\\software\\a"], values=[], paths=["C:\\X\\a.dll"],
        mapisvc_paths=[], user_keys=["Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles"], in_use_paths=[])
    assert params == {"RegistryKeys": ["HKLM:\\SOFTWARE\\A"], "Values": [], "Paths": ["C:\\X\\a.dll"],
                      "MapisvcPaths": [], "UserKeys": ["Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles"],
                      "InUsePaths": [], "ProfileKeys": []}


def test_a_value_asked_twice_is_secret_when_either_asks_so():
    params = probe.parameters(registry_keys=[], paths=[], mapisvc_paths=[], user_keys=[], in_use_paths=[], values=[
        {"key": VENDOR, "name": "Token", "secret": False}, {"key": VENDOR.upper(), "name": "TOKEN", "secret": True},
        {"key": VENDOR, "name": None, "secret": False}, {"key": VENDOR, "name": "Server"}])
    assert params["Values"] == [{"key": VENDOR, "name": "Token", "secret": True},
                                {"key": VENDOR, "name": None, "secret": False},
                                {"key": VENDOR, "name": "Server", "secret": True}]


def test_parameters_refuse_a_value_without_a_key():
    with pytest.raises(ValueError, match=r"values\[0\]"):
        probe.parameters(registry_keys=[], values=[{"name": "x"}], paths=[], mapisvc_paths=[], user_keys=[],
                         in_use_paths=[])


@pytest.mark.parametrize("reg_type, data, text", [
    ("REG_SZ", "C:\\x", "C:\\x"),
    ("REG_EXPAND_SZ", "%ProgramFiles%\\x", "%ProgramFiles%\\x"),
    ("REG_MULTI_SZ", ["a", "b"], "a\nb"),
    ("REG_DWORD", 1, "1"),
    ("REG_DWORD", -1, "4294967295"),
    ("REG_QWORD", 2 ** 40, str(2 ** 40)),
    ("REG_BINARY", "00FF", "00ff"),
    ("REG_BINARY", b"\x00\xff", "00ff"),
    ("REG_NONE", "", ""),
])
def test_canonical_sha256_hashes_the_documented_form(reg_type, data, text):
    assert probe.canonical_sha256(reg_type, data) == hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("reg_type, data", [
    ("REG_DWORD", 2 ** 32), ("REG_DWORD", True), ("REG_SZ", 1), ("REG_MULTI_SZ", "a"), ("REG_BINARY", "0g"),
    ("REG_BINARY", "abc"), ("REG_LINK", "x"),
])
def test_canonical_sha256_refuses_data_of_another_form(reg_type, data):
    with pytest.raises(ValueError):
        probe.canonical_sha256(reg_type, data)


def test_registry_keys_are_read_with_types_sub_keys_and_windows_case_rules():
    read = probe.read(answer(registry=[
        key(HKLM_OUTLOOK, {"DLLPathEx": ("REG_SZ", "C:\\M\\MSMAPI32.DLL"), "Flags": ("REG_DWORD", 7),
                           "Bin": ("REG_BINARY", "0A0b")}, sub_keys=["Protocols"]),
        key("HKLM:\\SOFTWARE\\Missing", exists=False),
        key("HKLM:\\SOFTWARE\\Denied", exists=False, error="Access is denied"),
    ]))
    registry = read.registry
    assert registry.text(HKLM_OUTLOOK.upper(), "dllpathex") == "C:\\M\\MSMAPI32.DLL"
    assert registry.value(HKLM_OUTLOOK, "flags") == 7
    assert registry.value(HKLM_OUTLOOK, "bin") == "0a0b"
    assert registry.type(HKLM_OUTLOOK, "FLAGS") == "REG_DWORD"
    assert registry.sub_keys(HKLM_OUTLOOK + "\\") == ("Protocols",)
    assert registry.exists(HKLM_OUTLOOK) and not registry.exists("HKLM:\\SOFTWARE\\Missing")
    assert registry.error("hklm:\\software\\denied") == "Access is denied"
    assert registry.error(HKLM_OUTLOOK) is None


def test_non_ascii_names_fold_as_windows_folds_them():
    # Windows upper-cases one UTF-16 unit at a time: the sharp s has no one-unit upper case,
    # so "STRASSE" and "straße" are two names (casefold would make them one).
    read = probe.read(answer(registry=[key(VENDOR, {"straße": ("REG_SZ", "a"), "ÄRGER": ("REG_SZ", "b")})]))
    assert read.registry.value(VENDOR, "STRASSE") is None
    assert read.registry.value(VENDOR, "Straße") == "a"
    assert read.registry.value(VENDOR, "ärger") == "b"


def test_declared_values_keep_data_only_when_not_secret():
    digest = probe.canonical_sha256("REG_SZ", "s3cret")
    read = probe.read(answer(values=[
        {"key": VENDOR, "name": "Server", "key_exists": True, "exists": True, "type": "REG_SZ", "data": "mail",
         "sha256": None, "error": None},
        {"key": VENDOR, "name": "Token", "key_exists": True, "exists": True, "type": "REG_SZ", "sha256": digest,
         "error": None},
        {"key": VENDOR + "\\Sub", "name": None, "key_exists": False, "exists": False, "type": None,
         "error": None},
    ]))
    assert read.value(VENDOR.lower(), "SERVER").data == "mail"
    token = read.value(VENDOR, "token")
    assert (token.data, token.sha256) == (None, digest)
    assert read.value(VENDOR + "\\SUB", None).key_exists is False
    assert read.value(VENDOR, "Other") is None


def test_paths_are_found_as_given_and_as_expanded():
    read = probe.read(answer(paths=[{"path": "%ProgramFiles%\\Contoso\\a.dll", "expanded": "C:\\Program Files\\Contoso\\a.dll",
                                     "exists": True, "directory": False, "size": 3, "sha256": "ab" * 32, "error": None}]))
    assert read.path("c:\\program files\\contoso\\A.DLL").sha256 == "ab" * 32
    assert read.path("%PROGRAMFILES%\\Contoso\\a.dll").size == 3


def test_mapisvc_copies_are_decoded_and_their_sha1_checked():
    content = b"[Services]\r\nMSEMS=Microsoft Exchange Server\r\n"
    read = probe.read(answer(copies=[copy_of("C:\\M\\1033\\MAPISVC.INF", content)],
                             msmapi_dlls=["C:\\M\\1033\\MSMAPI32.DLL"], language_folders=["C:\\M\\1033"],
                             missing=["D:\\X\\MAPISVC.INF"], searched=["C:\\M"], errors=[]))
    assert read.copies == (probe.MapisvcCopy("C:\\M\\1033\\MAPISVC.INF", content, hashlib.sha1(content).hexdigest()),)
    assert (read.msmapi_dlls, read.language_folders, read.missing) == (
        ("C:\\M\\1033\\MSMAPI32.DLL",), ("C:\\M\\1033",), ("D:\\X\\MAPISVC.INF",))
    damaged = copy_of("C:\\M\\MAPISVC.INF", content)
    damaged["sha1"] = "0" * 40
    with pytest.raises(probe.ProbeError, match=r"mapisvc\.copies\[0\]\.sha1"):
        probe.read(answer(copies=[damaged]))


def test_a_copy_without_content_is_not_a_copy_and_is_an_error_once():
    big = {"path": "C:\\M\\MAPISVC.INF", "content": None, "sha1": None, "size": 2 ** 27}
    read = probe.read(answer(copies=[big], errors=[]))
    assert read.copies == ()
    assert read.mapisvc_errors == ("C:\\M\\MAPISVC.INF: its content was not returned",)
    named = probe.read(answer(copies=[big], errors=["c:\\m\\mapisvc.inf is 134217728 bytes, more than 67108864"]))
    assert named.mapisvc_errors == ("c:\\m\\mapisvc.inf is 134217728 bytes, more than 67108864",)


def test_users_and_in_use_are_read():
    read = probe.read(answer(
        users={"loaded": ["S-1-5-21-1-2-3-1001"], "keys": [
            {"sid": "S-1-5-21-1-2-3-1001", "key": "Software\\Microsoft\\Office\\16.0\\Outlook", "exists": True,
             "values": {"DefaultProfile": {"type": "REG_SZ", "data": "Outlook"}}, "sub_keys": ["Profiles"],
             "error": None}], "profiles": []},
        in_use={"outlook": [{"id": 42, "session": 1}], "locked": [{"path": "C:\\X\\a.dll", "error": "in use"}]}))
    state = read.users.key("S-1-5-21-1-2-3-1001", "SOFTWARE\\MICROSOFT\\OFFICE\\16.0\\OUTLOOK")
    assert state.values.text(state.key, "defaultprofile") == "Outlook"
    assert state.sub_keys == ("Profiles",)
    assert read.outlook == (probe.OutlookProcess(42, 1),)
    assert read.locked == (probe.LockedFile("C:\\X\\a.dll", "in use"),)


PROFILES_16 = "Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles"


def test_parameters_pass_profile_keys_once_whatever_their_case():
    params = probe.parameters(registry_keys=[], values=[], paths=[], mapisvc_paths=[], user_keys=[], in_use_paths=[],
                              profile_keys=[PROFILES_16, PROFILES_16.upper()])
    assert params["ProfileKeys"] == [PROFILES_16]


def profile_set(sid="S-1-5-21-1-2-3-1001", key=PROFILES_16, profiles=(), **fields):
    entry = {"sid": sid, "key": key, "exists": True, "default": None, "parent_default": None,
             "profiles": list(profiles), "error": None}
    entry.update(fields)
    return entry


def test_profile_sets_are_read_by_sid_and_key_without_case():
    read = probe.read(answer(users={"loaded": ["S-1-5-21-1-2-3-1001"], "keys": [], "profiles": [profile_set(
        parent_default="Outlook", profiles=[
            {"name": "Outlook", "services": ["MSEMS", "CONTOSO", "contoso"], "error": None},
            {"name": "Broken", "services": [], "error": "section 0a: value '001f3d09' is not REG_BINARY"}])]}))
    found = read.users.profile_set("s-1-5-21-1-2-3-1001", PROFILES_16.upper() + "\\")
    assert found == probe.ProfileSet(
        sid="S-1-5-21-1-2-3-1001", key=PROFILES_16, exists=True, default=None, parent_default="Outlook",
        profiles=(probe.ProfileState("Outlook", ("MSEMS", "CONTOSO"), None),
                  probe.ProfileState("Broken", (), "section 0a: value '001f3d09' is not REG_BINARY")),
        error=None)
    assert read.users.profile_set("S-1-5-21-1-2-3-1002", PROFILES_16) is None


def test_a_profile_key_not_asked_reads_as_none():
    read = probe.read(answer(users={"loaded": ["S-1-5-21-1-2-3-1001"], "keys": [], "profiles": []}))
    assert read.users.profile_set("S-1-5-21-1-2-3-1001", PROFILES_16) is None


def test_an_answer_of_this_version_without_profile_sets_is_refused():
    # Every answer of this contract version carries users.profiles (empty when none asked):
    # one without it was shaped by another release, and its users would be counted as unread.
    with pytest.raises(probe.ProbeError, match=r"result\.users\.profiles should be present"):
        probe.read(answer(users={"loaded": ["S-1-5-21-1-2-3-1001"], "keys": []}))


def test_profiles_under_a_key_that_does_not_exist_are_refused():
    # Read as "no profiles", they would have a user without profiles get a new one created.
    entry = profile_set(exists=False, profiles=[{"name": "Outlook", "services": ["MSEMS"], "error": None}])
    with pytest.raises(probe.ProbeError, match=r"result\.users\.profiles\[0\]\.profiles should be empty, as exists "
                                               r"is false .*got 1 profiles"):
        probe.read(answer(users={"loaded": [], "keys": [], "profiles": [entry]}))


def test_a_default_profile_of_a_key_that_does_not_exist_is_refused():
    entry = profile_set(exists=False, default="Outlook")
    with pytest.raises(probe.ProbeError, match=r"result\.users\.profiles\[0\]\.default should be null"):
        probe.read(answer(users={"loaded": [], "keys": [], "profiles": [entry]}))


def test_a_key_absent_with_only_its_parents_default_is_read():
    # Office 16's DefaultProfile lives in the parent, which exists before any profile does.
    read = probe.read(answer(users={"loaded": [], "keys": [], "profiles": [
        profile_set(exists=False, parent_default="Outlook")]}))
    assert read.users.profile_set("S-1-5-21-1-2-3-1001", PROFILES_16).parent_default == "Outlook"


@pytest.mark.parametrize("again", [
    profile_set(),
    profile_set(sid="s-1-5-21-1-2-3-1001", key=PROFILES_16.upper() + "\\"),
])
def test_a_profile_key_answered_twice_for_a_user_is_refused(again):
    # Last-wins would let a clean entry hide one that says the key could not be read.
    first = profile_set(error="Requested registry access is not allowed.")
    with pytest.raises(probe.ProbeError, match=r"(?i)result\.users\.profiles\[1\] should be the only entry of SID "
                                               r"'S-1-5-21-1-2-3-1001' .*got a repeat of users\.profiles\[0\]"):
        probe.read(answer(users={"loaded": [], "keys": [], "profiles": [first, again]}))


def test_profile_keys_asked_twice_are_asked_once_as_the_answer_is_read():
    params = probe.parameters(registry_keys=[], values=[], paths=[], mapisvc_paths=[], user_keys=[], in_use_paths=[],
                              profile_keys=[PROFILES_16, "LEGACY", PROFILES_16.lower() + "\\", "legacy"])
    assert params["ProfileKeys"] == [PROFILES_16, "LEGACY"]


def test_hkey_users_that_could_not_be_listed_is_the_users_error():
    error = probe.HKU_UNLISTED + "Requested registry access is not allowed."
    unlisted, other = answer(), answer()
    unlisted["result"]["errors"], other["result"]["errors"] = [error], ["something else"]
    read = probe.read(unlisted)
    assert read.users.error == error and read.users.loaded == ()
    assert probe.read(other).users.error is None


def test_a_long_value_is_shown_by_its_start_type_and_length():
    text = probe.shown("x" * 1000000)
    assert len(text) < 100 and text.endswith("... (str of length 1000000)")
    assert probe.shown("short") == "'short'"


@pytest.mark.parametrize("secret", ["password=hunter2" * 10, "https://admin:S3cr3t@repo.example/x", "Bearer abc.def"])
def test_a_credential_looking_value_is_never_quoted(secret):
    text = probe.shown(secret)
    assert "hunter2" not in text and "S3cr3t" not in text and "abc.def" not in text
    assert text == "'********' (str of length %d)" % len(secret)


@pytest.mark.parametrize("change, where", [
    (lambda entry: entry.update(exists="yes"), "users.profiles[0].exists"),
    (lambda entry: entry.update(default=1), "users.profiles[0].default"),
    (lambda entry: entry.update(profiles="Outlook"), "users.profiles[0].profiles"),
    (lambda entry: entry["profiles"].append({"name": "Outlook", "services": "MSEMS", "error": None}),
     "users.profiles[0].profiles[0].services"),
    (lambda entry: entry.pop("sid"), "users.profiles[0].sid"),
])
def test_a_profile_set_of_another_shape_is_refused_with_its_path(change, where):
    entry = profile_set()
    change(entry)
    with pytest.raises(probe.ProbeError, match=r"result\.%s " % re.escape(where)):
        probe.read(answer(users={"loaded": [], "keys": [], "profiles": [entry]}))


def test_constrained_language_mode_is_named_with_its_fix():
    result = {"failed": True, "msg": "script failed", "error": [{"exception": {
        "message": "PowerShell runs in ConstrainedLanguage mode on this host"}, "error_details": None}]}
    with pytest.raises(probe.ProbeError, match="FullLanguage mode"):
        probe.read(result)


def test_a_failed_probe_names_the_error():
    with pytest.raises(probe.ProbeError, match="Access is denied"):
        probe.read({"failed": True, "msg": "Access is denied"})


def test_a_skipped_probe_is_refused():
    with pytest.raises(probe.ProbeError, match="skipped"):
        probe.read({"skipped": True, "skip_reason": "Conditional result was False"})


@pytest.mark.parametrize("result", [None, "text", {"changed": False}, {"result": {}}, {"result": "@{probe=1}"}])
def test_a_result_without_the_probe_answer_is_refused(result):
    with pytest.raises(probe.ProbeError, match="probe"):
        probe.read(result)


def test_another_contract_version_is_refused_with_the_fix():
    result = answer()
    result["result"]["probe"] = probe.PROBE_VERSION + 1
    with pytest.raises(probe.ProbeError, match="version %d .*reinstall" % (probe.PROBE_VERSION + 1)):
        probe.read(result)


@pytest.mark.parametrize("change, where", [
    (lambda body: body.pop("registry"), "result.registry should be present"),
    (lambda body: body["mapisvc"].pop("copies"), "result.mapisvc.copies should be present"),
    # What win_powershell returns for objects deeper than its depth: their string form.
    (lambda body: body["registry"].append({"key": "K", "exists": True, "values": "System.Collections.Hashtable",
                                           "sub_keys": [], "error": None}), r"result.registry\[0\].values"),
    (lambda body: body["registry"].append(key("K", {"V": ("REG_DWORD", "1")})), r"registry\[0\].values\['V'\].data"),
    (lambda body: body["registry"].append(key("K", {"V": ("REG_LINK", "x")})), r"registry\[0\].values\['V'\].type"),
    (lambda body: body["in_use"]["outlook"].append({"id": "42", "session": 1}), r"in_use.outlook\[0\].id"),
])
def test_a_malformed_result_names_the_first_wrong_part(change, where):
    result = answer()
    change(result["result"])
    with pytest.raises(probe.ProbeError, match=where):
        probe.read(result)


def test_a_malformed_value_is_named_without_its_data():
    result = answer(values=[{"key": VENDOR, "name": "Token", "key_exists": True, "exists": True, "type": "REG_DWORD",
                             "data": "hunter2-password", "sha256": None, "error": None}])
    with pytest.raises(probe.ProbeError) as raised:
        probe.read(result)
    assert "hunter2" not in str(raised.value)
    assert "values[0].data" in str(raised.value)


def test_reading_does_not_change_the_result():
    result = answer(registry=[key(VENDOR, {"V": ("REG_MULTI_SZ", ["a"])})])
    before = copy.deepcopy(result)
    probe.read(result)
    assert result == before
