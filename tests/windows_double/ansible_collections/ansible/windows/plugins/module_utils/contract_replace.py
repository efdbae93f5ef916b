# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE contract ``replace``: what mapi.messaging's transport.REPLACE_SCRIPT does, step
by step, against the simulated machine, including the documented ways File.Replace fails.

Parameters (PowerShell param block): Path (mandatory), Content (mandatory, base64, may be
empty), ExpectedSha1 ('' = the file must not exist), Backup (bool), MaxBytes (mandatory).

The script's steps, mirrored here in order:

1. Under a language mode other than FullLanguage (machine setting ``language_mode``) it stops
   before any .NET call, naming the mode and the fix.
2. ``%VAR%`` in Path is expanded ([Environment]::ExpandEnvironmentVariables, as slurp does).
3. The folder must exist. An existing file is held open (read, sharing read and delete) from
   the hash to the swap; larger than MaxBytes fails; a SHA-1 other than ExpectedSha1 answers
   ``{conflict: true, sha1, backup_file: null}`` and writes nothing.
4. The bytes go to ``<Path>.<32 hex>.tmp`` and are verified (SHA-1).
5. No file yet: File.Move (never overwrites). Otherwise File.Replace with the backup name
   ``<Path>.<yyyy-MM-dd@HH-mm-ss>.<32 hex>~``, retried on a sharing or lock violation (Win32 32,
   33) up to 7 times with backoff. What a failed ReplaceFileW leaves (Microsoft's ReplaceFileW
   page), with a backup name: 1175 and 1176 both files under their own names, 1177 the
   original only under the backup name (put back with File.Move), any other error both under
   their own names. Faults come from the machine (``Machine.take_fault("File.Replace")``).
6. After the swap the backup must hold ExpectedSha1 (else another writer's file was replaced:
   it is put back and the answer is a conflict) and the file the bytes sent; then the backup
   is deleted unless Backup was asked for.
7. The staged copy is deleted at the end unless the target is missing after having existed
   (it may then be the last copy). The answer: ``{conflict: false, sha1, backup_file}``.
"""

import base64
import datetime
import hashlib
import os
import uuid

PARAMETERS = ("Path", "Content", "ExpectedSha1", "Backup", "MaxBytes")

# Invoke-Retried's delays (ms); the double waits a thousandth of them.
RETRY_DELAYS_MS = (50, 100, 200, 400, 800, 1600, 3000)
RETRIED_ERRORS = (32, 33)
# FormatMessage texts of the Win32 errors File.Replace reports.
WIN32_MESSAGES = {
    32: "The process cannot access the file because it is being used by another process.",
    33: "The process cannot access the file because another process has locked a portion of the file.",
    1175: "Unable to remove the file to be replaced.",
    1176: "Unable to move the replacement file to the file to be replaced. The file to be replaced has "
          "retained its original name.",
    1177: "Unable to move the replacement file to the file to be replaced. The file to be replaced has been "
          "renamed using the backup name.",
}


class Win32IOError(Exception):
    """System.IO.IOException with HResult 0x8007xxxx (the Win32 error code)."""

    def __init__(self, code):
        Exception.__init__(self, WIN32_MESSAGES.get(code, "Win32 error %d." % code))
        self.code = code


class ScriptThrow(Exception):
    """A ``throw`` of the script: its message is the task's error."""


def _sha1_bytes(data):
    return hashlib.sha1(data).hexdigest()


def _sha1(path):
    if not os.path.isfile(path):
        return ""
    with open(path, "rb") as handle:
        return _sha1_bytes(handle.read())


def _flag(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "$true", "yes")
    return bool(value)


def _retried(action, sleep):
    for attempt in range(len(RETRY_DELAYS_MS) + 1):
        try:
            return action()
        except Win32IOError as e:
            if attempt >= len(RETRY_DELAYS_MS) or e.code not in RETRIED_ERRORS:
                raise
            sleep(RETRY_DELAYS_MS[attempt] / 1000000.0)
    raise AssertionError("unreachable")


def file_replace(machine, staged, target, backup):
    """[System.IO.File]::Replace(staged, target, backup) as ReplaceFileW documents it."""
    code = machine.take_fault("File.Replace")
    if code is None:
        # The replaced file takes the backup name, the replacement the replaced file's name.
        if backup is not None:
            os.replace(target, backup)
        else:
            os.remove(target)
        os.replace(staged, target)
        return
    if code == 1177:
        # Moved aside, replacement not moved in: the original exists only as the backup.
        if backup is not None:
            os.replace(target, backup)
    elif code == 1176 and backup is None:
        os.remove(target)  # "the replaced file no longer exists"
    raise Win32IOError(code)


