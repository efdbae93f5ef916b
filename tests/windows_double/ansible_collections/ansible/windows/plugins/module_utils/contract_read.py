# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE contract ``read``: what mapi.messaging's transport.READ_SCRIPT does.

Parameters (PowerShell param block): Paths (mandatory, string[]; one string binds as a list
of one, as PowerShell binds it), MaxBytes (mandatory).

- Under a language mode other than FullLanguage (machine setting ``language_mode``) it stops
  before any .NET call, naming the mode and the fix.

- Changes nothing, also in check mode (the script declares SupportsShouldProcess, so the real
  win_powershell runs it with -WhatIf instead of skipping it).
- Per path, in order: ``{path, exists, is_directory, content, error}``. A folder is
  ``exists: true, is_directory: true``; a file is ``exists: true`` with its bytes base64 in
  ``content``; anything else is ``exists: false``. A file that cannot be read keeps
  ``content: null`` and has the .NET exception's message in ``error``
  (``Access to the path '<path>' is denied.`` for a permission error). A file larger than
  MaxBytes is refused before reading, with an ``error``.
- ``%VARIABLE%`` references are expanded ([Environment]::ExpandEnvironmentVariables, as
  slurp expands its ``path`` option); ``path`` in the answer is the path as given.
- The answer: ``{files: [...]}``, ``changed: false``.
"""

import base64
import os

PARAMETERS = ("Paths", "MaxBytes")


def _entry(machine, path, max_bytes):
    entry = {"path": path, "exists": False, "is_directory": False, "content": None, "error": None}
    expanded = machine.expand(path)
    target = machine.host_path(expanded)
    if os.path.isdir(target):
        entry.update(exists=True, is_directory=True)
    elif os.path.isfile(target):
        entry["exists"] = True
        size = os.path.getsize(target)
        if size > max_bytes:
            entry["error"] = "'%s' is %d bytes, more than the %d bytes a MAPISVC.INF can be" % (expanded, size, max_bytes)
            return entry
        try:
            with open(target, "rb") as handle:
                entry["content"] = base64.b64encode(handle.read()).decode("ascii")
        except PermissionError:
            entry["error"] = "Access to the path '%s' is denied." % path
        except OSError as e:
            entry["error"] = e.strerror or str(e)
    return entry


def run(machine, parameters, check_mode):
    mode = machine.setting("language_mode", "FullLanguage")
    if mode != "FullLanguage":
        # Contracts are loaded one by one from their files, so this one cannot import the
        # replace contract's copy of the message.
        raise ValueError("PowerShell runs in %s mode on this host (an application control policy such as WDAC "
                         "or AppLocker), which blocks the .NET file calls that read MAPISVC.INF. Let the Ansible "
                         "connection run ansible.windows.win_powershell scripts in FullLanguage mode (policy "
                         "exception or signed scripts)." % mode)
    paths = parameters.get("Paths")
    if parameters.get("MaxBytes") is None:
        raise ValueError("Cannot process command because of one or more missing mandatory parameters: MaxBytes.")
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
    return {"changed": False, "result": {"files": [_entry(machine, str(path), int(parameters["MaxBytes"])) for path in paths]}}
