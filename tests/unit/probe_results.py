# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hand-built hosts for the unit tests: registry keys and MAPISVC.INF copies, answered in the
shape the probe script returns (docs' probe contract) and read through ``probe.read`` as the
action plugin reads it, so a test proves what the core decides from what a host answers."""

from __future__ import annotations

import base64
import hashlib

from ansible_collections.mapi.messaging.plugins.plugin_utils import census, host, ini, probe, profile

SW = "HKLM:\\SOFTWARE"
WOW = "HKLM:\\SOFTWARE\\WOW6432Node"
CV = SW + "\\Microsoft\\Windows\\CurrentVersion"
NTCV = SW + "\\Microsoft\\Windows NT\\CurrentVersion"
ENV = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment"
C2R = SW + "\\Microsoft\\Office\\ClickToRun\\Configuration"
C2R_2013 = SW + "\\Microsoft\\Office\\15.0\\ClickToRun"
MESSAGING = "\\Microsoft\\Windows Messaging Subsystem"
CLIENT = SW + "\\Clients\\Mail\\Microsoft Outlook"
MSMAPI = "C:\\Program Files\\Common Files\\System\\MSMAPI"
MSMAPI86 = "C:\\Program Files (x86)\\Common Files\\System\\MSMAPI"
VFS64 = "C:\\Program Files\\Microsoft Office\\root\\VFS\\ProgramFilesCommonX64\\System\\MSMAPI"
PROFILES_16 = profile.PROFILES_KEY.format(version="16.0")
LEGACY_PROFILES = profile.LEGACY_PROFILES_KEY


class Host:
    """A hand-built host: registry keys, then the probe's answer about it."""

    def __init__(self, windows="x64", office="msi64", mapi=True, lcid="1033", version="16.0"):
        self.keys = {ENV: {"PROCESSOR_ARCHITECTURE": "AMD64" if windows == "x64" else "x86"},
                     CV: {"ProgramFilesDir": "C:\\Program Files", "CommonFilesDir": MSMAPI.rsplit("\\System", 1)[0]},
                     NTCV: {"SystemRoot": "C:\\Windows"}}
        if windows == "x64":
            self.keys[CV].update({"ProgramFilesDir (x86)": "C:\\Program Files (x86)",
                                  "CommonFilesDir (x86)": "C:\\Program Files (x86)\\Common Files"})
        wow = windows == "x64" and office.endswith("32")
        root = WOW if wow else SW
        if mapi:
            self.keys[root + MESSAGING] = {"MAPI": "1", "MAPIX": "1", "MAPIXVER": "1.0.0.1"}
        if office.startswith("msi"):
            self.keys[root + "\\Microsoft\\Office\\%s\\Outlook" % version] = {
                "Bitness": "x64" if office.endswith("64") else "x86"}
        elif office.startswith("c2r"):
            self.keys[C2R] = {"Platform": "x64" if office.endswith("64") else "x86",
                              "InstallationPath": "C:\\Program Files%s\\Microsoft Office" % (" (x86)" if wow else "")}
        if office != "none" and lcid is not None:
            self.keys[CLIENT] = {"MSIApplicationLCID": lcid}
        self.copies, self.dlls, self.folders, self.missing, self.errors, self.key_errors = {}, [], [], [], [], {}
        # User accounts (user()) and the profile keys the probe is asked for (ProfileKeys).
        self.users = []
        self.profile_keys = profile.profile_keys(version)
        # Why HKEY_USERS could not be listed (then no hive is reported loaded), or None.
        self.hku_error = None

    def set(self, key, **values):
        self.keys.setdefault(key, {}).update(values)
        return self

    def copy(self, path, content=b"[Services]\r\n"):
        self.copies[path] = content
        return self

    def user(self, sid, profiles=None, default=None, loaded=True, key=PROFILES_16, error=None, profile_errors=None):
        """A user account listed under ProfileList; its hive loaded unless ``loaded`` is False.
        ``profiles`` {name: [service, ...]} lie under ``key`` (None: the key does not exist);
        ``default`` is the DefaultProfile value where Outlook keeps it for that key (the key's
        parent for Office 15/16, the legacy key itself); ``error`` is why the probe could not
        read the key; ``profile_errors`` {name: why} the profiles whose sections failed."""
        self.users.append({"sid": sid, "profiles": profiles, "default": default, "loaded": loaded, "key": key,
                           "error": error, "profile_errors": profile_errors or {}})
        return self

    def _profile_sets(self, user):
        sets = []
        for key in self.profile_keys:
            entry = {"sid": user["sid"], "key": key, "exists": False, "default": None, "parent_default": None,
                     "profiles": [], "error": None}
            if ini.fold(key) == ini.fold(user["key"]):
                legacy = ini.fold(key) == ini.fold(LEGACY_PROFILES)
                entry.update(error=user["error"], **{"default" if legacy else "parent_default": user["default"]})
                if user["profiles"] is not None and not user["error"]:
                    entry.update(exists=True, profiles=[
                        {"name": name, "services": list(services), "error": user["profile_errors"].get(name)}
                        for name, services in user["profiles"].items()])
            sets.append(entry)
        return sets

    def answer(self):
        registry = []
        if self.users:
            registry.append({"key": profile.PROFILE_LIST_KEY, "exists": True, "values": {}, "error": None,
                             "sub_keys": ["S-1-5-18"] + [user["sid"] for user in self.users]})
        for path in host.registry_keys():
            values = self.keys.get(path)
            registry.append({
                "key": path, "exists": values is not None, "sub_keys": [], "error": self.key_errors.get(path),
                "values": {name: ({"type": "REG_MULTI_SZ", "data": data} if isinstance(data, list)
                                  else {"type": "REG_SZ", "data": data}) for name, data in (values or {}).items()}})
        copies = [{"path": path, "content": base64.b64encode(content).decode(),
                   "sha1": hashlib.sha1(content).hexdigest(), "size": len(content)}
                  for path, content in self.copies.items()]
        return {"changed": False, "result": {
            "probe": probe.PROBE_VERSION, "registry": registry, "values": [], "paths": [],
            "mapisvc": {"searched": [], "copies": copies, "missing": self.missing, "msmapi_dlls": self.dlls,
                        "language_folders": self.folders, "errors": self.errors},
            "users": self._users(), "in_use": {"outlook": [], "locked": []},
            "errors": [] if self.hku_error is None else [probe.HKU_UNLISTED + self.hku_error]}}

    def _users(self):
        if self.hku_error is not None:
            return {"loaded": [], "keys": [], "profiles": []}
        loaded = [user for user in self.users if user["loaded"]]
        return {"loaded": [".DEFAULT", "S-1-5-18"] + [name for user in loaded for name in (user["sid"], user["sid"] + "_Classes")],
                "keys": [], "profiles": [entry for user in loaded for entry in self._profile_sets(user)]}

    def read(self):
        return probe.read(self.answer())

    def census(self, office_versions="16.0"):
        """census.take of this host's probe answer."""
        return census.take(self.read(), office_versions)

    def detect(self, **kwargs):
        return host.detect(probe.read(self.answer()), **kwargs)
