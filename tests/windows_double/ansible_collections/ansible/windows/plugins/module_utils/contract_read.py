# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE contract ``read``: what mapi.messaging's transport.READ_SCRIPT does.

Parameters (PowerShell param block): Paths (mandatory, string[]; one string binds as a list
of one, as PowerShell binds it).

- Changes nothing, also in check mode (the script declares SupportsShouldProcess, so the real
  win_powershell runs it with -WhatIf instead of skipping it).
- Per path, in order: ``{path, exists, is_directory, content, error}``. A folder is
  ``exists: true, is_directory: true``; a file is ``exists: true`` with its bytes base64 in
  ``content``; anything else is ``exists: false``. A file that cannot be read keeps
  ``content: null`` and has the .NET exception's message in ``error``
  (``Access to the path '<path>' is denied.`` for a permission error).
- ``[System.IO.File]::Exists`` does not expand ``%VARIABLE%`` references, so a path holding
  one is reported as missing rather than expanded.
- The answer: ``{files: [...]}``, ``changed: false``.
"""

import base64
import os

PARAMETERS = ("Paths",)


def _entry(machine, path):
    entry = {"path": path, "exists": False, "is_directory": False, "content": None, "error": None}
    if "%" in path:
        return entry
    target = machine.host_path(path)
    if os.path.isdir(target):
        entry.update(exists=True, is_directory=True)
    elif os.path.isfile(target):
        entry["exists"] = True
        try:
            with open(target, "rb") as handle:
                entry["content"] = base64.b64encode(handle.read()).decode("ascii")
        except PermissionError:
            entry["error"] = "Access to the path '%s' is denied." % path
        except OSError as e:
            entry["error"] = e.strerror or str(e)
    return entry


def run(machine, parameters, check_mode):
    paths = parameters.get("Paths")
    if paths is None:
        raise ValueError("Cannot process command because of one or more missing mandatory parameters: Paths.")
    if isinstance(paths, str):
        paths = [paths]
    if not paths:
        raise ValueError("Cannot bind argument to parameter 'Paths' because it is an empty array.")
    for path in paths:
        if path is None or str(path) == "":
            raise ValueError("Cannot bind argument to parameter 'Paths' because it is an empty string.")
    del check_mode  # reading is the same in check mode
    return {"changed": False, "result": {"files": [_entry(machine, str(path)) for path in paths]}}
