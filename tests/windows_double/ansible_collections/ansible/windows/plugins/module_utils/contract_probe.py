# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE contract ``probe``: what mapi.messaging's probe_script.PROBE_SCRIPT does.

Parameters (PowerShell param block, each typed and defaulting to an empty array; one string
binds as a list of one, as PowerShell binds it): RegistryKeys, Values, Paths, MapisvcPaths,
UserKeys, InUsePaths, ProfileKeys. An entry of a string list that is not a string is not simulated (fails
clearly).

The simulated host process is a 64-bit PowerShell (the registry's 64-bit view, with
``SOFTWARE\\WOW6432Node`` a plain key, and no file system redirection). Step by step, as the
script does it:

- Under a language mode other than FullLanguage (machine setting ``language_mode``) it stops
  before any .NET call, naming the mode and the fix.
- Registry paths: ``HKLM:\\...`` and ``HKU:\\...`` only (any case, repeated backslashes
  collapsed); any other path is an item ``error``. Values as stored: REG_SZ / REG_EXPAND_SZ the
  string, not expanded (``DoNotExpandEnvironmentNames``); REG_MULTI_SZ a list; REG_DWORD /
  REG_QWORD the unsigned number; REG_BINARY / REG_NONE lowercase hex.
- ``registry``: per key ``{key, exists, values, sub_keys, error}``.
- ``values``: per declared value ``{key, name, key_exists, exists, type, error}`` plus ``data``
  when ``secret`` is false (``-eq $false``: False, 0, "false" in any case) or ``sha256`` of the
  canonical data otherwise (also when ``secret`` is missing); name null = the key itself.
- ``paths``: per path ``{path, expanded, exists, directory, size, sha256, error}``; ``%VAR%``
  expanded (``Machine.expand``), only full paths (``C:\\``, ``\\\\``) read, else an item error; a
  file the sandbox cannot read: ``Access to the path '<path>' is denied.``
- ``mapisvc``: the folders of ``PROBE_SCRIPT`` in its order (CommonFilesDir and CommonFilesDir
  (x86) ``\\System\\MSMAPI`` and their ``<digits>`` folders; Click-to-Run ``InstallationPath``
  ``\\root\\VFS\\ProgramFilesCommonX64|X86\\System\\MSMAPI`` the same; the folder of
  ``DLLPathEx`` / ``DLLPath`` under ``Clients\\Mail\\Microsoft Outlook`` in both views; System32
  and, on 64-bit Windows (PROCESSOR_ARCHITECTURE not x86), SysWOW64, MAPISVC.INF only; then
  MapisvcPaths, a missing one in ``missing``, a folder an error). Registry values naming these
  folders are read with expansion (``GetValue`` expands REG_EXPAND_SZ). Each folder, copy, DLL
  and language folder once (compared case-insensitively). A copy above ``MAX_BYTES`` or one
  that cannot be read is named in ``errors`` and left out of ``copies``. The file name in a
  copy's path is spelt ``MAPISVC.INF`` whatever the disk says; enumerated language folders keep
  the disk's spelling.
- ``users``: ``loaded`` = every key under ``HKEY_USERS``; ``keys`` = each UserKeys entry under
  every loaded name like ``S-1-*`` and not like ``*_Classes``, as ``registry`` entries plus
  ``sid``; ``profiles`` = each ProfileKeys entry under the same hives: ``{sid, key, exists,
  default, parent_default, profiles, error}`` with ``default`` / ``parent_default`` the string
  value ``DefaultProfile`` of the key / of its parent (another type or none: null), and per sub
  key (profile) ``{name, services, error}``: the PR_SERVICE_NAME of each of its sub keys
  (sections) from ``001f3d09`` (UTF-16LE) or else ``001e3d09`` (the ANSI code page: machine
  setting ``ansi_code_page``, default cp1252), cut at the first NUL, each name once (without
  case), in section order; a value of another type than binary is the profile's ``error``
  naming the section, and the other sections are still read.
