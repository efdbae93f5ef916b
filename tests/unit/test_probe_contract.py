# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe's contract: the PowerShell script (probe_script.PROBE_SCRIPT), its simulated twin
(the test double's contract_probe.py) and the result shape the controller reads.

- The script's param () block, read from the script itself, names exactly the parameters the
  double binds; the double refuses any other name as PowerShell does.
- The result of the double on generated machines has exactly the contract's keys and types at
  every level (CONTRACT below, written once), and every hashtable the script builds names the
  same keys; a secret value never carries its data.
- The double's search rules, one test each.

The double runs in-process (its contracts import only the standard library); one playbook run
proves the path through the simulated win_powershell.
"""

from __future__ import annotations

import base64
import hashlib
import json
import pathlib
import re

import pytest

from doubles import load, require_doubles

from ansible_collections.mapi.messaging.plugins.plugin_utils import probe as probe_reader
from ansible_collections.mapi.messaging.plugins.plugin_utils import census, probe_script, profile, transport

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOUBLES = ROOT / "tests" / "windows_double"
MODULE_UTILS = DOUBLES / "ansible_collections" / "ansible" / "windows" / "plugins" / "module_utils"
DEMO_MAPISVC = ROOT / "demo" / "MAPISVC.INF"
MSMAPI = "C:\\Program Files\\Common Files\\System\\MSMAPI"
CLIENT = "HKLM:\\SOFTWARE\\Clients\\Mail\\Microsoft Outlook"
VENDOR = "HKLM:\\SOFTWARE\\Contoso\\Connector"
SECRET = "S3cr3t-probe-value"


require_doubles()

builder = load("probe_contract_make_machine", DOUBLES / "make_machine.py")
host = load("probe_contract_double_host", MODULE_UTILS / "_double_host.py")
double = load("probe_contract_double", MODULE_UTILS / "contract_probe.py")


# -- the contract, written once ------------------------------------------------------------
REG_TYPES = ("REG_SZ", "REG_EXPAND_SZ", "REG_MULTI_SZ", "REG_DWORD", "REG_QWORD", "REG_BINARY", "REG_NONE")
HEX = re.compile(r"^(?:[0-9a-f]{2})*$")


def _fail(where, message):
    raise AssertionError("%s: %s" % (where, message))


def _scalar(*types):
    """A leaf of one of ``types`` (``int`` never accepts a bool, as JSON keeps them apart)."""
    def check(value, where):
        if isinstance(value, bool) and bool not in types:
            _fail(where, "%r is a bool, the contract says %s" % (value, types))
        if not isinstance(value, types):
            _fail(where, "%r is not %s" % (value, types))
    return check


def _digest(length):
    def check(value, where):
        if not (isinstance(value, str) and re.fullmatch("[0-9a-f]{%d}" % length, value)):
            _fail(where, "%r is not a lowercase hex digest of %d digits" % (value, length))
    return check


def _optional(check):
    def optional(value, where):
        if value is not None:
            check(value, where)
    return optional


STR, BOOL, INT = _scalar(str), _scalar(bool), _scalar(int)
OPT_STR, OPT_INT = _optional(STR), _optional(INT)


def _data(reg_type, data, where):
    """Value data in the form the contract gives each type."""
    if reg_type in ("REG_SZ", "REG_EXPAND_SZ"):
        STR(data, where)
    elif reg_type == "REG_MULTI_SZ":
        if not (isinstance(data, list) and all(isinstance(item, str) for item in data)):
            _fail(where, "%r is not a list of strings" % (data,))
    elif reg_type in ("REG_DWORD", "REG_QWORD"):
        INT(data, where)
        if not 0 <= data < 2 ** (32 if reg_type == "REG_DWORD" else 64):
            _fail(where, "%r is not an unsigned %s" % (data, reg_type))
    elif not (isinstance(data, str) and HEX.match(data)):
        _fail(where, "%r is not lowercase hex without separators" % (data,))


def _registry_values(value, where):
    if not isinstance(value, dict):
        _fail(where, "not a mapping of value names")
    for name, item in value.items():
        STR(name, where)
        check(item, {"type": _scalar(str), "data": None}, "%s[%r]" % (where, name), skip=("data",))
        if item["type"] not in REG_TYPES:
            _fail(where, "type %r" % item["type"])
        _data(item["type"], item["data"], "%s[%r].data" % (where, name))


def _declared_value(value, where):
    """A declared value: ``data`` when not secret, ``sha256`` (never the data) when secret."""
    base = {"key": OPT_STR, "name": OPT_STR, "key_exists": BOOL, "exists": BOOL, "type": OPT_STR, "error": OPT_STR}
    if not isinstance(value, dict) or ("data" in value) == ("sha256" in value):
        _fail(where, "must hold exactly one of data and sha256: %r" % (value,))
    extra = "data" if "data" in value else "sha256"
    check(value, dict(base, **{extra: None}), where, skip=(extra,))
    if value["type"] is not None and value["type"] not in REG_TYPES:
        _fail(where, "type %r" % value["type"])
    if extra == "sha256":
        _optional(_digest(64))(value["sha256"], where + ".sha256")
    elif value["data"] is not None:
        _data(value["type"], value["data"], where + ".data")


KEY_STATE = {"exists": BOOL, "values": _registry_values, "sub_keys": [STR], "error": OPT_STR}
CONTRACT = {
    "probe": INT,
    "registry": [dict(KEY_STATE, key=STR)],
    "values": [_declared_value],
    "paths": [{"path": STR, "expanded": STR, "exists": BOOL, "directory": BOOL, "size": OPT_INT,
               "sha256": _optional(_digest(64)), "error": OPT_STR}],
    "mapisvc": {"searched": [STR],
                "copies": [{"path": STR, "content": STR, "sha1": _digest(40), "size": INT}],
                "missing": [STR], "msmapi_dlls": [STR], "language_folders": [STR], "errors": [STR]},
    "users": {"loaded": [STR], "keys": [dict(KEY_STATE, sid=STR, key=STR)],
              "profiles": [{"sid": STR, "key": STR, "exists": BOOL, "default": OPT_STR, "parent_default": OPT_STR,
                            "profiles": [{"name": STR, "services": [STR], "error": OPT_STR}], "error": OPT_STR}]},
    "in_use": {"outlook": [{"id": INT, "session": INT}], "locked": [{"path": STR, "error": STR}]},
    "errors": [STR],
}


def check(value, spec, where="result", skip=()):
    """``value`` has exactly the keys of ``spec`` and their types, at every level."""
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            _fail(where, "%r is not a mapping" % (value,))
        if set(value) != set(spec):
            _fail(where, "keys %s, the contract has %s" % (sorted(value), sorted(spec)))
        for key, item in spec.items():
            if key not in skip:
                check(value[key], item, "%s.%s" % (where, key))
    elif isinstance(spec, list):
        if not isinstance(value, list):
            _fail(where, "%r is not a list" % (value,))
        for index, item in enumerate(value):
            check(item, spec[0], "%s[%d]" % (where, index))
    else:
        spec(value, where)


# -- machines and runs ---------------------------------------------------------------------
def make(tmp_path, name="machine", **options):
    options.setdefault("users", ["alice:with-profile", "bob:without-profile", "carol:with-profile:unloaded"])
    return builder.make_machine(tmp_path / name, **options)


def put(machine, windows_path, data=b"[Services]\r\n"):
    target = pathlib.Path(host.Machine(machine["root"]).host_path(windows_path))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def set_values(machine, key, values):
    """Write ``values`` ({name: (win_regedit type, data)}) under ``key`` (HKLM:\\...) in the
    machine's registry, as a vendor's installer would have."""
    path = pathlib.Path(machine["root"]) / "registry.json"
    registry = json.loads(path.read_text())
    node = registry["keys"]["HKEY_LOCAL_MACHINE"]
    for part in key.split("\\")[1:]:
        node = node["keys"].setdefault(part, {"values": {}, "keys": {}})
    node["values"].update({name: {"type": kind, "data": data} for name, (kind, data) in values.items()})
    path.write_text(json.dumps(registry))


def probe(machine, check_mode=False, **parameters):
    """The double's answer for ``parameters`` (every contract key present, lists empty unless given)."""
    bound = {name: parameters.get(name, []) for name in double.PARAMETERS}
    outcome = double.run(host.Machine(machine["root"]), bound, check_mode)
    assert outcome["changed"] is False
    return outcome["result"]


VENDOR_VALUES = {
    "": ("string", "Contoso connector"),
    "Server": ("string", "mail.contoso.example"),
    "LogDir": ("expandstring", "%ProgramData%\\Contoso"),
    "Hosts": ("multistring", ["a.contoso.example", "b.contoso.example"]),
    "Flags": ("dword", 4294967295),
    "Serial": ("qword", 18446744073709551615),
    "Blob": ("binary", [0, 171, 255]),
    "Marker": ("none", []),
    "Password": ("string", SECRET),
}
# The canonical text of each value, spelt out here: the SHA-256 the controller compares.
CANONICAL = {
    "Server": "mail.contoso.example", "LogDir": "%ProgramData%\\Contoso",
    "Hosts": "a.contoso.example\nb.contoso.example", "Flags": "4294967295",
    "Serial": "18446744073709551615", "Blob": "00abff", "Marker": "", "Password": SECRET,
}


def full_parameters(machine, office_version="16.0"):
    """Parameters touching every part of the contract."""
    outlook = "Software\\Microsoft\\Office\\%s\\Outlook" % office_version
    return {
        "RegistryKeys": [CLIENT, CLIENT.replace("SOFTWARE", "SOFTWARE\\WOW6432Node"), VENDOR,
                         "HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList",
                         "HKLM:\\SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration", "HKCU:\\Software"],
        "Values": [{"key": VENDOR, "name": name, "secret": secret} for name in VENDOR_VALUES for secret in (False, True)]
        + [{"key": VENDOR, "name": None, "secret": False}, {"key": VENDOR, "name": "Absent", "secret": True},
           {"key": "HKLM:\\SOFTWARE\\Nowhere", "name": "X", "secret": False}],
        "Paths": ["%SystemRoot%\\System32\\MAPI32.DLL", "C:\\Windows", "C:\\Nowhere\\x.dll", "relative\\x.dll"],
        "MapisvcPaths": ["C:\\Nowhere\\MAPISVC.INF"],
        "UserKeys": [outlook, outlook + "\\Profiles", outlook + "\\Setup"],
        "InUsePaths": ["%SystemRoot%\\System32\\MAPI32.DLL", (machine.get("dll_path_ex") or "C:\\x.dll")],
        "ProfileKeys": [outlook + "\\Profiles", "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging "
                        "Subsystem\\Profiles"],
    }


MACHINES = {
    "msi64": {"office": "msi64", "mapisvc": str(DEMO_MAPISVC), "outlook_running": True},
    "msi32 on 64-bit Windows": {"office": "msi32", "mapisvc": str(DEMO_MAPISVC)},
    "msi32 on 32-bit Windows": {"office": "msi32", "windows": 32},
    "c2r64": {"office": "c2r64", "mapisvc": str(DEMO_MAPISVC), "outlook_running": True},
    "c2r32": {"office": "c2r32", "lcid": 1031},
    "Office 2013 Click-to-Run": {"office": "c2r64", "office_version": "15.0", "mapisvc": str(DEMO_MAPISVC)},
    "Click-to-Run with a leftover MSI key": {"office": "c2r64", "leftover_msi": "15.0"},
    "no Office": {"office": "none"},
}


@pytest.mark.parametrize("options", MACHINES.values(), ids=list(MACHINES))
def test_the_double_answers_with_exactly_the_contract_keys_and_types_on_every_machine_kind(tmp_path, options):
    machine = make(tmp_path, **options)
    set_values(machine, VENDOR, VENDOR_VALUES)
    result = probe(machine, **full_parameters(machine, options.get("office_version", "16.0")))
    check(result, CONTRACT)
    assert result["probe"] == probe_script.PROBE_VERSION == double.PROBE_VERSION == probe_reader.PROBE_VERSION
    # The script writes the number itself: the Python constant names what it writes.
    assert re.search(r"^\s*probe = %d$" % probe_script.PROBE_VERSION, probe_script.PROBE_SCRIPT, re.MULTILINE)
    # Every list entry answers one parameter entry, in order.
    assert [entry["key"] for entry in result["registry"]] == full_parameters(machine)["RegistryKeys"]
    assert len(result["values"]) == len(full_parameters(machine)["Values"])
    assert [entry["path"] for entry in result["paths"]] == full_parameters(machine)["Paths"]


@pytest.mark.parametrize("options", MACHINES.values(), ids=list(MACHINES))
def test_the_controller_reads_the_doubles_answer_on_every_machine_kind(tmp_path, options):
    machine = make(tmp_path, **options)
    set_values(machine, VENDOR, VENDOR_VALUES)
    parameters = full_parameters(machine, options.get("office_version", "16.0"))
    read = probe_reader.read({"changed": False, "result": probe(machine, **parameters)})
    assert [copy.path for copy in read.copies] == ([machine["mapisvc"]] if machine["mapisvc"] else [])


def test_a_secret_value_is_answered_only_by_the_sha256_of_its_canonical_data(tmp_path):
    machine = make(tmp_path, office="msi64")
    set_values(machine, VENDOR, VENDOR_VALUES)
    result = probe(machine, Values=[{"key": VENDOR, "name": name, "secret": True} for name in CANONICAL])
    assert SECRET not in json.dumps(result)
    for entry in result["values"]:
        assert "data" not in entry and entry["exists"] and entry["error"] is None
        assert entry["sha256"] == hashlib.sha256(CANONICAL[entry["name"]].encode("utf-8")).hexdigest(), entry["name"]


@pytest.mark.parametrize("flag, secret", [(False, False), ("false", False), ("False", False), (0, False),
                                          (True, True), (None, True), ("no", True), ("missing", True)])
def test_a_value_is_secret_unless_secret_is_false_as_powershell_compares_it(tmp_path, flag, secret):
    machine = make(tmp_path, office="msi64", users=[])
    set_values(machine, VENDOR, {"Password": ("string", SECRET)})
    item = {"key": VENDOR, "name": "Password"}
    if flag != "missing":
        item["secret"] = flag
    entry = probe(machine, Values=[item])["values"][0]
    assert ("sha256" in entry, "data" in entry) == (secret, not secret)
    assert (SECRET in json.dumps(entry)) is not secret


def test_values_come_back_as_stored_expand_strings_unexpanded_numbers_unsigned_bytes_as_hex(tmp_path):
    machine = make(tmp_path, office="msi64", users=[])
    set_values(machine, VENDOR, VENDOR_VALUES)
    values = {entry["name"]: (entry["type"], entry["data"]) for entry in probe(machine, Values=[
        {"key": VENDOR.lower(), "name": name.upper(), "secret": False} for name in VENDOR_VALUES])["values"]}
    assert values == {
        "": ("REG_SZ", "Contoso connector"), "SERVER": ("REG_SZ", "mail.contoso.example"),
        "LOGDIR": ("REG_EXPAND_SZ", "%ProgramData%\\Contoso"),
        "HOSTS": ("REG_MULTI_SZ", ["a.contoso.example", "b.contoso.example"]),
        "FLAGS": ("REG_DWORD", 4294967295), "SERIAL": ("REG_QWORD", 18446744073709551615),
        "BLOB": ("REG_BINARY", "00abff"), "MARKER": ("REG_NONE", ""), "PASSWORD": ("REG_SZ", SECRET)}
    key_only, absent, no_key = probe(machine, Values=[
        {"key": VENDOR, "name": None, "secret": False}, {"key": VENDOR, "name": "Absent", "secret": False},
        {"key": VENDOR + "\\Nowhere", "name": "X", "secret": True}])["values"]
    assert (key_only["key_exists"], key_only["exists"], key_only["type"]) == (True, True, None)
    assert (absent["key_exists"], absent["exists"], absent["data"]) == (True, False, None)
    assert (no_key["key_exists"], no_key["exists"], no_key["sha256"]) == (False, False, None)


def test_wow6432node_is_read_literally_and_other_registry_drives_are_an_item_error(tmp_path):
    machine = make(tmp_path, office="msi32")
    wow = CLIENT.replace("SOFTWARE", "SOFTWARE\\WOW6432Node")
    set_values(machine, wow, {"DLLPathEx": ("string", "C:\\Wow\\MSMAPI32.DLL")})
    native, wow_view, hkcu = probe(machine, RegistryKeys=[CLIENT, wow, "HKCU:\\Software"])["registry"]
    assert "DLLPathEx" in native["values"] and native["values"]["DLLPathEx"]["data"] != "C:\\Wow\\MSMAPI32.DLL"
    assert wow_view["values"] == {"DLLPathEx": {"type": "REG_SZ", "data": "C:\\Wow\\MSMAPI32.DLL"}}
    assert not hkcu["exists"] and "HKLM:\\" in hkcu["error"] and "HKU:\\" in hkcu["error"]


def test_files_are_hashed_after_expansion_and_only_full_paths_are_read(tmp_path):
    machine = make(tmp_path, office="msi64", users=[])
    data = b"contoso provider\x00\x01"
    put(machine, "C:\\Program Files\\Contoso\\contoso32.dll", data)
    dll, folder, missing, relative = probe(machine, Paths=[
        "%ProgramFiles%\\Contoso\\contoso32.dll", "%ProgramFiles%\\Contoso", "C:\\Program Files\\Contoso\\gone.dll",
        "Contoso\\contoso32.dll"])["paths"]
    assert (dll["expanded"], dll["exists"], dll["directory"], dll["size"], dll["sha256"]) == (
        "C:\\Program Files\\Contoso\\contoso32.dll", True, False, len(data), hashlib.sha256(data).hexdigest())
    assert (folder["exists"], folder["directory"], folder["size"], folder["sha256"]) == (True, True, None, None)
    assert (missing["exists"], missing["error"]) == (False, None)
    assert not relative["exists"] and "not a full path" in relative["error"]


# -- the MAPISVC.INF search ----------------------------------------------------------------
def test_each_copy_is_found_once_whatever_case_or_spelling_names_it(tmp_path):
    machine = make(tmp_path, office="msi64", mapisvc=str(DEMO_MAPISVC), users=[])
    found = machine["mapisvc"]
    mapisvc = probe(machine, MapisvcPaths=[found.upper(), found.replace("\\", "/"),
                                           found.replace("\\1033\\", "\\1033\\..\\1033\\"),
                                           "%CommonProgramFiles%\\System\\MSMAPI\\1033\\mapisvc.inf"])["mapisvc"]
    assert [copy["path"] for copy in mapisvc["copies"]] == [found]
    assert mapisvc["missing"] == [] and mapisvc["errors"] == []
    copy = mapisvc["copies"][0]
    assert base64.b64decode(copy["content"]) == DEMO_MAPISVC.read_bytes()
    assert (copy["sha1"], copy["size"]) == (hashlib.sha1(DEMO_MAPISVC.read_bytes()).hexdigest(), DEMO_MAPISVC.stat().st_size)
    assert mapisvc["msmapi_dlls"] == [MSMAPI + "\\1033\\MSMAPI32.DLL"]
    assert mapisvc["language_folders"] == [MSMAPI + "\\1033"]


def test_every_msmapi_language_folder_is_searched_one_level_down_only(tmp_path):
    machine = make(tmp_path, office="msi64", users=[])
    put(machine, MSMAPI + "\\MAPISVC.INF")
    put(machine, MSMAPI + "\\1031\\MAPISVC.INF")
    put(machine, MSMAPI + "\\1031\\MSMAPI32.DLL", b"dll")
    put(machine, MSMAPI + "\\1031\\2057\\MAPISVC.INF")
    put(machine, MSMAPI + "\\en-US\\MAPISVC.INF")
    mapisvc = probe(machine)["mapisvc"]
    assert sorted(copy["path"] for copy in mapisvc["copies"]) == [MSMAPI + "\\1031\\MAPISVC.INF", MSMAPI + "\\MAPISVC.INF"]
    assert sorted(mapisvc["language_folders"]) == [MSMAPI + "\\1031", MSMAPI + "\\1033"]
    assert sorted(mapisvc["msmapi_dlls"]) == [MSMAPI + "\\1031\\MSMAPI32.DLL", MSMAPI + "\\1033\\MSMAPI32.DLL"]


@pytest.mark.parametrize("windows, syswow64", [(64, True), (32, False)])
def test_the_system_directories_hold_only_mapisvc_and_syswow64_only_on_64_bit_windows(tmp_path, windows, syswow64):
    machine = make(tmp_path, office="msi32", windows=windows, users=[])
    for folder in ("C:\\Windows\\System32", "C:\\Windows\\SysWOW64"):
        put(machine, folder + "\\MAPISVC.INF")
        put(machine, folder + "\\MSMAPI32.DLL", b"dll")
    mapisvc = probe(machine)["mapisvc"]
    expected = ["C:\\Windows\\System32\\MAPISVC.INF"] + (["C:\\Windows\\SysWOW64\\MAPISVC.INF"] if syswow64 else [])
    assert [copy["path"] for copy in mapisvc["copies"]] == expected
    assert ("C:\\Windows\\SysWOW64" in mapisvc["searched"]) is syswow64
    assert not any(dll.startswith("C:\\Windows") for dll in mapisvc["msmapi_dlls"])


def test_click_to_run_vfs_is_searched_for_both_bitnesses_under_installation_path(tmp_path):
    machine = make(tmp_path, office="c2r64", mapisvc=str(DEMO_MAPISVC), users=[])
    vfs = "C:\\Program Files\\Microsoft Office\\root\\VFS\\ProgramFilesCommon%s\\System\\MSMAPI"
    put(machine, vfs % "X86" + "\\1031\\MAPISVC.INF")
    mapisvc = probe(machine)["mapisvc"]
    assert [copy["path"] for copy in mapisvc["copies"]] == [vfs % "X64" + "\\1033\\MAPISVC.INF", vfs % "X86" + "\\1031\\MAPISVC.INF"]
    assert mapisvc["language_folders"] == [vfs % "X64" + "\\1033", vfs % "X86" + "\\1031"]
    assert mapisvc["msmapi_dlls"] == [vfs % "X64" + "\\1033\\MSMAPI32.DLL"]


def test_office_2013_click_to_run_is_found_through_dllpathex_alone(tmp_path):
    machine = make(tmp_path, office="c2r64", office_version="15.0", mapisvc=str(DEMO_MAPISVC), users=[])
    mapisvc = probe(machine)["mapisvc"]
    assert "Microsoft Office 15" in machine["dll_path_ex"]
    assert [copy["path"] for copy in mapisvc["copies"]] == [machine["mapisvc"]]
    assert mapisvc["msmapi_dlls"] == [machine["dll_path_ex"]] and mapisvc["language_folders"] == []


@pytest.mark.parametrize("view", ["SOFTWARE", "SOFTWARE\\WOW6432Node"])
@pytest.mark.parametrize("name", ["DLLPathEx", "DLLPath"])
def test_the_folder_of_outlooks_mapi_dll_is_searched_itself_from_either_view(tmp_path, view, name):
    machine = make(tmp_path, office="msi64", dll_path_ex="", users=[])
    put(machine, "C:\\Vendor\\MAPI\\MSMAPI32.DLL", b"dll")
    put(machine, "C:\\Vendor\\MAPI\\MAPISVC.INF")
    put(machine, "C:\\Vendor\\MAPI\\1033\\MAPISVC.INF")
    set_values(machine, CLIENT.replace("SOFTWARE", view), {name: ("string", "C:\\Vendor\\MAPI\\MSMAPI32.DLL")})
    mapisvc = probe(machine)["mapisvc"]
    assert "C:\\Vendor\\MAPI\\MAPISVC.INF" in [copy["path"] for copy in mapisvc["copies"]]
    assert "C:\\Vendor\\MAPI\\1033\\MAPISVC.INF" not in [copy["path"] for copy in mapisvc["copies"]]
    assert "C:\\Vendor\\MAPI\\MSMAPI32.DLL" in mapisvc["msmapi_dlls"]
    assert "C:\\Vendor\\MAPI" in mapisvc["searched"] and "C:\\Vendor\\MAPI" not in mapisvc["language_folders"]


def test_a_mapi_dll_path_that_is_not_a_full_path_is_not_searched(tmp_path):
    machine = make(tmp_path, office="msi64", users=[], dll_path_ex="msmapi32.dll")
    mapisvc = probe(machine)["mapisvc"]
    assert mapisvc["errors"] == [] and all(folder.startswith("C:\\") for folder in mapisvc["searched"])


def test_mapisvc_paths_that_are_missing_a_folder_or_relative_are_named_not_fatal(tmp_path):
    machine = make(tmp_path, office="msi64", users=[])
    put(machine, "C:\\Vendor\\MAPISVC.INF", b"[Services]\r\nVENDOR=Vendor\r\n")
    mapisvc = probe(machine, MapisvcPaths=["%SystemDrive%\\Vendor\\MAPISVC.INF", "%SystemDrive%\\Absent\\MAPISVC.INF",
                                           "C:\\Vendor", "MAPISVC.INF"])["mapisvc"]
    assert [copy["path"] for copy in mapisvc["copies"]] == ["C:\\Vendor\\MAPISVC.INF"]
    assert mapisvc["missing"] == ["%SystemDrive%\\Absent\\MAPISVC.INF"]
    assert len(mapisvc["errors"]) == 2
    assert "'C:\\Vendor' is a folder" in mapisvc["errors"][0] and "not a full path" in mapisvc["errors"][1]


def test_a_copy_above_the_size_cap_is_named_in_errors_and_not_read(tmp_path):
    machine = make(tmp_path, office="msi64", users=[])
    big = put(machine, MSMAPI + "\\1033\\MAPISVC.INF", b"")
    with open(big, "r+b") as handle:
        handle.truncate(transport.MAX_FILE_BYTES + 1)
    mapisvc = probe(machine)["mapisvc"]
    assert mapisvc["copies"] == []
    assert len(mapisvc["errors"]) == 1 and str(transport.MAX_FILE_BYTES + 1) in mapisvc["errors"][0]


def test_the_size_cap_is_transports_in_the_script_and_in_the_double():
    assert double.MAX_BYTES == transport.MAX_FILE_BYTES
    assert re.search(r"^\$maxBytes = (\d+)$", probe_script.PROBE_SCRIPT, re.M).group(1) == str(transport.MAX_FILE_BYTES)


# -- users and files in use ----------------------------------------------------------------
def test_user_keys_are_read_under_every_loaded_user_hive_and_not_under_classes_hives(tmp_path):
    machine = make(tmp_path, office="msi64", user_lcid=1031)
    outlook = "Software\\Microsoft\\Office\\16.0\\Outlook"
    users = probe(machine, UserKeys=[outlook, "\\" + outlook + "\\Profiles\\"])["users"]
    alice, bob, carol = (user["sid"] for user in machine["users"])
    assert alice in users["loaded"] and alice + "_Classes" in users["loaded"] and carol not in users["loaded"]
    read = {(entry["sid"], entry["key"]): entry for entry in users["keys"]}
    assert {sid for sid, key in read} == {alice, bob, "S-1-5-18", "S-1-5-19", "S-1-5-20"}
    assert read[(alice, outlook)]["values"]["LastUILanguage"] == {"type": "REG_SZ", "data": "1031"}
    assert read[(alice, "\\" + outlook + "\\Profiles\\")]["sub_keys"] == ["Outlook"]
    assert not read[(bob, "\\" + outlook + "\\Profiles\\")]["exists"]


def test_the_script_says_hkey_users_could_not_be_listed_as_the_reader_recognises_it():
    # The reader tells "no one is logged on" from "not known" by this error alone.
    assert '$errors.Add("%s$(Get-Reason $_)")' % probe_reader.HKU_UNLISTED in probe_script.PROBE_SCRIPT


PROFILES = "Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles"
LEGACY = "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"


def test_profile_keys_answer_each_profiles_services_and_both_default_profile_values(tmp_path):
    machine = make(tmp_path, office="msi64", users=[
        "alice:with-profile:services=MSEMS+CONTOSO+msems", "bob:with-profile:services=CONTOSO:ansi:entra",
        "carol:without-profile", "dave:with-profile:unloaded:services=CONTOSO"])
    alice, bob, carol, dave = (user["sid"] for user in machine["users"])
    assert bob.startswith("S-1-12-1-") and alice.startswith("S-1-5-21-")
    sets = probe(machine, ProfileKeys=["\\" + PROFILES + "\\", LEGACY])["users"]["profiles"]
    read = {(entry["sid"], entry["key"]): entry for entry in sets}
    assert {sid for sid, key in read} == {alice, bob, carol, "S-1-5-18", "S-1-5-19", "S-1-5-20"}
    assert dave not in {sid for sid, key in read}
    first = read[(alice, "\\" + PROFILES + "\\")]
    assert (first["exists"], first["default"], first["parent_default"], first["error"]) == (True, None, "Outlook", None)
    # Sections come in the registry's order; a name stored twice (any case) is answered once.
    assert [(item["name"], item["error"]) for item in first["profiles"]] == [("Outlook", None)]
    assert sorted(name.upper() for name in first["profiles"][0]["services"]) == ["CONTOSO", "MSEMS"]
    assert read[(bob, "\\" + PROFILES + "\\")]["profiles"][0]["services"] == ["CONTOSO"]
    assert read[(carol, "\\" + PROFILES + "\\")] == {
        "sid": carol, "key": "\\" + PROFILES + "\\", "exists": False, "default": None, "parent_default": None,
        "profiles": [], "error": None}
    assert not read[(alice, LEGACY)]["exists"]


def test_a_service_name_value_that_is_not_binary_is_the_profiles_error_and_other_sections_are_read(tmp_path):
    machine = make(tmp_path, office="msi64", users=["alice:with-profile:services=MSEMS+CONTOSO"])
    path = pathlib.Path(machine["root"]) / "registry.json"
    registry = json.loads(path.read_text())
    outlook = registry["keys"]["HKEY_USERS"]["keys"][machine["users"][0]["sid"]]
    for part in PROFILES.split("\\") + ["Outlook"]:
        outlook = outlook["keys"][part]
    section = builder._section_name("Outlook", "MSEMS")
    outlook["keys"][section]["values"]["001f3d09"] = {"type": "string", "data": "MSEMS"}
    path.write_text(json.dumps(registry))
    entry, = [found for found in probe(machine, ProfileKeys=[PROFILES])["users"]["profiles"]
              if found["sid"] == machine["users"][0]["sid"]]
    assert entry["profiles"] == [{"name": "Outlook", "services": ["CONTOSO"],
                                  "error": "section %s: value '001f3d09' is not REG_BINARY" % section}]


def test_the_census_of_a_simulated_host_counts_every_kind_of_user(tmp_path):
    machine = make(tmp_path, office="msi64", users=[
        "alice:with-profile:services=MSEMS+CONTOSO", "bob:with-profile:services=MSEMS:entra",
        "carol:without-profile", "dave:with-profile:unloaded:services=CONTOSO"])
    answer = probe(machine, RegistryKeys=[profile.PROFILE_LIST_KEY], ProfileKeys=profile.profile_keys("16.0"))
    taken = census.take(probe_reader.read({"changed": False, "result": answer}), "16.0")
    assert census.counts(taken.as_dict(), "CONTOSO") == {
        "users": 4, "inspected": 3, "not_inspected": 1, "with_profile": 2, "in_default_profile": 1}
    assert taken.user(machine["users"][3]["sid"]).reason == census.NOT_LOADED


def test_a_running_outlook_and_a_loaded_dll_are_reported_and_other_files_are_not(tmp_path):
    loaded = "C:\\Program Files\\Contoso\\contoso32.dll"
    machine = make(tmp_path, office="msi64", users=[], outlook_running=True, loaded_files=[loaded])
    put(machine, loaded, b"dll")
    put(machine, "C:\\Program Files\\Contoso\\free32.dll", b"dll")
    in_use = probe(machine, InUsePaths=["%ProgramFiles%\\Contoso\\contoso32.dll", "C:\\Program Files\\Contoso\\free32.dll",
                                        "C:\\Program Files\\Contoso\\gone32.dll"])["in_use"]
    assert in_use["outlook"] == [{"id": 4242, "session": 1}]
    assert in_use["locked"] == [{"path": "%ProgramFiles%\\Contoso\\contoso32.dll", "error": double.SHARING_VIOLATION % loaded}]


def test_nothing_runs_and_nothing_is_locked_without_processes(tmp_path):
    machine = make(tmp_path, office="msi64", users=[])
    assert probe(machine, InUsePaths=[MSMAPI + "\\1033\\MSMAPI32.DLL"])["in_use"] == {"outlook": [], "locked": []}


def test_the_probe_changes_nothing_on_the_machine_also_in_check_mode(tmp_path):
    machine = make(tmp_path, office="c2r64", mapisvc=str(DEMO_MAPISVC), outlook_running=True)

    def snapshot():
        return {str(path): path.read_bytes() for path in sorted(pathlib.Path(machine["root"]).rglob("*"))
                if path.is_file() and path.name != "registry.lock"}

    before = snapshot()
    for check_mode in (False, True):
        probe(machine, check_mode=check_mode, **full_parameters(machine))
    assert snapshot() == before


def test_constrained_language_mode_stops_the_probe_naming_the_mode_and_the_fix(tmp_path):
    machine = make(tmp_path, office="msi64", users=[])
    (pathlib.Path(machine["root"]) / "faults.json").write_text(json.dumps({"language_mode": "ConstrainedLanguage"}))
    with pytest.raises(ValueError, match="ConstrainedLanguage mode.*FullLanguage mode"):
        probe(machine)


# -- the script and the double name the same things ----------------------------------------
def script_parameters(script):
    """[(name, type, default)] of the script's top-level param () block."""
    tree_sitter = pytest.importorskip("tree_sitter")
    tree_sitter_powershell = pytest.importorskip("tree_sitter_powershell")
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    source = script.encode("utf-8")
    blocks = [node for node in parser.parse(source).root_node.children if node.type == "param_block"]
    assert len(blocks) == 1, "the script must have one top-level param () block"
    found = []
    for node in blocks[0].named_children:
        for parameter in (child for child in node.named_children if child.type == "script_parameter"):
            text = {child.type: source[child.start_byte:child.end_byte].decode() for child in parameter.named_children}
            found.append((text["variable"].lstrip("$"), text.get("attribute_list"), text.get("script_parameter_default")))
    return found


def test_the_script_declares_exactly_the_parameters_the_double_binds_each_typed_and_empty_by_default():
    declared = script_parameters(probe_script.PROBE_SCRIPT)
    assert tuple(name for name, kind, default in declared) == probe_script.PARAMETERS == double.PARAMETERS
    assert all(kind and kind.endswith("[]]") and default == "= @()" for name, kind, default in declared), declared
    assert probe_script.PROBE_SCRIPT.splitlines()[:2] == ["# mapi.messaging: probe", "[CmdletBinding(SupportsShouldProcess)]"]


def _hashtable_keys(script, anchor):
    """The keys of the first @{ } literal after ``anchor`` in the script (its top level only)."""
    start = script.index("@{", script.index(anchor))
    depth, keys, token = 0, [], ""
    for char in script[start:]:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                break
        if depth == 1 and char == "=" and token.strip():
            keys.append(token.split()[-1])
        token = "" if char in ";\n{" else token + char
    return set(keys)


@pytest.mark.parametrize("anchor, contract", [
    ("$Ansible.Result =", CONTRACT),
    ("$registry = @(foreach", CONTRACT["registry"][0]),
    ("$files = @(foreach", CONTRACT["paths"][0]),
    ("$copies.Add(", CONTRACT["mapisvc"]["copies"][0]),
    ("    mapisvc = @{", CONTRACT["mapisvc"]),
    ("    users = @{", CONTRACT["users"]),
    ("$userKeys = @(foreach", CONTRACT["users"]["keys"][0]),
    ("$profileSets = @(foreach", CONTRACT["users"]["profiles"][0]),
    ("function Read-Profile", CONTRACT["users"]["profiles"][0]["profiles"][0]),
    ("    in_use = @{", CONTRACT["in_use"]),
    ("Get-Process -Name OUTLOOK", CONTRACT["in_use"]["outlook"][0]),
    ("# the replacement too.", CONTRACT["in_use"]["locked"][0]),
    ("$declared = @(foreach", {"key", "name", "key_exists", "exists", "type", "error"}),
])
def test_every_hashtable_the_script_answers_with_names_exactly_the_contract_keys(anchor, contract):
    assert _hashtable_keys(probe_script.PROBE_SCRIPT, anchor) == set(contract)


# -- through the simulated win_powershell --------------------------------------------------
@pytest.mark.playbook
def test_the_script_runs_through_win_powershell_in_check_mode_and_an_unknown_parameter_is_refused(tmp_path):
    runner = load("probe_contract_playbook_run", ROOT / "tests" / "integration" / "playbook_run.py")
    machine = make(tmp_path, office="msi64", mapisvc=str(DEMO_MAPISVC))
    set_values(machine, VENDOR, VENDOR_VALUES)
    parameters = full_parameters(machine)
    tasks = [
        {"name": "probe", "check_mode": True, "ansible.windows.win_powershell": {
            "script": probe_script.PROBE_SCRIPT, "parameters": parameters, "depth": 8}},
        {"name": "unknown parameter", "ignore_errors": True, "ansible.windows.win_powershell": {
            "script": probe_script.PROBE_SCRIPT, "parameters": dict(parameters, Unknown=1), "depth": 8}},
    ]
    work = tmp_path / "run"
    work.mkdir()
    rc, results = runner.run_playbook(work, tasks, collections=(DOUBLES, runner.COLLECTIONS), extra_args=[
        "-e", "ansible_shell_type=mapi_testdouble.windows_host.simulated",
        "-e", "simulated_windows_root=%s" % machine["root"], "-e", "ansible_pipelining=true"])
    ran, refused = results
    assert rc == 0 and not ran.get("failed") and ran["changed"] is False, ran
    check(ran["result"], CONTRACT)
    assert [copy["path"] for copy in ran["result"]["mapisvc"]["copies"]] == [machine["mapisvc"]]
    assert refused["failed"] and "A parameter cannot be found that matches parameter name 'Unknown'" in refused["msg"]