def clm_message(mode, action):
    return ("PowerShell runs in %s mode on this host (an application control policy such as WDAC or AppLocker), "
            "which blocks the .NET file calls that %s" % (mode, action))


def run(machine, parameters, check_mode, sleep=None):
    import time
    sleep = sleep or time.sleep
    for name in ("Path", "Content", "MaxBytes"):
        if name not in parameters or parameters[name] is None:
            raise ValueError("Cannot process command because of one or more missing mandatory parameters: %s." % name)
    if parameters["Path"] == "":
        raise ValueError("Cannot bind argument to parameter 'Path' because it is an empty string.")
    mode = machine.setting("language_mode", "FullLanguage")
    if mode != "FullLanguage":
        raise ScriptThrow(clm_message(mode, "replace MAPISVC.INF safely; nothing was changed. Let the Ansible "
                                            "connection run ansible.windows.win_powershell scripts in "
                                            "FullLanguage mode (policy exception or signed scripts)."))
    path = machine.expand(str(parameters["Path"]))
    expected = str(parameters.get("ExpectedSha1") or "").lower()
    backup = _flag(parameters.get("Backup", False))
    max_bytes = int(parameters["MaxBytes"])
    target = machine.host_path(path)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise ScriptThrow("The folder '%s' does not exist; MAPISVC.INF is only created in an existing folder"
                          % path.rsplit("\\", 1)[0])
    data = base64.b64decode(str(parameters["Content"]))
    new_sha1 = _sha1_bytes(data)

    existed = os.path.isfile(target)
    staged = None
    backup_file = None
    try:
        current = ""
        if existed:
            if os.path.getsize(target) > max_bytes:
                raise ScriptThrow("'%s' is %d bytes, more than the %d bytes a MAPISVC.INF can be; check the path"
                                  % (path, os.path.getsize(target), max_bytes))
            current = _sha1(target)
        if current != expected:
            return {"changed": False, "result": {"conflict": True, "sha1": current, "backup_file": None}}

        unique = uuid.uuid4().hex
        staged_name = "%s.%s.tmp" % (path, unique)
        staged = machine.host_path(staged_name)
        with open(staged, "wb") as handle:
            handle.write(data)
        if _sha1(staged) != new_sha1:
            raise ScriptThrow("The staged copy '%s' does not hold the bytes sent; '%s' was not changed"
                              % (staged_name, path))

        if not existed:
            def move():
                if os.path.exists(target):
                    raise Win32IOError(183)  # File.Move never overwrites
                os.rename(staged, target)
            _retried(move, sleep)
        else:
            backup_file = "%s.%s.%s~" % (path, datetime.datetime.now().strftime("%Y-%m-%d@%H-%M-%S"), unique)
            backup_host = machine.host_path(backup_file)
            try:
                _retried(lambda: file_replace(machine, staged, target, backup_host), sleep)
            except Win32IOError as e:
                if not os.path.exists(target) and os.path.exists(backup_host):
                    os.rename(backup_host, target)  # File.Move: the original back under its name
                if _sha1(target) != expected:
                    raise ScriptThrow("Replacing '%s' failed (Win32 error %d, %s) and another writer has changed "
                                      "it meanwhile; run the task again" % (path, e.code, e))
                raise ScriptThrow("Replacing '%s' failed (Win32 error %d, %s); the file is unchanged"
                                  % (path, e.code, e))
            replaced = _sha1(backup_host)
            if replaced != expected:
                undo = machine.host_path("%s.%s.undo~" % (path, unique))
                _retried(lambda: file_replace(machine, backup_host, target, undo), sleep)
                if _sha1(target) == replaced:
                    os.remove(undo)
                return {"changed": False, "result": {"conflict": True, "sha1": replaced, "backup_file": None}}
            written = _sha1(target)
            if written != new_sha1:
                raise ScriptThrow("'%s' does not hold the bytes written (SHA-1 %s, expected %s): another writer "
                                  "changed it; the previous MAPISVC.INF is kept as '%s'"
                                  % (path, written, new_sha1, backup_file))
            if not backup:
                os.remove(backup_host)
                backup_file = None
    finally:
        keep_staged = existed and not os.path.exists(target)
        if staged is not None and not keep_staged and os.path.exists(staged):
            os.remove(staged)
    del check_mode  # the script has no SupportsShouldProcess: win_powershell skips it in check mode
    return {"changed": True, "result": {"conflict": False, "sha1": new_sha1, "backup_file": backup_file}}
