# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE support: the simulated Windows machine the doubles act on.

A machine is a folder (``SIMULATED_WINDOWS_ROOT``, exported by the
``mapi_testdouble.windows_host.simulated`` shell plugin) holding:

- ``drive/<LETTER>/...``: the file system. ``C:\\Program Files\\X`` is ``drive/C/Program Files/X``;
  existing components are matched case-insensitively, as NTFS does for Win32 callers.
- ``registry.json``: the registry, ``{"format", "current_user", "loaded_hives", "keys"}``;
  ``keys`` holds ``HKEY_LOCAL_MACHINE`` and ``HKEY_USERS`` as nodes
  ``{"values": {name: {"type", "data"}}, "keys": {name: node}}``. Names keep their case and
  are looked up case-insensitively. Views such as ``SOFTWARE\\WOW6432Node`` are plain keys
  (the modules run as a 64-bit process, which sees both views side by side). ``HKCU`` is
  ``HKEY_USERS\\<current_user>``; ``loaded_hives`` maps a loaded user's SID to its hive file.
- Hive files (``NTUSER.DAT``) are JSON files holding one node (win_regedit ``hive:``).

Value data in JSON: string/expandstring -> str, multistring -> [str], dword/qword -> unsigned
int, binary/none -> [int 0-255], the forms win_regedit stores.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re

REGISTRY_FORMAT = "mapi-testdouble-registry/1"
HIVE_FORMAT = "mapi-testdouble-hive/1"
VALUE_TYPES = ("none", "binary", "dword", "expandstring", "multistring", "string", "qword")
# The registry drives the real modules accept (win_reg_stat/win_regedit: ^HK(CC|CR|CU|LM|U):\).
REGISTRY_PATH = re.compile(r"^HK(CC|CR|CU|LM|U):\\", re.IGNORECASE)
_DRIVE_PATH = re.compile(r"^([A-Za-z]):(?:[\\/]|$)")
_ENV_REFERENCE = re.compile(r"%([^%]+)%")


class SimulationError(Exception):
    """Something the simulated machine cannot do; the message says what and why."""


def machine_root():
    root = os.environ.get("SIMULATED_WINDOWS_ROOT")
    if not root:
        raise SimulationError("SIMULATED_WINDOWS_ROOT is not set: run the ansible.windows test doubles "
                              "through the mapi_testdouble.windows_host.simulated shell with the host "
                              "variable simulated_windows_root")
    if not os.path.isfile(os.path.join(root, "registry.json")):
        raise SimulationError("%s is not a simulated machine (no registry.json); build one with "
                              "tests/windows_double/make_machine.py" % root)
    return root


def _child(node, name, create=False):
    """The subkey ``name`` of ``node`` (case-insensitive), optionally created."""
    keys = node.setdefault("keys", {}) if create else node.get("keys", {})
    lowered = name.lower()
    for existing, child in keys.items():
        if existing.lower() == lowered:
            return existing, child
    if not create:
        return None, None
    keys[name] = {"values": {}, "keys": {}}
    return name, keys[name]


def find_value(node, name):
    """(stored name, value dict) of value ``name`` ('' = the key's default), case-insensitive."""
    lowered = (name or "").lower()
    for existing, value in node.get("values", {}).items():
        if existing.lower() == lowered:
            return existing, value
    return None, None


class Registry:
    """registry.json, loaded under an exclusive lock (``with Machine().registry() as reg``)."""

    def __init__(self, data, machine):
        self.data = data
        self.machine = machine

    def split(self, path):
        """Key path -> list of components from HKEY_LOCAL_MACHINE / HKEY_USERS."""
        match = REGISTRY_PATH.match(path)
        if not match:
            raise SimulationError("path: %s is not a valid registry path, see module documentation for examples." % path)
        drive = match.group(1).upper()
        rest = [part for part in path[match.end():].split("\\") if part]
        if drive == "LM":
            return ["HKEY_LOCAL_MACHINE"] + rest
        if drive == "U":
            return ["HKEY_USERS"] + rest
        if drive == "CU":
            sid = self.data.get("current_user")
            if not sid:
                raise SimulationError("HKCU: the simulated machine has no current user (registry.json current_user)")
            return ["HKEY_USERS", sid] + rest
        if drive == "CR":
            return ["HKEY_LOCAL_MACHINE", "SOFTWARE", "Classes"] + rest
        return ["HKEY_LOCAL_MACHINE", "SYSTEM", "CurrentControlSet", "Hardware Profiles", "Current"] + rest

    def open(self, components, create=False):
        node = {"keys": self.data["keys"]}
        for part in components:
            dummy, node = _child(node, part, create)
            if node is None:
                return None
        return node

    def delete(self, components):
        parent = self.open(components[:-1])
        if parent is None:
            return False
        name, node = _child(parent, components[-1])
        if node is None:
            return False
        del parent["keys"][name]
        return True

    def mount_hive(self, components, node):
        parent = self.open(components[:-1], create=True)
        parent.setdefault("keys", {})[components[-1]] = node

    def environment(self):
        """The system environment variables a 64-bit process sees, from the registry."""
        env = {}
        session = self.open(["HKEY_LOCAL_MACHINE", "SYSTEM", "CurrentControlSet", "Control",
                             "Session Manager", "Environment"])
        for name, value in ((session or {}).get("values") or {}).items():
            if value.get("type") in ("string", "expandstring"):
                env[name.lower()] = value["data"]
        current = self.open(["HKEY_LOCAL_MACHINE", "SOFTWARE", "Microsoft", "Windows", "CurrentVersion"]) or {}
        nt = self.open(["HKEY_LOCAL_MACHINE", "SOFTWARE", "Microsoft", "Windows NT", "CurrentVersion"]) or {}
        for variable, node, name in (
                ("programfiles", current, "ProgramFilesDir"),
                ("programfiles(x86)", current, "ProgramFilesDir (x86)"),
                ("commonprogramfiles", current, "CommonFilesDir"),
                ("commonprogramfiles(x86)", current, "CommonFilesDir (x86)"),
                ("systemroot", nt, "SystemRoot")):
            dummy, value = find_value(node, name)
            if value is not None:
                env[variable] = value["data"]
        if "systemroot" in env:
            env.setdefault("windir", env["systemroot"])
            env.setdefault("systemdrive", env["systemroot"][:2])
        return env


