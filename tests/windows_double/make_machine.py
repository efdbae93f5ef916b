# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build a simulated Windows machine for the ansible.windows TEST DOUBLES.

TEST DOUBLE tooling: the machine is a folder, never a real Windows host. It holds
``drive/C/...`` (the file system), ``registry.json`` (the registry, format described in
``ansible_collections/ansible/windows/plugins/module_utils/_double_host.py``) and
``machine.json`` (what was built, for tests; the doubles never read it).

Usage::

    python tests/windows_double/make_machine.py --root DIR --office msi64|msi32|c2r64|c2r32|none
        [--windows 64|32] [--lcid 1033] [--no-mapi] [--user NAME:with-profile|without-profile[:loaded|unloaded][:services=A+B][:entra][:ansi] ...]
        [--mapisvc FILE] [--office-version 16.0] [--outlook-running] [--loaded PATH ...]
        [--dll-path-ex PATH | --no-dll-path-ex] [--leftover-msi VERSION] [--user-lcid LCID] [--force]

or ``from make_machine import make_machine; make_machine(root, office="msi64", ...)``.

What is written, and where each fact comes from (``../shared/docs/mapi-domain.md`` is "domain"):

Files (placeholders hold one line naming what they stand for):

- ``C:\\Windows\\System32\\`` (and ``C:\\Windows\\SysWOW64\\`` on 64-bit Windows): the system
  directories, MAPI's fallback location for MAPISVC.INF (domain 5, "Fallback").
- ``C:\\Windows\\System32\\MAPI32.DLL``: Windows' MAPI stub.
- MSI Office: ``<PF>\\Microsoft Office\\Office16\\OUTLOOK.EXE`` and
  ``<PF>\\Common Files\\System\\MSMAPI\\<LCID>\\MSMAPI32.DLL``, where ``<PF>`` is
  ``C:\\Program Files (x86)`` for 32-bit Office on 64-bit Windows, else ``C:\\Program Files``
  (domain 5, Outlook 2002-2010 MSI layout). MAPISVC.INF (``--mapisvc``) goes next to MSMAPI32.DLL.
- Click-to-Run: ``<PF>\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE`` and ``OLMAPI32.DLL``, and
  ``<PF>\\Microsoft Office\\root\\VFS\\ProgramFilesCommonX64|X86\\System\\MSMAPI\\<LCID>\\``
  holding MSMAPI32.DLL and MAPISVC.INF (domain 5, Click-to-Run: **unverified** in the domain
  notes). Office 2013 Click-to-Run (``office_version`` 15.0): the same under
  ``<PF>\\Microsoft Office 15`` with ``root\\Office15`` (**unverified**).
- ``C:\\Users\\<name>\\NTUSER.DAT`` per user and ``C:\\Users\\Default\\NTUSER.DAT``: hive files
  (JSON, loadable with win_regedit ``hive:``), domain 7 (HKCU is per user; Default user hive).

Registry (HKLM = ``HKEY_LOCAL_MACHINE``; ``<SW>`` = ``SOFTWARE`` for 64-bit Office or 32-bit
Windows, ``SOFTWARE\\WOW6432Node`` for 32-bit Office on 64-bit Windows):

