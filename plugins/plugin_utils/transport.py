# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Moving MAPISVC.INF bytes to and from the target with the standard modules.

Reading is one ``slurp`` (``ansible.windows.slurp`` on PowerShell hosts,
``ansible.builtin.slurp`` elsewhere). Reading several files (``read_all``, for
``mapisvc_info``) is one ``ansible.windows.win_powershell`` call running ``READ_SCRIPT`` on
Windows, where every module execution costs a WinRM/PSRP round trip, and one
``ansible.builtin.slurp`` per file on POSIX targets. Writing happens only when the bytes
change and must be whole or not at all, and must not overwrite a file that changed since it
was read:

- Windows: one ``ansible.windows.win_powershell`` call runs ``REPLACE_SCRIPT``, which checks
  the file's SHA-1 against the bytes that were read, writes the new bytes to a temporary
  file in the same folder and swaps it in with ``File.Replace`` (keeping a backup when asked).
  ``win_copy`` is not used for the target itself because it writes in place.
- POSIX (golden images, Wine prefixes, tests): the collection's own module
  ``mapi.messaging.mapisvc_file`` does both: one execution reads (refusing a FIFO, device,
  socket or folder before opening it, and any file above ``MAX_FILE_BYTES``), and one
  execution compares the SHA-1 and renames a temporary file from the same folder over the
  target while it holds an exclusive lock on that folder, so the check and the swap are one
  step that no other writer of ours can split.
