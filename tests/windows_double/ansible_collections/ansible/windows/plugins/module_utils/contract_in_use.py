# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE contract ``in_use``: what the message_service role's message_service_in_use.ps1 does.

Parameters (PowerShell param block): Paths (string[], default empty; one string binds as a list
of one, as PowerShell binds it).

The running processes are the machine's ``processes.json`` (written by make_machine.py with
``outlook_running`` / ``loaded_files``; no file means no process of interest runs):
``{"format", "processes": [{"id", "name", "session", "path", "modules": [paths]}]}``.

- ``Get-Process -Name OUTLOOK``: the processes whose name (without ``.exe``, case-insensitive)
  is OUTLOOK, each as ``{id, session}``.
- Per path: ``[System.IO.File]::Exists`` false (also for a ``%VARIABLE%`` path, which it does not
  expand) -> skipped. ``File.Open(ReadWrite, FileShare.None)`` on a file that a process has
  loaded (its image or one of its modules) throws the IOException of a sharing violation
  (Win32 error 32); the script reports ``{path, error: <the exception's message>}``.
- Changes nothing, also in check mode (the script declares SupportsShouldProcess).
- The answer: ``{outlook: [...], locked: [...]}``, ``changed: false``.
"""

import json
import os

PARAMETERS = ("Paths",)
PROCESSES_FORMAT = "mapi-testdouble-processes/1"
# The message .NET gives the IOException of ERROR_SHARING_VIOLATION.
SHARING_VIOLATION = "The process cannot access the file '%s' because it is being used by another process."


def processes(machine):
    path = os.path.join(machine.root, "processes.json")
    if not os.path.isfile(path):
        return []
    with open(path, "r", encoding="utf-8") as handle:
        data = json.load(handle)
    if data.get("format") != PROCESSES_FORMAT:
        raise ValueError("%s: unknown format %r" % (path, data.get("format")))
    return data.get("processes") or []


def run(machine, parameters, check_mode):
    del check_mode  # reading is the same in check mode
    paths = parameters.get("Paths") or []
    if isinstance(paths, str):
        paths = [paths]
    running = processes(machine)
    outlook = [{"id": item["id"], "session": item.get("session", 1)} for item in running
               if str(item.get("name", "")).lower().rsplit(".exe", 1)[0] == "outlook"]
    held = set()
    for item in running:
        for module in [item.get("path")] + list(item.get("modules") or []):
            if module:
                held.add(os.path.normcase(machine.host_path(module)))
    locked = []
    for path in paths:
        path = str(path)
        if "%" in path or not os.path.isfile(machine.host_path(path)):
            continue
        if os.path.normcase(machine.host_path(path)) in held:
            locked.append({"path": path, "error": SHARING_VIOLATION % path})
    return {"changed": False, "result": {"outlook": outlook, "locked": locked}}