- ``HKLM\\<SW>\\Microsoft\\Windows Messaging Subsystem``: MAPI=1, MAPIX=1, MAPIXVER=1.0.0.1, CMC=1,
  CMCDLLNAME32=mapi32.dll, OLEMessaging=1 (strings), unless ``--no-mapi`` or ``--office none``
  (domain 6; the view follows Office's bitness, domain 6 "WOW6432Node view for 32-bit").
- ``HKLM\\<SW>\\Microsoft\\Office\\<ver>\\Outlook``: ``Bitness`` = x64|x86 (domain 5, "Bitness"; MSI
  only) and ``InstallRoot\\Path``; ``LastUILanguage`` = the LCID.
- ``HKLM\\SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration``: ``Platform`` = x64|x86 and
  ``InstallationPath`` (domain 5, Click-to-Run bitness; C2R only). Office 2013 Click-to-Run has
  ``HKLM\\SOFTWARE\\Microsoft\\Office\\15.0\\ClickToRun`` (``InstallPath``) with ``Configuration``
  (``Platform``) under it instead (domain 9: Office 2013 Click-to-Run used ``Office\\15.0\\ClickToRun``;
  the value names are **unverified**).
- ``leftover_msi`` (e.g. 15.0): ``HKLM\\<SW>\\Microsoft\\Office\\<that version>\\Outlook`` with
  ``Bitness`` only, what an uninstalled MSI Office may leave behind (domain 9, a leftover MSI
  key on a Click-to-Run 16.0 machine).
- ``HKLM\\SOFTWARE\\Clients\\Mail\\Microsoft Outlook``: (default) "Microsoft Outlook", ``DLLPath``,
  ``MSIComponentID``, ``MSIApplicationLCID`` and ``MSIOfficeLCID`` (domain 5, "Finding it"), and
  ``DLLPathEx`` = the MSMAPI32.DLL in the MSMAPI language folder (domain 9: DLLPathEx names the
  MSMAPI32.DLL Outlook uses; ``dll_path_ex`` names another path, "" leaves it out). DLLPath is
  MSMAPI32.DLL for MSI and OLMAPI32.DLL for Click-to-Run.
  The two LCID values are written as multi-strings naming the key and value that hold the LCID
  (``Software\\Microsoft\\Office\\<ver>\\Outlook``, ``LastUILanguage``), the form MFCMAPI reads them
  in; that form is **unverified** in the domain notes.
- ``HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion``: ProgramFilesDir, CommonFilesDir (+ the
  ``(x86)`` pair, ProgramW6432Dir and CommonW6432Dir on 64-bit Windows) and the same key under
  WOW6432Node with the 32-bit folders: where Program Files / Common Files are (domain 5).
- ``HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion``: SystemRoot = C:\\Windows, ProductName,
  CurrentBuild (the system directory of domain 5).
- ``HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment``:
  PROCESSOR_ARCHITECTURE = AMD64|x86, windir, OS.
- ``HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList``: ProfilesDirectory, Default,
  Public, and one ``<SID>`` key per user (and S-1-5-18) with ProfileImagePath (domain 7, users with
  existing hives).
- ``HKLM\\SOFTWARE\\Microsoft\\Active Setup\\Installed Components``: present, empty (domain 7,
  Active Setup).
- ``HKEY_USERS``: ``.DEFAULT``, ``S-1-5-18/19/20`` and, for every loaded user, ``<SID>`` (its hive)
  and ``<SID>_Classes``, as on a machine where those users are logged on (domain 7, loaded hives
  under HKU). ``registry.json`` ``current_user`` (HKCU) is the first user; ``loaded_hives`` names
  each loaded user's hive file.
- Users: local accounts ``S-1-5-21-<machine>-<RID>``, or with ``:entra`` Entra ID accounts
  ``S-1-12-1-<4 numbers>`` (domain 7). ``:unloaded``: the user is listed under ProfileList and
  has a hive file, but it is not loaded under HKU (not logged on).
- In each user's hive: with a profile, ``Software\\Microsoft\\Office\\<ver>\\Outlook`` ``DefaultProfile``
  = Outlook and ``...\\Outlook\\Profiles\\Outlook\\9375CFF0413111d3B88A00104B2A6676`` (domain 7,
  "Profiles"); with ``:services=A+B``, one more section per service (a 32-hex-digit key) holding
  PR_SERVICE_NAME (property 0x3D09) as ``001f3d09`` REG_BINARY UTF-16LE with a NUL, or with
  ``:ansi`` as ``001e3d09`` REG_BINARY cp1252 with a NUL (the value names and REG_BINARY are
  **unverified**: docs/testing-on-windows.md); without one, no Profiles key, and ``...\\Outlook\\Setup`` holding ``FirstRun`` and
  ``First-Run`` (the values an ImportPRF arrangement must remove, domain 7; that Outlook leaves
  them for a user without a profile is **unverified**). With Office, ``...\\Outlook``
  ``LastUILanguage`` = the LCID (``user_lcid``, default ``lcid``), the HKCU value
  ``MSIApplicationLCID`` names (domain 9; its type, a string here, is **unverified**).

Processes (``processes.json``, read only by the ``probe`` win_powershell contract; no file when
nothing runs): with ``outlook_running``, OUTLOOK.EXE (its image in the Office folder) in session 1
with MAPI's DLL loaded; ``loaded_files`` are DLLs some running process has loaded (Outlook's
modules when it runs, else a COM surrogate ``dllhost.exe``'s). Windows refuses to open a loaded
image for writing with a sharing violation, which is what the contract reports for them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys

REGISTRY_FORMAT = "mapi-testdouble-registry/1"
HIVE_FORMAT = "mapi-testdouble-hive/1"
OFFICE_CHOICES = ("msi64", "msi32", "c2r64", "c2r32", "none")
# A made-up machine domain part for local account SIDs.
DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330"
FIRST_RID = 1001
# Entra ID (Azure AD) accounts: S-1-12-1 and four numbers made from the object id; the last
# one varies per simulated user here.
ENTRA_SID = "S-1-12-1-3545394826-1177282345-2611744406"
FIRST_ENTRA = 2393584102
MAPI_VALUES = (("MAPI", "1"), ("MAPIX", "1"), ("MAPIXVER", "1.0.0.1"), ("CMC", "1"),
               ("CMCDLLNAME32", "mapi32.dll"), ("OLEMessaging", "1"))
# The key name Outlook gives a profile's first section (a fixed MAPI UID in every profile).
PROFILE_SECTION = "9375CFF0413111d3B88A00104B2A6676"


class MachineError(Exception):
    pass


# -- registry building ---------------------------------------------------------------------
def _node():
    return {"values": {}, "keys": {}}


def _key(root, path):
    node = root
    for part in path.split("\\"):
        node = node["keys"].setdefault(part, _node())
    return node


def _set(root, path, name, kind, data):
    _key(root, path)["values"][name] = {"type": kind, "data": data}


def _placeholder(drive, windows_path):
    host = _host(drive, windows_path)
    os.makedirs(os.path.dirname(host), exist_ok=True)
    with open(host, "w", encoding="ascii") as handle:
        handle.write("TEST DOUBLE placeholder for %s\n" % windows_path)


def _host(drive, windows_path):
    letter, rest = windows_path.split(":", 1)
    return os.path.join(drive, letter.upper(), *[part for part in rest.split("\\") if part])


def _mkdir(drive, windows_path):
    os.makedirs(_host(drive, windows_path), exist_ok=True)


def _write_hive(drive, windows_path, node):
    host = _host(drive, windows_path)
    os.makedirs(os.path.dirname(host), exist_ok=True)
    with open(host, "w", encoding="utf-8") as handle:
        json.dump({"format": HIVE_FORMAT, "values": node["values"], "keys": node["keys"]}, handle,
                  indent=1, sort_keys=True)
        handle.write("\n")


USER_FLAGS = ("loaded", "unloaded", "entra", "ansi")


def parse_user(text):
    """NAME:with-profile|without-profile[:loaded|unloaded][:services=A+B][:entra][:ansi] -> dict."""
    parts = text.split(":")
    user = {"name": parts[0], "profile": len(parts) > 1 and parts[1] == "with-profile", "loaded": True,
            "services": [], "entra": False, "ansi": False}
    problem = None
    if len(parts) < 2 or parts[1] not in ("with-profile", "without-profile") or not parts[0]:
        problem = "give NAME:with-profile or NAME:without-profile"
    for flag in parts[2:]:
        if flag.startswith("services="):
            user["services"] = [name for name in flag[len("services="):].split("+") if name]
        elif flag in USER_FLAGS:
            if flag in ("loaded", "unloaded"):
                user["loaded"] = flag == "loaded"
            else:
                user[flag] = True
        else:
            problem = "%r is not one of :loaded, :unloaded, :services=A+B, :entra, :ansi" % flag
    if user["services"] and not user["profile"]:
        problem = "services= needs with-profile (the services lie in the user's profile)"
    if problem:
        raise MachineError("--user %s: %s; after NAME:with-profile|without-profile come, in any order, "
                           ":loaded (default, the user is logged on) or :unloaded, :services=A+B (the "
                           "[Services] names the profile holds), :entra (an Entra ID account) and :ansi "
                           "(service names stored as PT_STRING8)" % (text, problem))
    return user


def _section_name(profile, service):
    """A profile section key name: 32 hex digits, as MAPI names a section by its UID."""
    return hashlib.md5(("%s\0%s" % (profile, service)).encode("utf-8")).hexdigest()


def service_name_value(service, ansi=False):
    """(value name, registry.json data) of PR_SERVICE_NAME in a profile section: PT_UNICODE
    001f3d09 (UTF-16LE) or PT_STRING8 001e3d09 (cp1252, the machine's ANSI code page), both
    REG_BINARY with a terminating NUL."""
    if ansi:
        return "001e3d09", list(service.encode("cp1252") + b"\0")
    return "001f3d09", list(service.encode("utf-16-le") + b"\0\0")


def _user_hive(office_version, with_profile, lcid=None, services=(), ansi=False):
    hive = _node()
    outlook = "Software\\Microsoft\\Office\\%s\\Outlook" % office_version
    _key(hive, "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer")
    if lcid is not None:
        _set(hive, outlook, "LastUILanguage", "string", str(lcid))
    if with_profile:
        _set(hive, outlook, "DefaultProfile", "string", "Outlook")
        _set(hive, outlook + "\\Profiles\\Outlook\\" + PROFILE_SECTION, "001e6750", "string", "Outlook")
        for service in services:
            name, data = service_name_value(service, ansi)
            _set(hive, outlook + "\\Profiles\\Outlook\\" + _section_name("Outlook", service), name, "binary", data)
    else:
        _set(hive, outlook + "\\Setup", "FirstRun", "dword", 1)
        _set(hive, outlook + "\\Setup", "First-Run", "binary", [0xD2, 0x02, 0x00, 0x00])
    return hive


def make_machine(root, office="msi64", windows=64, lcid=1033, mapi=True, users=(), mapisvc=None,
                 office_version="16.0", force=False, outlook_running=False, loaded_files=(), dll_path_ex=None,
                 leftover_msi=None, user_lcid=None):
    """Build the machine at ``root``; return the description also written to machine.json.

    ``users``: dicts {name, profile: bool, loaded: bool, services: [str], entra: bool, ansi: bool}
    (the last three optional) or strings as for ``--user``.
    ``dll_path_ex``: None = the MSMAPI32.DLL of the MSMAPI language folder, "" = no DLLPathEx,
    else the path to write. ``leftover_msi``: an Office version whose MSI Outlook key (Bitness
    only) is left behind. ``user_lcid``: the users' LastUILanguage (default ``lcid``).
    """
    if office not in OFFICE_CHOICES:
        raise MachineError("office: %r; choose one of %s" % (office, ", ".join(OFFICE_CHOICES)))
    windows = int(windows)
    if windows not in (32, 64):
        raise MachineError("windows: %r; choose 64 or 32" % windows)
    if windows == 32 and office.endswith("64"):
        raise MachineError("office: %s cannot be installed on 32-bit Windows" % office)
    users = [parse_user(user) if isinstance(user, str) else dict(user) for user in users]
    for user in users:
        for flag, default in (("services", []), ("entra", False), ("ansi", False)):
            user.setdefault(flag, default)
    if mapisvc and office == "none":
        raise MachineError("mapisvc: with --office none there is no Office folder to put it in")
    if outlook_running and office == "none":
        raise MachineError("outlook_running: with --office none there is no Outlook to run")
    if leftover_msi and leftover_msi == office_version:
        raise MachineError("leftover_msi: %s is the installed version; name an older one (e.g. 15.0)" % leftover_msi)
    root = os.path.abspath(root)
    if os.path.exists(root) and os.listdir(root):
        if not force:
            raise MachineError("root: %s is not empty; pass force to rebuild it" % root)
        if not os.path.exists(os.path.join(root, "machine.json")):
            raise MachineError("root: %s is not a simulated machine, refusing to delete it" % root)
        shutil.rmtree(root)
    drive = os.path.join(root, "drive")
    os.makedirs(drive)

    hklm, hku = _node(), _node()
    win64 = windows == 64
    office_bits = None if office == "none" else (64 if office.endswith("64") else 32)
    wow = win64 and office_bits == 32
    software = "SOFTWARE\\WOW6432Node" if wow else "SOFTWARE"
    program_files = "C:\\Program Files (x86)" if wow else "C:\\Program Files"
    description = {"root": root, "office": office, "windows": windows, "lcid": lcid, "mapi": bool(mapi and office_bits),
                   "office_version": office_version, "office_bitness": {64: "x64", 32: "x86"}.get(office_bits),
                   "program_files": program_files if office_bits else None, "mapisvc": None,
                   "mapisvc_folder": None, "users": [], "dll_path_ex": None}

    # Windows itself.
    for folder in ("C:\\Windows\\System32", "C:\\ProgramData", "C:\\Program Files\\Common Files",
                   "C:\\Users\\Public"):
        _mkdir(drive, folder)
    _placeholder(drive, "C:\\Windows\\System32\\MAPI32.DLL")
    current = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion"
    _set(hklm, current, "ProgramFilesDir", "string", "C:\\Program Files")
    _set(hklm, current, "CommonFilesDir", "string", "C:\\Program Files\\Common Files")
    if win64:
        _mkdir(drive, "C:\\Windows\\SysWOW64")
        _mkdir(drive, "C:\\Program Files (x86)\\Common Files")
        _set(hklm, current, "ProgramFilesDir (x86)", "string", "C:\\Program Files (x86)")
        _set(hklm, current, "CommonFilesDir (x86)", "string", "C:\\Program Files (x86)\\Common Files")
        _set(hklm, current, "ProgramW6432Dir", "string", "C:\\Program Files")
        _set(hklm, current, "CommonW6432Dir", "string", "C:\\Program Files\\Common Files")
        wow_current = "SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion"
        _set(hklm, wow_current, "ProgramFilesDir", "string", "C:\\Program Files (x86)")
        _set(hklm, wow_current, "CommonFilesDir", "string", "C:\\Program Files (x86)\\Common Files")
    nt = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
    _set(hklm, nt, "SystemRoot", "string", "C:\\Windows")
    _set(hklm, nt, "ProductName", "string", "Windows 10 Pro")
    _set(hklm, nt, "CurrentBuild", "string", "19045")
    env = "SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment"
    _set(hklm, env, "PROCESSOR_ARCHITECTURE", "string", "AMD64" if win64 else "x86")
    _set(hklm, env, "windir", "expandstring", "%SystemRoot%")
    _set(hklm, env, "OS", "string", "Windows_NT")
    _key(hklm, "SOFTWARE\\Microsoft\\Active Setup\\Installed Components")
    _key(hklm, "SOFTWARE\\Classes")

    # Office.
    outlook_key = "%s\\Microsoft\\Office\\%s\\Outlook" % (software, office_version)
    lcid_text = str(lcid)
    if office.startswith("msi"):
        office_dir = "%s\\Microsoft Office\\Office%s" % (program_files, office_version.split(".")[0])
        mapi_folder = "%s\\Common Files\\System\\MSMAPI\\%s" % (program_files, lcid_text)
        mapi_dll = mapi_folder + "\\MSMAPI32.DLL"
        _placeholder(drive, office_dir + "\\OUTLOOK.EXE")
        _placeholder(drive, mapi_dll)
        _set(hklm, outlook_key, "Bitness", "string", "x64" if office_bits == 64 else "x86")
        msmapi_dll = mapi_dll
    elif office.startswith("c2r"):
        office_2013 = office_version == "15.0"
        install = program_files + ("\\Microsoft Office 15" if office_2013 else "\\Microsoft Office")
        office_dir = "%s\\root\\Office%s" % (install, office_version.split(".")[0])
        mapi_folder = "%s\\root\\VFS\\ProgramFilesCommon%s\\System\\MSMAPI\\%s" % (
            install, "X64" if office_bits == 64 else "X86", lcid_text)
        mapi_dll = office_dir + "\\OLMAPI32.DLL"
        msmapi_dll = mapi_folder + "\\MSMAPI32.DLL"
        _placeholder(drive, office_dir + "\\OUTLOOK.EXE")
        _placeholder(drive, mapi_dll)
        _placeholder(drive, msmapi_dll)
        platform = "x64" if office_bits == 64 else "x86"
        if office_2013:
            _set(hklm, "SOFTWARE\\Microsoft\\Office\\15.0\\ClickToRun", "InstallPath", "string", install)
            _set(hklm, "SOFTWARE\\Microsoft\\Office\\15.0\\ClickToRun\\Configuration", "Platform", "string", platform)
        else:
            config = "SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration"
            _set(hklm, config, "Platform", "string", platform)
            _set(hklm, config, "InstallationPath", "string", install)
            _set(hklm, config, "VersionToReport", "string", "%s.17928.20156" % office_version)
    if office_bits:
        _set(hklm, outlook_key + "\\InstallRoot", "Path", "string", office_dir + "\\")
        _set(hklm, outlook_key, "LastUILanguage", "string", lcid_text)
        clients = "SOFTWARE\\Clients\\Mail\\Microsoft Outlook"
        _set(hklm, clients, "", "string", "Microsoft Outlook")
        _set(hklm, clients, "DLLPath", "string", mapi_dll)
        path_ex = msmapi_dll if dll_path_ex is None else dll_path_ex
        if path_ex:
            _set(hklm, clients, "DLLPathEx", "string", path_ex)
            description["dll_path_ex"] = path_ex
        if leftover_msi:
            _set(hklm, "%s\\Microsoft\\Office\\%s\\Outlook" % (software, leftover_msi), "Bitness", "string",
                 "x64" if office_bits == 64 else "x86")
        _set(hklm, clients, "MSIComponentID", "string", "{6E5B7A03-3C84-4E64-8F4A-5A43F5C9C6B5}")
        lcid_pointer = ["Software\\Microsoft\\Office\\%s\\Outlook" % office_version, "LastUILanguage"]
        _set(hklm, clients, "MSIApplicationLCID", "multistring", lcid_pointer)
        _set(hklm, clients, "MSIOfficeLCID", "multistring", lcid_pointer)
        description["mapisvc_folder"] = mapi_folder
        if mapi:
            for name, value in MAPI_VALUES:
                _set(hklm, "%s\\Microsoft\\Windows Messaging Subsystem" % software, name, "string", value)
        if mapisvc:
            target = mapi_folder + "\\MAPISVC.INF"
            os.makedirs(_host(drive, mapi_folder), exist_ok=True)
            shutil.copyfile(mapisvc, _host(drive, target))
            description["mapisvc"] = target

    # Users.
    profile_list = nt + "\\ProfileList"
    _set(hklm, profile_list, "ProfilesDirectory", "expandstring", "%SystemDrive%\\Users")
    _set(hklm, profile_list, "Default", "expandstring", "%SystemDrive%\\Users\\Default")
    _set(hklm, profile_list, "Public", "expandstring", "%SystemDrive%\\Users\\Public")
    _set(hklm, profile_list + "\\S-1-5-18", "ProfileImagePath", "expandstring",
         "%systemroot%\\system32\\config\\systemprofile")
    for sid in (".DEFAULT", "S-1-5-18", "S-1-5-19", "S-1-5-20"):
        _key(hku, sid + "\\Software")
    default_hive = _node()
    _key(default_hive, "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer")
    _write_hive(drive, "C:\\Users\\Default\\NTUSER.DAT", default_hive)
    loaded_hives = {}
    for index, user in enumerate(users):
        sid = "%s-%d" % ((ENTRA_SID, FIRST_ENTRA + index) if user["entra"] else (DOMAIN_SID, FIRST_RID + index))
        home = "C:\\Users\\%s" % user["name"]
        hive_path = home + "\\NTUSER.DAT"
        hive = _user_hive(office_version, user["profile"],
                          None if office_bits is None else (lcid if user_lcid is None else user_lcid),
                          user["services"], user["ansi"])
        _mkdir(drive, home + "\\AppData\\Local")
        _write_hive(drive, hive_path, hive)
        _set(hklm, "%s\\%s" % (profile_list, sid), "ProfileImagePath", "expandstring", home)
        if user["loaded"]:
            hku["keys"][sid] = json.loads(json.dumps(hive))
            hku["keys"][sid + "_Classes"] = _node()
            loaded_hives[sid] = hive_path
        description["users"].append(dict(user, sid=sid, home=home, hive=hive_path))

    registry = {"format": REGISTRY_FORMAT,
                "current_user": description["users"][0]["sid"] if users and users[0]["loaded"] else None,
                "loaded_hives": loaded_hives,
                "keys": {"HKEY_LOCAL_MACHINE": hklm, "HKEY_USERS": hku}}
    with open(os.path.join(root, "registry.json"), "w", encoding="utf-8") as handle:
        json.dump(registry, handle, indent=1, sort_keys=True)
        handle.write("\n")
    running = []
    if outlook_running:
        running.append({"id": 4242, "name": "OUTLOOK", "session": 1, "path": office_dir + "\\OUTLOOK.EXE",
                        "modules": [mapi_dll] + list(loaded_files)})
    elif loaded_files:
        running.append({"id": 4343, "name": "dllhost", "session": 0, "path": "C:\\Windows\\System32\\dllhost.exe",
                        "modules": list(loaded_files)})
    description["processes"] = running
    if running:
        with open(os.path.join(root, "processes.json"), "w", encoding="utf-8") as handle:
            json.dump({"format": "mapi-testdouble-processes/1", "processes": running}, handle, indent=1, sort_keys=True)
            handle.write("\n")
    with open(os.path.join(root, "machine.json"), "w", encoding="utf-8") as handle:
        json.dump(description, handle, indent=1, sort_keys=True)
        handle.write("\n")
    return description


# The host variables that make localhost pose as a simulated Windows host (README.md).
SIMULATED_HOST_VARS = {
    "ansible_connection": "local",
    "ansible_python_interpreter": "{{ ansible_playbook_python }}",
    "ansible_shell_type": "mapi_testdouble.windows_host.simulated",
    "ansible_pipelining": True,
}


def write_inventory(path, roots, group="all"):
    """Write a YAML inventory at ``path`` with one host per machine in ``roots`` (host name:
    machine folder), in ``group``; return ``path``."""
    hosts = {name: {"simulated_windows_root": str(root)} for name, root in roots.items()}
    body = {"vars": dict(SIMULATED_HOST_VARS), "hosts": hosts}
    tree = {"all": body} if group == "all" else {"all": {"children": {group: body}}}
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(tree, indent=1))
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build a simulated Windows machine (TEST DOUBLE) for "
                                                 "the ansible.windows test doubles.")
    parser.add_argument("--root", required=True, help="folder to build the machine in")
    parser.add_argument("--office", required=True, choices=OFFICE_CHOICES)
    parser.add_argument("--windows", type=int, choices=(64, 32), default=64)
    parser.add_argument("--lcid", type=int, default=1033)
    parser.add_argument("--no-mapi", action="store_true", help="leave out the Windows Messaging Subsystem values")
    parser.add_argument("--user", action="append", default=[],
                        help="NAME:with-profile|without-profile[:loaded|unloaded][:services=A+B][:entra][:ansi] "
                             "(repeatable)")
    parser.add_argument("--mapisvc", help="file to install as MAPISVC.INF where this Office keeps it")
    parser.add_argument("--office-version", default="16.0")
    parser.add_argument("--outlook-running", action="store_true", help="OUTLOOK.EXE runs (with MAPI loaded)")
    parser.add_argument("--loaded", action="append", default=[],
                        help="Windows path of a DLL a running process has loaded (repeatable)")
    parser.add_argument("--dll-path-ex", help="DLLPathEx to write (default: the MSMAPI32.DLL of the language folder)")
    parser.add_argument("--no-dll-path-ex", action="store_true", help="leave DLLPathEx out")
    parser.add_argument("--leftover-msi", help="an older Office version whose MSI Outlook key is left behind (e.g. 15.0)")
    parser.add_argument("--user-lcid", type=int, help="the users' LastUILanguage (default: --lcid)")
    parser.add_argument("--force", action="store_true", help="rebuild an existing machine folder")
    args = parser.parse_args(argv)
    try:
        description = make_machine(args.root, office=args.office, windows=args.windows, lcid=args.lcid,
                                   mapi=not args.no_mapi, users=args.user, mapisvc=args.mapisvc,
                                   office_version=args.office_version, force=args.force,
                                   outlook_running=args.outlook_running, loaded_files=args.loaded,
                                   dll_path_ex="" if args.no_dll_path_ex else args.dll_path_ex,
                                   leftover_msi=args.leftover_msi, user_lcid=args.user_lcid)
    except (MachineError, OSError) as e:
        sys.stderr.write("make_machine: %s\n" % e)
        return 2
    sys.stdout.write(json.dumps(description, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