- ``in_use``: ``outlook`` = the processes named OUTLOOK (``processes.json``, as written by
  make_machine.py); ``locked`` = each InUsePaths entry (expanded, a full path) that exists and
  is loaded by a process (image or module): ``{path: <as given>, error: <.NET sharing violation
  message>}``; an entry that cannot be tested at all (not a full path) is reported locked with
  its reason, as the script's catch does.
- Changes nothing, also in check mode; ``changed: false``.
"""

import base64
import fnmatch
import hashlib
import json
import os
import re

PARAMETERS = ("RegistryKeys", "Values", "Paths", "MapisvcPaths", "UserKeys", "InUsePaths", "ProfileKeys")
PROBE_VERSION = 2
# The script's $maxBytes (transport.MAX_FILE_BYTES; a unit test keeps them equal).
MAX_BYTES = 64 * 1024 * 1024
PROCESSES_FORMAT = "mapi-testdouble-processes/1"
# The messages .NET gives these exceptions.
SHARING_VIOLATION = "The process cannot access the file '%s' because it is being used by another process."
ACCESS_DENIED = "Access to the path '%s' is denied."
# win_regedit's type names (registry.json) -> the REG_* names the script reports.
REG_TYPES = {"string": "REG_SZ", "expandstring": "REG_EXPAND_SZ", "multistring": "REG_MULTI_SZ",
             "dword": "REG_DWORD", "qword": "REG_QWORD", "binary": "REG_BINARY", "none": "REG_NONE"}
_KEY_PATH = re.compile(r"^HK(LM|U):(?:\\(.*))?$", re.IGNORECASE)
_FULL_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|[\\/]{2})")
_DIGITS = re.compile(r"^[0-9]+$")
CURRENT_VERSION = ("SOFTWARE", "Microsoft", "Windows", "CurrentVersion")
C2R_CONFIGURATION = ("SOFTWARE", "Microsoft", "Office", "ClickToRun", "Configuration")
OUTLOOK_CLIENTS = (("SOFTWARE", "Clients", "Mail", "Microsoft Outlook"),
                   ("SOFTWARE", "WOW6432Node", "Clients", "Mail", "Microsoft Outlook"))
ENVIRONMENT = ("SYSTEM", "CurrentControlSet", "Control", "Session Manager", "Environment")


class ItemError(Exception):
    """What the script records as one item's ``error`` (the .NET or the script's message)."""


def _find(mapping, name):
    """(stored name, item) of ``name`` in a registry node's dict, case-insensitive."""
    lowered = name.lower()
    for existing, item in mapping.items():
        if existing.lower() == lowered:
            return existing, item
    return None, None


# -- parameters ------------------------------------------------------------------------------
def _strings(parameters, name):
    value = parameters.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("TEST DOUBLE: %s must be a list of strings here; other values are not simulated" % name)
    return value


def _objects(parameters, name):
    value = parameters.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_false(value):
    """PowerShell's ``$value -eq $false`` (the right side converted to the left side's type)."""
    if isinstance(value, bool):
        return value is False
    if isinstance(value, (int, float)):
        return value == 0
    if isinstance(value, str):
        return value.lower() == "false"
    return False


# -- paths -----------------------------------------------------------------------------------
def _full_path(path):
    """[System.IO.Path]::GetFullPath for a drive or UNC path (``/`` or ``\\``): separators
    unified and collapsed, ``.`` and ``..`` resolved, a trailing backslash kept."""
    path = path.replace("/", "\\")
    if path.startswith("\\\\"):
        pieces = path[2:].split("\\")
        prefix, rest = "\\\\" + "\\".join(pieces[:2]), pieces[2:]
    else:
        prefix, rest = path[:2], path[3:].split("\\")
    parts = []
    for part in rest:
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    full = prefix + "\\" + "\\".join(parts)
    if path.endswith("\\") and parts:
        full += "\\"
    return full


def _combine(folder, name):
    """[System.IO.Path]::Combine for a relative ``name``."""
    return folder + name if folder.endswith(("\\", "/", ":")) else folder + "\\" + name