class Machine:
    """The simulated machine at ``root`` (default: ``SIMULATED_WINDOWS_ROOT``)."""

    def __init__(self, root=None):
        self.root = os.path.abspath(root or machine_root())
        self.drive_root = os.path.join(self.root, "drive")
        self._environment = None

    # -- registry -------------------------------------------------------------------------
    @contextlib.contextmanager
    def registry(self, write=False):
        """The registry under an exclusive lock; saved on exit when ``write``."""
        with open(os.path.join(self.root, "registry.lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path = os.path.join(self.root, "registry.json")
            with open(path, "r", encoding="utf-8") as handle:
                data = json.load(handle)
            if data.get("format") != REGISTRY_FORMAT:
                raise SimulationError("%s: unknown format %r" % (path, data.get("format")))
            reg = Registry(data, self)
            yield reg
            if write:
                write_json(path, reg.data)

    def environment(self):
        if self._environment is None:
            with self.registry() as reg:
                self._environment = reg.environment()
        return self._environment

    # -- faults ---------------------------------------------------------------------------
    def take_fault(self, operation):
        """The Win32 error code the next ``operation`` (e.g. ``File.Replace``) fails with, or None.

        Tests queue faults in ``faults.json`` in the machine folder, ``{operation: [code,
        ...]}``; each call takes the first code of its operation's list, so the next N calls
        fail, one code each, and the later ones succeed."""
        path = os.path.join(self.root, "faults.json")
        with open(os.path.join(self.root, "registry.lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not os.path.isfile(path):
                return None
            with open(path, "r", encoding="utf-8") as handle:
                faults = json.load(handle)
            queue = faults.get(operation) or []
            if not queue:
                return None
            faults[operation] = queue[1:]
            write_json(path, faults)
            return queue[0]

    def setting(self, name, default=None):
        """A machine-wide setting tests put in ``faults.json`` (e.g. ``language_mode``)."""
        path = os.path.join(self.root, "faults.json")
        if not os.path.isfile(path):
            return default
        with open(path, "r", encoding="utf-8") as handle:
            return json.load(handle).get(name, default)

    # -- file system ----------------------------------------------------------------------
    def expand(self, path):
        """%VARIABLE% references expanded like ExpandEnvironmentVariables (unknown ones kept)."""
        env = None
        if "%" in path:
            env = self.environment()
        return _ENV_REFERENCE.sub(lambda m: env.get(m.group(1).lower(), m.group(0)), path) if env else path

    def host_path(self, windows_path):
        """Where the Windows path ``windows_path`` lives in the sandbox.

        ``%VAR%`` is not expanded here, as .NET file APIs and PowerShell's -LiteralPath do
        not: a double expands (``expand``) only where its real module does, for options of
        Ansible's type ``path``."""
        path = windows_path
        if path.startswith("\\\\?\\"):
            path = path[4:]
        match = _DRIVE_PATH.match(path)
        if not match:
            raise SimulationError("%s is not an absolute drive path (C:\\...); the simulated host maps only "
                                  "drive paths (no UNC, no relative paths)" % windows_path)
        current = os.path.join(self.drive_root, match.group(1).upper())
        parts = []
        for part in re.split(r"[\\/]+", path[match.end():]):
            if part in ("", "."):
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part)
        for part in parts:
            current = os.path.join(current, _existing_name(current, part))
        return current

    def windows_path(self, host_path):
        """The Windows spelling of a sandbox path."""
        relative = os.path.relpath(host_path, self.drive_root)
        pieces = relative.split(os.sep)
        if pieces[0] in ("..", "."):
            raise SimulationError("%s is outside the simulated drives" % host_path)
        return pieces[0] + ":\\" + "\\".join(pieces[1:])


def _existing_name(folder, name):
    """``name`` as it is spelled on disk in ``folder`` (case-insensitive), else as given."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return name
    if name in entries:
        return name
    lowered = name.lower()
    for entry in entries:
        if entry.lower() == lowered:
            return entry
    return name


def write_json(path, data):
    """Write JSON atomically (temporary file in the same folder, then rename)."""
    staged = "%s.%d.tmp" % (path, os.getpid())
    with open(staged, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.replace(staged, path)


def read_hive(path):
    with open(path, "r", encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or data.get("format") != HIVE_FORMAT:
        raise SimulationError("%s is not a simulated registry hive (format %s)" % (path, HIVE_FORMAT))
    return {"values": data.get("values", {}), "keys": data.get("keys", {})}


def write_hive(path, node):
    write_json(path, {"format": HIVE_FORMAT, "values": node.get("values", {}), "keys": node.get("keys", {})})
