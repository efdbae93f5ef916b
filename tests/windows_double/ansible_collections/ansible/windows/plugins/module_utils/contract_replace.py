# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE contract ``replace``: what mapi.messaging's transport.REPLACE_SCRIPT does.

Parameters (PowerShell param block): Path (mandatory), Content (mandatory, base64, may be
empty), ExpectedSha1 ('' = the file must not exist), Backup (bool).

- The file's current SHA-1 ('' when missing) is compared with ExpectedSha1 (case-insensitive,
  as PowerShell's -ne); on a mismatch nothing is written and the answer is
  ``{conflict: true, sha1: <current>}`` with ``changed: false``.
- The folder must exist (the script throws otherwise).
- The bytes go to ``<name>.<32 hex>.tmp`` in the same folder, which then takes the file's place
  atomically (File.Move for a new file, File.Replace otherwise). With Backup the old file is
  kept as ``<Path>.<pid>.<yyyy-MM-dd@HH-mm-ss>~``; the staged file never survives.
- The answer: ``{conflict: false, sha1: <new sha1>, backup_file: <backup path or null>}``,
  ``changed: true``.
"""

import base64
import datetime
import hashlib
import os
import uuid

PARAMETERS = ("Path", "Content", "ExpectedSha1", "Backup")


def _sha1(path):
    with open(path, "rb") as handle:
        return hashlib.sha1(handle.read()).hexdigest()


def _flag(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "$true", "yes")
    return bool(value)


def run(machine, parameters, check_mode):
    for name in ("Path", "Content"):
        if name not in parameters or parameters[name] is None:
            raise ValueError("Cannot process command because of one or more missing mandatory parameters: %s." % name)
    path = str(parameters["Path"])
    if parameters["Path"] == "":
        raise ValueError("Cannot bind argument to parameter 'Path' because it is an empty string.")
    expected = str(parameters.get("ExpectedSha1") or "")
    backup = _flag(parameters.get("Backup", False))
    target = machine.host_path(path)

    exists = os.path.isfile(target)
    current = _sha1(target) if exists else ""
    if current.lower() != expected.lower():
        return {"changed": False, "result": {"conflict": True, "sha1": current}}

    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise ValueError("The folder '%s' does not exist; MAPISVC.INF is only created in an existing folder"
                         % path.rsplit("\\", 1)[0])
    data = base64.b64decode(str(parameters["Content"]))
    staged = os.path.join(folder, "%s.%s.tmp" % (os.path.basename(target), uuid.uuid4().hex))
    with open(staged, "wb") as handle:
        handle.write(data)
    backup_file = None
    try:
        if not exists:
            os.rename(staged, target)
        elif backup:
            backup_file = "%s.%d.%s~" % (path, os.getpid(), datetime.datetime.now().strftime("%Y-%m-%d@%H-%M-%S"))
            # File.Replace: the old file becomes the backup, the staged one takes its name.
            os.link(target, machine.host_path(backup_file))
            os.replace(staged, target)
        else:
            os.replace(staged, target)
    finally:
        if os.path.exists(staged):
            os.remove(staged)
    return {"changed": True, "result": {"conflict": False, "sha1": _sha1(target), "backup_file": backup_file}}