def _folder_path(folder):
    full = _full_path(folder)
    return full.rstrip("\\") if len(full) > 3 else full


def _directory_name(path):
    """[System.IO.Path]::GetDirectoryName of a full path."""
    head = path.rsplit("\\", 1)[0]
    return head + "\\" if len(head) == 2 and head.endswith(":") else head


def _get_full_path(machine, path):
    """The script's Get-FullPath: %VAR% expanded, a full path or an item error."""
    expanded = machine.expand(path)
    if not _FULL_PATH.match(expanded):
        raise ItemError("'%s' is not a full path (C:\\... or \\\\server\\share\\...)" % path)
    return _full_path(expanded)


def _host(machine, windows_path):
    try:
        return machine.host_path(windows_path)
    except Exception as e:  # pylint: disable=broad-except  # a path the sandbox cannot map
        raise ItemError("TEST DOUBLE: %s" % e) from e


def _read_bytes(host, windows_path):
    try:
        with open(host, "rb") as handle:
            return handle.read()
    except PermissionError as e:
        raise ItemError(ACCESS_DENIED % windows_path) from e


# -- registry --------------------------------------------------------------------------------
def _components(path):
    match = _KEY_PATH.match(path)
    if not match:
        raise ItemError("'%s' is not a registry key the probe reads; give HKLM:\\... or HKU:\\..." % path)
    root = "HKEY_LOCAL_MACHINE" if match.group(1).upper() == "LM" else "HKEY_USERS"
    return [root] + [part for part in re.split(r"\\+", match.group(2) or "") if part]


def read_value(stored):
    """(REG_* type, data as the script reports it) of one registry.json value."""
    kind, data = stored["type"], stored["data"]
    if kind in ("string", "expandstring"):
        return REG_TYPES[kind], str(data)
    if kind == "multistring":
        return REG_TYPES[kind], [str(item) for item in data]
    if kind in ("dword", "qword"):
        return REG_TYPES[kind], int(data)
    if kind in ("binary", "none"):
        return REG_TYPES[kind], bytes(data).hex()
    raise ItemError("value has a registry type .NET cannot read (%s)" % kind)


def canonical_sha256(reg_type, data):
    """SHA-256 (hex) of the UTF-8 of: the string; the items joined with "\\n"; the unsigned
    decimal number; the lowercase hex."""
    if reg_type == "REG_MULTI_SZ":
        text = "\n".join(data)
    elif reg_type in ("REG_DWORD", "REG_QWORD"):
        text = "%d" % data
    else:
        text = str(data)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_key(node, entry):
    values, problems = {}, []
    for name, stored in (node.get("values") or {}).items():
        try:
            reg_type, data = read_value(stored)
            values[name] = {"type": reg_type, "data": data}
        except ItemError as e:
            problems.append(str(e))
    entry["values"] = values
    entry["sub_keys"] = list((node.get("keys") or {}).keys())
    if problems:
        entry["error"] = "; ".join(problems)


def _key_entry(reg, path, entry):
    try:
        node = reg.open(_components(path))
        if node is not None:
            entry["exists"] = True
            _read_key(node, entry)
    except ItemError as e:
        entry["error"] = str(e)
    return entry


def _declared(reg, item):
    item = item if isinstance(item, dict) else {}
    key, name = item.get("key"), item.get("name")
    secret = not _is_false(item.get("secret"))
    entry = {"key": key, "name": name, "key_exists": False, "exists": False, "type": None, "error": None}
    entry["sha256" if secret else "data"] = None
    try:
        node = reg.open(_components("" if key is None else str(key)))
        if node is not None:
            entry["key_exists"] = True
            if name is None:
                entry["exists"] = True
            else:
                dummy, stored = _find(node.get("values") or {}, str(name))
                if stored is not None:
                    entry["exists"] = True
                    reg_type, data = read_value(stored)
                    entry["type"] = reg_type
                    if secret:
                        entry["sha256"] = canonical_sha256(reg_type, data)
                    else:
                        entry["data"] = data
    except ItemError as e:
        entry["error"] = str(e)
    return entry