"""

from __future__ import annotations

import base64
import hashlib

from ansible.errors import AnsibleActionFail

# The largest MAPISVC.INF (or fragment) the collection reads or writes. A real one is tens of
# kilobytes; the cap only stops a device, a wrong path or a runaway file from being read
# without end or held in memory whole. One figure for every transport.
MAX_FILE_BYTES = 64 * 1024 * 1024

REPLACE_SCRIPT = r"""# mapi.messaging: replace
[CmdletBinding()]
param (
    [Parameter(Mandatory = $true)][string]$Path,
    [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Content,
    [AllowEmptyString()][string]$ExpectedSha1 = '',
    [bool]$Backup = $false
)
# Replace $Path with the bytes in $Content (base64) only if it still has the SHA-1 that was
# read ('' = it must not exist), atomically, via a temporary file in the same folder.
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

function Get-FileSha1([string]$LiteralPath) {
    $sha1 = [System.Security.Cryptography.SHA1]::Create()
    $stream = [System.IO.File]::OpenRead($LiteralPath)
    try {
        ([System.BitConverter]::ToString($sha1.ComputeHash($stream)) -replace '-', '').ToLowerInvariant()
    }
    finally {
        $stream.Dispose()
        $sha1.Dispose()
    }
}

$exists = [System.IO.File]::Exists($Path)
$current = if ($exists) { Get-FileSha1 $Path } else { '' }
if ($current -ne $ExpectedSha1) {
    $Ansible.Result = @{ conflict = $true; sha1 = $current }
    return
}

$folder = [System.IO.Path]::GetDirectoryName($Path)
if (-not [System.IO.Directory]::Exists($folder)) {
    throw "The folder '$folder' does not exist; MAPISVC.INF is only created in an existing folder"
}
$staged = [System.IO.Path]::Combine($folder, [System.IO.Path]::GetFileName($Path) + '.' + [System.Guid]::NewGuid().ToString('N') + '.tmp')
[System.IO.File]::WriteAllBytes($staged, [System.Convert]::FromBase64String($Content))
$backupFile = $null
try {
    if (-not $exists) {
        [System.IO.File]::Move($staged, $Path)
    }
    elseif ($Backup) {
        $backupFile = '{0}.{1}.{2}~' -f $Path, $PID, (Get-Date -Format 'yyyy-MM-dd@HH-mm-ss')
        [System.IO.File]::Replace($staged, $Path, $backupFile)
    }
    else {
        [System.IO.File]::Replace($staged, $Path, [NullString]::Value)
    }
}
finally {
    if ([System.IO.File]::Exists($staged)) {
        [System.IO.File]::Delete($staged)
    }
}
$Ansible.Changed = $true
$Ansible.Result = @{ conflict = $false; sha1 = (Get-FileSha1 $Path); backup_file = $backupFile }
"""


READ_SCRIPT = r"""# mapi.messaging: read
[CmdletBinding(SupportsShouldProcess)]
param (
    [Parameter(Mandatory = $true)][string[]]$Paths
)
# Read every path in one module execution, changing nothing. Per path: whether it exists,
# whether it is a folder, its bytes (base64) and, if reading failed, the error message.
# SupportsShouldProcess: win_powershell skips scripts without it in check mode, and reading
# is safe in check mode.
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$files = foreach ($path in $Paths) {
    $entry = @{ path = $path; exists = $false; is_directory = $false; content = $null; error = $null }
    try {
        if ([System.IO.Directory]::Exists($path)) {
            $entry.exists = $true
            $entry.is_directory = $true
        }
        elseif ([System.IO.File]::Exists($path)) {
            $entry.exists = $true
            $entry.content = [System.Convert]::ToBase64String([System.IO.File]::ReadAllBytes($path))
        }
    }
    catch {
        $entry.error = $_.Exception.Message
    }
    $entry
}
$Ansible.Result = @{ files = @($files) }
"""

# How the slurp modules say that src is missing or a folder: ansible.builtin.slurp "File not
# found: X" / "Source is a directory and must be a file: X", ansible.windows.slurp "Path X is
# not found" / "Path X is a directory" (compared lower-cased).
_SLURP_MISSING = "file not found: "
_SLURP_DIRECTORY = "source is a directory"
_WIN_MISSING = " is not found"
_WIN_DIRECTORY = " is a directory"


def _error_message(error):
    """The message of one win_powershell error record. The record has no top-level message:
    PowerShell shows error_details.message when set, else exception.message."""
    if not isinstance(error, dict):
        return str(error)
    details = error.get("error_details") or {}
    exception = error.get("exception") or {}
    return details.get("message") or exception.get("message") or (error.get("output") or "").strip() or str(error)


def sha1(data):
    return hashlib.sha1(data).hexdigest() if data is not None else ""


def _directory_error(path):
    return AnsibleActionFail("path: %s is a directory; give the full path of the MAPISVC.INF "
                             "file, e.g. ...\\MSMAPI\\1033\\MAPISVC.INF" % path)


def _missing_error(path):
    return AnsibleActionFail("path: %s does not exist; check the path (MAPI reads the copy next "
                             "to its DLL, see the module documentation) or set create: true to "
                             "create it" % path)


# The POSIX module, and what its file_type values are called in messages.
POSIX_FILE_MODULE = "mapi.messaging.mapisvc_file"
_POSIX_TYPES = {"fifo": "a FIFO (named pipe)", "character device": "a character device",
                "block device": "a block device", "socket": "a socket", "special file": "a special file"}


class Remote:
    """The target host as seen by one action plugin run."""

    def __init__(self, action, task_vars):
        self.action = action
        self.task_vars = task_vars
        self.windows = action._connection._shell.SHELL_FAMILY == "powershell"

    def _module(self, name, args):
        return self.action._execute_module(module_name=name, module_args=args, task_vars=self.task_vars)

    def read(self, path, missing_ok):
        """The file's bytes, or None if it does not exist and ``missing_ok``."""
        if not self.windows:
            return self._read_posix(path, missing_ok)
        module = "ansible.windows.slurp"
        result = self._module(module, {"src": path})
        if not result.get("failed"):
            return base64.b64decode(result["content"])
        msg = result.get("msg", "")
        # Match the modules' own message forms, not words anywhere in them: the messages quote
        # the path, which may itself contain "directory" or "not found".
        lowered = msg.lower()
        if lowered.startswith(_SLURP_DIRECTORY) or (lowered.startswith("path ") and lowered.endswith(_WIN_DIRECTORY)):
            raise _directory_error(path)
        if lowered.startswith(_SLURP_MISSING) or (lowered.startswith("path ") and lowered.endswith(_WIN_MISSING)):
            if missing_ok:
                return None
            raise _missing_error(path)
        raise AnsibleActionFail("path: cannot read %s: %s" % (path, msg), result=result)

    def _read_posix(self, path, missing_ok):
        # One execution of our module, which looks at the path's type before opening it: a
        # FIFO would block slurp's open() forever and a device would be read without end.
        result = self._module(POSIX_FILE_MODULE, {"op": "read", "path": path, "max_bytes": MAX_FILE_BYTES})
        if result.get("failed"):
            raise AnsibleActionFail("path: cannot read %s: %s" % (path, result.get("msg")), result=result)
        if not result.get("exists"):
            if missing_ok:
                return None
            raise _missing_error(path)
        kind = result.get("file_type")
        if kind == "directory":
            raise _directory_error(path)
        if kind != "file":
            raise AnsibleActionFail("path: %s is %s, not a regular file; nothing was read. Give the path "
                                    "of the MAPISVC.INF file itself" % (path, _POSIX_TYPES.get(kind, kind)))
        if result.get("content") is None:
            raise AnsibleActionFail("path: %s holds %d bytes or more, more than the %d a MAPISVC.INF may "
                                    "have; nothing was read. Check the path"
                                    % (path, result.get("size", MAX_FILE_BYTES + 1), MAX_FILE_BYTES))
        return base64.b64decode(result["content"])

    def read_all(self, paths):
        """Each file's bytes, or None where it does not exist, in the order of ``paths``.

        A folder or a file that cannot be read fails the task, naming the path."""
        if not self.windows or len(paths) == 1:
            return [self.read(path, missing_ok=True) for path in paths]
        result = self._module("ansible.windows.win_powershell", {
            "script": READ_SCRIPT, "parameters": {"Paths": list(paths)}})
        if result.get("failed"):
            errors = [_error_message(error) for error in result.get("error") or []]
            said = "; ".join(errors) or result.get("msg", "unknown error")
            raise AnsibleActionFail("path: reading %s failed: %s" % (", ".join(paths), said), result=result)
        answers = (result.get("result") or {}).get("files") if isinstance(result.get("result"), dict) else None
        if not isinstance(answers, list) or len(answers) != len(paths):
            raise AnsibleActionFail("path: unexpected answer from win_powershell while reading %s: %r"
                                    % (", ".join(paths), result.get("result")))
        contents = []
        for path, answer in zip(paths, answers):
            if answer.get("error"):
                raise AnsibleActionFail("path: cannot read %s: %s" % (path, answer["error"]))
            if answer.get("is_directory"):
                raise AnsibleActionFail("path: %s is a directory; give the full path of the MAPISVC.INF "
                                        "file, e.g. ...\\MSMAPI\\1033\\MAPISVC.INF" % path)
            contents.append(base64.b64decode(answer["content"]) if answer.get("exists") else None)
        return contents

    def replace(self, path, original, data, backup):
        """Write ``data`` if the file still holds ``original`` (None: still missing).

        Returns {"conflict": True} when it changed meanwhile (nothing written), else
        {"conflict": False, "backup_file": ...}.
        """
        if self.windows:
            return self._replace_windows(path, original, data, backup)
        return self._replace_posix(path, original, data, backup)

    def _replace_windows(self, path, original, data, backup):
        result = self._module("ansible.windows.win_powershell", {
            "script": REPLACE_SCRIPT,
            "parameters": {
                "Path": path,
                "Content": base64.b64encode(data).decode("ascii"),
                "ExpectedSha1": sha1(original),
                "Backup": backup,
            },
        })
        if result.get("failed"):
            errors = [_error_message(error) for error in result.get("error") or []]
            raise AnsibleActionFail("path: writing %s failed, the file is unchanged: %s"
                                    % (path, "; ".join(errors) or result.get("msg", "unknown error")),
                                    result=result)
        outcome = result.get("result") or {}
        if not isinstance(outcome, dict) or "conflict" not in outcome:
            raise AnsibleActionFail("path: unexpected answer from win_powershell while writing %s: %r"
                                    % (path, outcome))
        return {"conflict": bool(outcome["conflict"]), "backup_file": outcome.get("backup_file")}

    def _replace_posix(self, path, original, data, backup):
        # Compare and rename in one execution, under the module's folder lock (see
        # plugins/modules/mapisvc_file.py): two executions, seconds apart, let another writer's
        # changes be overwritten without either run noticing.
        result = self._module(POSIX_FILE_MODULE, {
            "op": "replace", "path": path, "expected_sha1": sha1(original),
            "content": base64.b64encode(data).decode("ascii"), "backup": backup,
            "max_bytes": MAX_FILE_BYTES,
        })
        if result.get("failed"):
            raise AnsibleActionFail("path: writing %s failed, the file is unchanged: %s"
                                    % (path, result.get("msg")), result=result)
        if "conflict" not in result:
            raise AnsibleActionFail("path: unexpected answer from %s while writing %s: %r"
                                    % (POSIX_FILE_MODULE, path, result))
        return {"conflict": bool(result["conflict"]), "backup_file": result.get("backup_file")}
