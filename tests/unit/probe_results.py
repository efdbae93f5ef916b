# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hand-built hosts for the unit tests: registry keys and MAPISVC.INF copies, answered in the
shape the probe script returns (docs' probe contract) and read through ``probe.read`` as the
action plugin reads it, so a test proves what the core decides from what a host answers."""

from __future__ import annotations

import base64
import hashlib

from ansible_collections.mapi.messaging.plugins.plugin_utils import host, probe

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

    def set(self, key, **values):
        self.keys.setdefault(key, {}).update(values)
        return self

    def copy(self, path, content=b"[Services]\r\n"):
        self.copies[path] = content
        return self

    def answer(self):
        registry = []
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
            "users": {"loaded": [], "keys": []}, "in_use": {"outlook": [], "locked": []}, "errors": []}}

    def detect(self, **kwargs):
        return host.detect(probe.read(self.answer()), **kwargs)