def _search_value(machine, reg, components, name):
    """A string value naming a folder or file, expanded as GetValue(name) expands it; None when
    missing, empty or not a string."""
    node = reg.open(["HKEY_LOCAL_MACHINE"] + list(components))
    if node is None:
        return None
    dummy, stored = _find(node.get("values") or {}, name)
    if stored is None or stored["type"] not in ("string", "expandstring"):
        return None
    value = machine.expand(stored["data"]) if stored["type"] == "expandstring" else stored["data"]
    return value.strip() or None


# -- files -----------------------------------------------------------------------------------
def _path_entry(machine, path):
    entry = {"path": path, "expanded": machine.expand(path), "exists": False, "directory": False, "size": None,
             "sha256": None, "error": None}
    try:
        full = _get_full_path(machine, path)
        host = _host(machine, full)
        if os.path.isdir(host):
            entry.update(exists=True, directory=True)
        elif os.path.isfile(host):
            entry["exists"] = True
            data = _read_bytes(host, full)
            entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    except ItemError as e:
        entry["error"] = str(e)
    return entry


class MapisvcSearch:
    """The script's MAPISVC.INF search (its functions Add-Copy, Search-Folder, Search-Msmapi)."""

    def __init__(self, machine):
        self.machine = machine
        self.seen = set()
        self.searched, self.copies, self.missing, self.dlls, self.language_folders, self.errors = [], [], [], [], [], []

    def _first(self, kind, path):
        key = "%s:%s" % (kind, path.lower())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def add_copy(self, path):
        if not self._first("file", path):
            return
        try:
            host = _host(self.machine, path)
            if not os.path.isfile(host):
                return
            size = os.path.getsize(host)
            if size > MAX_BYTES:
                raise ItemError("'%s' is %d bytes, more than the %d bytes a MAPISVC.INF can be; it was not read"
                                % (path, size, MAX_BYTES))
            data = _read_bytes(host, path)
        except ItemError as e:
            self.errors.append("'%s' could not be read: %s" % (path, e))
            return
        self.copies.append({"path": path, "content": base64.b64encode(data).decode("ascii"),
                            "sha1": hashlib.sha1(data).hexdigest(), "size": len(data)})

    def folder(self, folder, with_dll):
        full = _folder_path(folder)
        if not self._first("folder", full):
            return
        self.searched.append(full)
        host = _host(self.machine, full)
        if not os.path.isdir(host):
            return
        self.add_copy(_combine(full, "MAPISVC.INF"))
        dll = _combine(full, "MSMAPI32.DLL")
        if with_dll and os.path.isfile(_host(self.machine, dll)) and self._first("dll", dll):
            self.dlls.append(dll)

    def msmapi(self, root):
        full = _folder_path(root)
        self.folder(full, True)
        host = _host(self.machine, full)
        if not os.path.isdir(host):
            return
        for name in sorted(os.listdir(host), key=str.lower):
            if os.path.isdir(os.path.join(host, name)) and _DIGITS.match(name):
                language = _combine(full, name)
                if self._first("language", language):
                    self.language_folders.append(language)
                self.folder(language, True)

    def run(self, reg, mapisvc_paths):
        """The script's steps in order; a step that fails is named in ``errors`` and the next
        one still runs."""
        for step, argument in ((self._common_files, reg), (self._click_to_run, reg), (self._outlook_client, reg),
                               (self._system, reg), (self._given, mapisvc_paths)):
            try:
                step(argument)
            except ItemError as e:
                self.errors.append(str(e))
        return {"searched": self.searched, "copies": self.copies, "missing": self.missing,
                "msmapi_dlls": self.dlls, "language_folders": self.language_folders, "errors": self.errors}

    def _common_files(self, reg):
        for name in ("CommonFilesDir", "CommonFilesDir (x86)"):
            try:
                common = _search_value(self.machine, reg, CURRENT_VERSION, name)
                if common:
                    self.msmapi(_combine(common, "System\\MSMAPI"))
            except ItemError as e:
                self.errors.append("%s: %s" % (name, e))

    def _click_to_run(self, reg):
        installation = _search_value(self.machine, reg, C2R_CONFIGURATION, "InstallationPath")
        if installation:
            for vfs in ("ProgramFilesCommonX64", "ProgramFilesCommonX86"):
                self.msmapi(_combine(installation, "root\\VFS\\%s\\System\\MSMAPI" % vfs))

    def _outlook_client(self, reg):
        for client in OUTLOOK_CLIENTS:
            for name in ("DLLPathEx", "DLLPath"):
                try:
                    dll = _search_value(self.machine, reg, client, name)
                    if dll and _FULL_PATH.match(dll):
                        self.folder(_directory_name(_full_path(dll)), True)
                except ItemError as e:
                    self.errors.append("%s %s: %s" % ("\\".join(client), name, e))

    def _system(self, reg):
        system_root = self.machine.expand("%SystemRoot%")
        if not _FULL_PATH.match(system_root):
            raise ItemError("TEST DOUBLE: the machine has no SystemRoot")
        self.folder(_combine(system_root, "System32"), False)
        node = reg.open(["HKEY_LOCAL_MACHINE"] + list(ENVIRONMENT)) or {}
        dummy, architecture = _find(node.get("values") or {}, "PROCESSOR_ARCHITECTURE")
        if architecture is not None and str(architecture["data"]).lower() != "x86":
            self.folder(_combine(system_root, "SysWOW64"), False)

    def _given(self, mapisvc_paths):
        for path in mapisvc_paths:
            try:
                full = _get_full_path(self.machine, path)
                host = _host(self.machine, full)
                if os.path.isdir(host):
                    self.errors.append("MapisvcPaths: '%s' is a folder; give the full path of the MAPISVC.INF file" % path)
                elif os.path.isfile(host):
                    self.add_copy(full)
                else:
                    self.missing.append(path)
            except ItemError as e:
                self.errors.append("MapisvcPaths: '%s': %s" % (path, e))


# -- users and processes ---------------------------------------------------------------------
def _user_hives(loaded):
    """The loaded hives the script reads user keys under: like S-1-*, not like *_Classes."""
    return [sid for sid in loaded
            if fnmatch.fnmatch(sid.lower(), "s-1-*") and not fnmatch.fnmatch(sid.lower(), "*_classes")]


def _users(machine, reg, user_keys, profile_keys):
    hive = reg.open(["HKEY_USERS"]) or {}
    loaded = list((hive.get("keys") or {}).keys())
    keys = []
    for sid in _user_hives(loaded):
        for relative in user_keys:
            entry = {"sid": sid, "key": relative, "exists": False, "values": {}, "sub_keys": [], "error": None}
            keys.append(_key_entry(reg, "HKU:\\%s\\%s" % (sid, relative.strip("\\")), entry))
    return {"loaded": loaded, "keys": keys, "profiles": _profile_sets(machine, reg, loaded, profile_keys)}


def _default_profile(node):
    dummy, stored = _find((node or {}).get("values") or {}, "DefaultProfile")
    return str(stored["data"]) if stored is not None and stored["type"] == "string" else None


def _service_name(section, code_page):
    """PR_SERVICE_NAME of one profile section node, or None (the script's Read-ServiceName)."""
    for name, encoding in (("001f3d09", "utf-16-le"), ("001e3d09", code_page)):
        dummy, stored = _find(section.get("values") or {}, name)
        if stored is None:
            continue
        if stored["type"] != "binary":
            raise ItemError("value '%s' is not REG_BINARY" % name)
        text = bytes(stored["data"]).decode(encoding, errors="replace").split("\0", maxsplit=1)[0]
        if text:
            return text
    return None


def _profile(node, name, code_page):
    services, problems = [], []
    for section_name, section in (node.get("keys") or {}).items():
        try:
            service = _service_name(section, code_page)
        except ItemError as e:
            problems.append("section %s: %s" % (section_name, e))
            continue
        if service is not None and service.lower() not in {known.lower() for known in services}:
            services.append(service)
    return {"name": name, "services": services, "error": "; ".join(problems) or None}


def _profile_sets(machine, reg, loaded, profile_keys):
    code_page = machine.setting("ansi_code_page", "cp1252")
    found = []
    for sid in _user_hives(loaded):
        for relative in profile_keys:
            entry = {"sid": sid, "key": relative, "exists": False, "default": None, "parent_default": None,
                     "profiles": [], "error": None}
            # Repeated backslashes collapsed, outer ones dropped, as the script does.
            path = "\\".join(part for part in relative.split("\\") if part)
            try:
                node = reg.open(_components("HKU:\\%s\\%s" % (sid, path)))
                if node is not None:
                    entry.update(exists=True, default=_default_profile(node), profiles=[
                        _profile(profile, name, code_page) for name, profile in (node.get("keys") or {}).items()])
                if "\\" in path:
                    entry["parent_default"] = _default_profile(
                        reg.open(_components("HKU:\\%s\\%s" % (sid, path.rsplit("\\", 1)[0]))))
            except ItemError as e:
                entry["error"] = str(e)
            found.append(entry)
    return found


def processes(machine):
    path = os.path.join(machine.root, "processes.json")
    if not os.path.isfile(path):
        return []
    with open(path, "r", encoding="utf-8") as handle:
        data = json.load(handle)
    if data.get("format") != PROCESSES_FORMAT:
        raise ValueError("%s: unknown format %r" % (path, data.get("format")))
    return data.get("processes") or []


def _in_use(machine, in_use_paths):
    running = processes(machine)
    outlook = [{"id": item["id"], "session": item.get("session", 1)} for item in running
               if str(item.get("name", "")).lower().rsplit(".exe", 1)[0] == "outlook"]
    held = set()
    for item in running:
        for module in [item.get("path")] + list(item.get("modules") or []):
            if module:
                held.add(os.path.normcase(machine.host_path(module)))
    locked = []
    for path in in_use_paths:
        try:
            full = _get_full_path(machine, path)
            host = _host(machine, full)
            if not os.path.isfile(host):
                continue
            if os.path.normcase(host) in held:
                raise ItemError(SHARING_VIOLATION % full)
            if not os.access(host, os.R_OK | os.W_OK):
                raise ItemError(ACCESS_DENIED % full)
        except ItemError as e:
            locked.append({"path": path, "error": str(e)})
    return {"outlook": outlook, "locked": locked}


def run(machine, parameters, check_mode):
    del check_mode  # reading is the same in check mode
    mode = machine.setting("language_mode", "FullLanguage")
    if mode != "FullLanguage":
        raise ValueError("PowerShell runs in %s mode on this host (an application control policy such as WDAC "
                         "or AppLocker), which blocks the .NET registry and file calls that read the host for "
                         "mapi.messaging. Let the Ansible connection run ansible.windows.win_powershell scripts "
                         "in FullLanguage mode (policy exception or signed scripts)." % mode)
    registry_keys = _strings(parameters, "RegistryKeys")
    values = _objects(parameters, "Values")
    paths = _strings(parameters, "Paths")
    mapisvc_paths = _strings(parameters, "MapisvcPaths")
    user_keys = _strings(parameters, "UserKeys")
    in_use_paths = _strings(parameters, "InUsePaths")
    profile_keys = _strings(parameters, "ProfileKeys")
    # %VAR% expansion reads the registry: once, before the registry is held below.
    machine.environment()
    with machine.registry() as reg:
        result = {
            "probe": PROBE_VERSION,
            "registry": [_key_entry(reg, path, {"key": path, "exists": False, "values": {}, "sub_keys": [],
                                                "error": None}) for path in registry_keys],
            "values": [_declared(reg, item) for item in values],
            "paths": [_path_entry(machine, path) for path in paths],
            "mapisvc": MapisvcSearch(machine).run(reg, mapisvc_paths),
            "users": _users(machine, reg, user_keys, profile_keys),
            "in_use": _in_use(machine, in_use_paths),
            "errors": [],
        }
    return {"changed": False, "result": result}
