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
import re
from typing import Any, Optional

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
    [bool]$Backup = $false,
    [Parameter(Mandatory = $true)][long]$MaxBytes
)
# Replace $Path with the bytes in $Content (base64) only if it still has the SHA-1 that was
# read ('' = it must not exist). MAPISVC.INF is never left missing: File.Replace always gets a
# backup name in the same folder, because ReplaceFileW can fail with the original renamed
# (1177) or, without a backup name, deleted (1176); the original is put back from that backup
# on any failure, and the backup is deleted only once the new file holds exactly the bytes sent.
# The first statement: under Constrained Language Mode (WDAC/AppLocker) every .NET call below
# would fail with an error that does not say why.
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    throw ("PowerShell runs in $($ExecutionContext.SessionState.LanguageMode) mode on this host " +
        '(an application control policy such as WDAC or AppLocker), which blocks the .NET file calls ' +
        'that replace MAPISVC.INF safely; nothing was changed. Let the Ansible connection run ' +
        'ansible.windows.win_powershell scripts in FullLanguage mode (policy exception or signed scripts).')
}
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

# Win32 errors that mean another process has the file open right now (an antivirus scanning
# the staged copy, a backup agent): ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
$retriedErrors = @(32, 33)

function Get-Win32Error($ErrorRecord) {
    $exception = $ErrorRecord.Exception
    while ($null -ne $exception) {
        if ($exception -is [System.IO.IOException]) {
            return ($exception.HResult -band 0xFFFF)
        }
        $exception = $exception.InnerException
    }
    return 0
}

function Invoke-Retried([scriptblock]$Action) {
    # Bounded backoff, about 6 seconds in all: a scanner holds a new file for milliseconds.
    $delays = @(50, 100, 200, 400, 800, 1600, 3000)
    for ($attempt = 0; ; $attempt++) {
        try {
            return (& $Action)
        }
        catch {
            if ($attempt -ge $delays.Count -or $retriedErrors -notcontains (Get-Win32Error $_)) {
                throw
            }
            Start-Sleep -Milliseconds $delays[$attempt]
        }
    }
}

function Get-StreamSha1([System.IO.Stream]$Stream) {
    $sha1 = [System.Security.Cryptography.SHA1]::Create()
    try {
        $Stream.Position = 0
        ([System.BitConverter]::ToString($sha1.ComputeHash($Stream)) -replace '-', '').ToLowerInvariant()
    }
    finally {
        $sha1.Dispose()
    }
}

function Get-FileSha1([string]$LiteralPath) {
    if (-not [System.IO.File]::Exists($LiteralPath)) {
        return ''
    }
    $stream = Invoke-Retried { [System.IO.File]::Open($LiteralPath, 'Open', 'Read', 'ReadWrite, Delete') }
    try {
        Get-StreamSha1 $stream
    }
    finally {
        $stream.Dispose()
    }
}

# The same expansion as slurp (its src is an Ansible 'path' option), so a %VAR% path names
# the same file for reading and writing.
$Path = [System.Environment]::ExpandEnvironmentVariables($Path)
$ExpectedSha1 = $ExpectedSha1.ToLowerInvariant()
$folder = [System.IO.Path]::GetDirectoryName($Path)
if (-not [System.IO.Directory]::Exists($folder)) {
    throw "The folder '$folder' does not exist; MAPISVC.INF is only created in an existing folder"
}
$newBytes = [System.Convert]::FromBase64String($Content)
$newSha1 = ([System.BitConverter]::ToString([System.Security.Cryptography.SHA1]::Create().ComputeHash($newBytes)) -replace '-', '').ToLowerInvariant()

# Hold the file from the hash to the swap. FileShare.Read lets MAPI and other readers in and
# keeps every writer out; FileShare.Delete lets File.Replace rename it (ReplaceFileW opens the
# replaced file for DELETE, sharing read, write and delete). A writer that renames another
# file over the path in that window is caught below: the backup then differs from the hash.
$held = $null
$existed = [System.IO.File]::Exists($Path)
if ($existed) {
    if (([System.IO.File]::GetAttributes($Path) -band [System.IO.FileAttributes]::Device) -ne 0) {
        throw "'$Path' is a device, not a file; give the path of the MAPISVC.INF file"
    }
    $held = Invoke-Retried { [System.IO.File]::Open($Path, 'Open', 'Read', 'Read, Delete') }
}
$staged = $null
$backupFile = $null
try {
    $current = ''
    if ($null -ne $held) {
        if ($held.Length -gt $MaxBytes) {
            throw "'$Path' is $($held.Length) bytes, more than the $MaxBytes bytes a MAPISVC.INF can be; check the path"
        }
        $current = Get-StreamSha1 $held
    }
    if ($current -ne $ExpectedSha1) {
        $Ansible.Result = @{ conflict = $true; sha1 = $current; backup_file = $null }
        return
    }

    $unique = [System.Guid]::NewGuid().ToString('N')
    $staged = '{0}.{1}.tmp' -f $Path, $unique
    [System.IO.File]::WriteAllBytes($staged, $newBytes)
    if ((Get-FileSha1 $staged) -ne $newSha1) {
        throw "The staged copy '$staged' does not hold the bytes sent; '$Path' was not changed"
    }

    if ($null -eq $held) {
        # File.Move never overwrites: a file created meanwhile makes it fail, unchanged.
        Invoke-Retried { [System.IO.File]::Move($staged, $Path) }
    }
    else {
        # A unique name (never $PID and seconds: PSRP reuses one process for many tasks).
        $backupFile = '{0}.{1}.{2}~' -f $Path, (Get-Date -Format 'yyyy-MM-dd@HH-mm-ss'), $unique
        try {
            Invoke-Retried { [System.IO.File]::Replace($staged, $Path, $backupFile) }
        }
        catch {
            $failure = $_.Exception.Message
            $code = Get-Win32Error $_
            $held.Dispose()
            $held = $null
            # 1177: the original exists only under the backup name; put it back. Every other
            # documented outcome (1175, 1176 with a backup name, sharing violations, any other
            # error) leaves both files under their own names.
            if (-not [System.IO.File]::Exists($Path) -and [System.IO.File]::Exists($backupFile)) {
                try {
                    [System.IO.File]::Move($backupFile, $Path)
                }
                catch {
                    throw ("Replacing '$Path' failed (Win32 error $code, $failure) and putting the original back " +
                        "failed too ($($_.Exception.Message)): the original MAPISVC.INF is '$backupFile' and the new " +
                        "one '$staged'; rename '$backupFile' to '$Path'")
                }
            }
            if ((Get-FileSha1 $Path) -ne $ExpectedSha1) {
                throw ("Replacing '$Path' failed (Win32 error $code, $failure) and another writer has changed " +
                    "it meanwhile; run the task again")
            }
            throw "Replacing '$Path' failed (Win32 error $code, $failure); the file is unchanged"
        }
        $held.Dispose()
        $held = $null

        try {
            $replaced = Get-FileSha1 $backupFile
            $written = Get-FileSha1 $Path
        }
        catch {
            throw ("'$Path' was replaced but could not be verified ($($_.Exception.Message)); the previous " +
                "MAPISVC.INF is kept as '$backupFile'")
        }
        if ($replaced -ne $ExpectedSha1) {
            # Another writer renamed its file over the path after the hash: that file is now
            # the backup. Put it back and report the conflict, so the caller re-reads.
            $undo = '{0}.{1}.undo~' -f $Path, $unique
            try {
                Invoke-Retried { [System.IO.File]::Replace($backupFile, $Path, $undo) }
            }
            catch {
                throw ("Another writer replaced '$Path' while it was being written, and putting its version " +
                    "back failed ($($_.Exception.Message)): that version is kept as '$backupFile'; rename '$backupFile' to '$Path'")
            }
            if ((Get-FileSha1 $Path) -eq $replaced) {
                Invoke-Retried { [System.IO.File]::Delete($undo) }
            }
            $Ansible.Result = @{ conflict = $true; sha1 = $replaced; backup_file = $null }
            return
        }
        if ($written -ne $newSha1) {
            throw ("'$Path' does not hold the bytes written (SHA-1 $written, expected $newSha1): another " +
                "writer changed it; the previous MAPISVC.INF is kept as '$backupFile'")
        }
        if (-not $Backup) {
            try {
                Invoke-Retried { [System.IO.File]::Delete($backupFile) }
                $backupFile = $null
            }
            catch {
                # The write is done and verified: a backup that cannot be deleted yet is
                # reported (backup_file) rather than failing the task.
                Write-Warning "The previous MAPISVC.INF could not be deleted and is kept as '$backupFile': $($_.Exception.Message)"
            }
        }
    }
}
finally {
    if ($null -ne $held) {
        $held.Dispose()
    }
    # The staged copy goes only while the target exists (or never did): it may be the last
    # copy otherwise.
    $keepStaged = $existed -and -not [System.IO.File]::Exists($Path)
    if ($null -ne $staged -and -not $keepStaged -and [System.IO.File]::Exists($staged)) {
        [System.IO.File]::Delete($staged)
    }
}
$Ansible.Changed = $true
$Ansible.Result = @{ conflict = $false; sha1 = $newSha1; backup_file = $backupFile }
"""


READ_SCRIPT = r"""# mapi.messaging: read
[CmdletBinding(SupportsShouldProcess)]
param (
    [Parameter(Mandatory = $true)][string[]]$Paths,
    [Parameter(Mandatory = $true)][long]$MaxBytes
)
# Read every path in one module execution, changing nothing. Per path: whether it exists,
# whether it is a folder, its bytes (base64) and, if reading failed, the error message.
# SupportsShouldProcess: win_powershell skips scripts without it in check mode, and reading
# is safe in check mode. The first statement: under Constrained Language Mode the .NET calls
# below would fail with an error that does not say why.
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    throw ("PowerShell runs in $($ExecutionContext.SessionState.LanguageMode) mode on this host " +
        '(an application control policy such as WDAC or AppLocker), which blocks the .NET file calls ' +
        'that read MAPISVC.INF. Let the Ansible connection run ansible.windows.win_powershell scripts ' +
        'in FullLanguage mode (policy exception or signed scripts).')
}
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$files = foreach ($path in $Paths) {
    $entry = @{ path = $path; exists = $false; is_directory = $false; content = $null; error = $null }
    try {
        # The same expansion as slurp (an Ansible 'path' option).
        $expanded = [System.Environment]::ExpandEnvironmentVariables($path)
        if ([System.IO.Directory]::Exists($expanded)) {
            $entry.exists = $true
            $entry.is_directory = $true
        }
        elseif ([System.IO.File]::Exists($expanded)) {
            $entry.exists = $true
            if (([System.IO.File]::GetAttributes($expanded) -band [System.IO.FileAttributes]::Device) -ne 0) {
                throw "'$expanded' is a device, not a file"
            }
            $stream = [System.IO.File]::Open($expanded, 'Open', 'Read', 'ReadWrite, Delete')
            try {
                # Refused before reading: the cap bounds memory and time whatever the path names.
                if ($stream.Length -gt $MaxBytes) {
                    throw "'$expanded' is $($stream.Length) bytes, more than the $MaxBytes bytes a MAPISVC.INF can be"
                }
                $bytes = New-Object -TypeName byte[] -ArgumentList $stream.Length
                $read = 0
                while ($read -lt $bytes.Length) {
                    $count = $stream.Read($bytes, $read, $bytes.Length - $read)
                    if ($count -eq 0) {
                        break
                    }
                    $read += $count
                }
                if ($read -ne $bytes.Length) {
                    throw "'$expanded' became shorter while it was read; read it again"
                }
                $entry.content = [System.Convert]::ToBase64String($bytes)
            }
            finally {
                $stream.Dispose()
            }
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


# win_powershell serialises $Ansible.Result only to its ``depth`` option (default 2), turning
# anything deeper into a string. READ_SCRIPT's answer is files[].<field>: three levels.
_RESULT_DEPTH = 4
# REPLACE_SCRIPT's messages for the failures that leave the file other than it was read.
_REPLACE_NOT_UNCHANGED = ("is kept as '", "rename '", "another writer")

# Windows paths that name a device rather than a file (Naming Files, Paths, and Namespaces on
# Microsoft Learn): the Win32 device namespace \\.\ (\\?\GLOBALROOT reaches the same NT
# devices) and the reserved names, also with an extension (``NUL.txt``) or trailing dots and
# spaces, in any folder. Reading one could block (a pipe, a console) or never end.
_WINDOWS_DEVICE_NAMESPACE = re.compile(r"^[\\/]{2}(?:\.|\?[\\/]+globalroot)(?:[\\/]|$)", re.IGNORECASE)
_WINDOWS_RESERVED_NAME = re.compile("^(?:CON|PRN|AUX|NUL|CONIN\\$|CONOUT\\$|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3])"
                                    "(?:\\..*)?$", re.IGNORECASE)


def windows_device(path: str) -> Optional[str]:
    """Why the Windows ``path`` names a device and not a file, or None."""
    if _WINDOWS_DEVICE_NAMESPACE.match(path):
        return "it is in the Win32 device namespace"
    name = re.split(r"[\\/]", path)[-1].rstrip(" .")
    if _WINDOWS_RESERVED_NAME.match(name):
        return "%s is a reserved device name" % name.split(".")[0].upper()
    return None


def _refuse_windows_device(path):
    reason = windows_device(path)
    if reason:
        raise AnsibleActionFail("path: %s names a device, not a file (%s); nothing was read or written. "
                                "Give the full path of the MAPISVC.INF file, e.g. ...\\MSMAPI\\1033\\MAPISVC.INF"
                                % (path, reason))


def _refuse_oversized(path, size):
    if size > MAX_FILE_BYTES:
        raise AnsibleActionFail("path: %s is %d bytes, more than the %d a MAPISVC.INF may have; nothing "
                                "was written. Check the path" % (path, size, MAX_FILE_BYTES))


def _error_message(error):
    """The message of one win_powershell error record. The record has no top-level message:
    PowerShell shows error_details.message when set, else exception.message."""
    if not isinstance(error, dict):
        return str(error)
    details = error.get("error_details") or {}
    exception = error.get("exception") or {}
    return details.get("message") or exception.get("message") or (error.get("output") or "").strip() or str(error)


def sha1(data: Optional[bytes]) -> str:
    return hashlib.sha1(data).hexdigest() if data is not None else ""


def _directory_error(path):
    return AnsibleActionFail("path: %s is a directory; give the full path of the MAPISVC.INF "
                             "file, e.g. ...\\MSMAPI\\1033\\MAPISVC.INF" % path)


def _missing_error(path):
    return AnsibleActionFail("path: %s does not exist; check the path (MAPI reads the copy next "
                             "to its DLL, see the module documentation) or set create: true to "
                             "create it" % path)


# How a module that could not start at all looks: the shell ran no Python, so the module wrote
# no JSON and ansible-core hands back what the shell printed (module_stdout, module_stderr):
# the shell's exit status for a command it cannot find or run, and the shell's own words for
# it, e.g. "/bin/sh: 1: /usr/bin/python3.99: not found" (dash), "bash: /opt/py/bin/python:
# No such file or directory" or "pyenv: python3.11: command not found".
_COMMAND_NOT_FOUND_RC = 127
_SHELL_NAMES_COMMAND = re.compile(r"(?:^|: )(?P<interpreter>/\S+|\S*python\S*): (?:\d+: )?(?:not found|no such file or directory|command not found)",
                                  re.IGNORECASE | re.MULTILINE)
# ansible_python_interpreter values that ask for discovery rather than name an interpreter.
_DISCOVERY = ("auto", "auto_silent", "auto_legacy", "auto_legacy_silent")


def interpreter_failure(result: dict[str, Any], configured: Optional[str]) -> Optional[str]:
    """Why a module did not start on a POSIX target because of its Python interpreter, as a
    message naming ``ansible_python_interpreter`` and how to set it; None for any other result.

    ``configured``: the host's ansible_python_interpreter (or the discovered one), if known;
    a discovery keyword (auto...) names none. Only a failure where no JSON came back counts
    (the result carries module_stdout/module_stderr and stdout is no JSON answer), and only
    the shell's output is searched: the module's own message is about its work (a missing
    file is about the path). Blamed is the configured interpreter when the shell names it or
    says "command not found" (status 127); with none known, the Python the shell names."""
    if not result.get("failed") or not ("module_stdout" in result or "module_stderr" in result):
        return None
    if (result.get("module_stdout") or "").strip().startswith("{"):
        return None
    if configured in _DISCOVERY:
        configured = None
    said = "\n".join(str(result.get(key) or "") for key in ("module_stderr", "module_stdout"))
    named = [found.group("interpreter") for found in _SHELL_NAMES_COMMAND.finditer(said)]
    command_not_found = result.get("rc") == _COMMAND_NOT_FOUND_RC
    if configured is not None:
        if configured not in named and not command_not_found:
            return None
        interpreter = configured
    else:
        interpreter = next((name for name in named if "python" in name.rsplit("/", 1)[-1].lower()), None)
        if interpreter is None and not command_not_found:
            return None
    return ("ansible_python_interpreter: the module could not start on this host, its Python interpreter %s "
            "was not found or could not run (%s); nothing was read or written. Set ansible_python_interpreter "
            "for this host to a Python 3 it has, e.g. ansible_python_interpreter=/usr/bin/python3 in the "
            "inventory, or for a local connection ansible_python_interpreter='{{ ansible_playbook_python }}' "
            "(the controller's own Python)"
            % ("'%s'" % interpreter if interpreter else "(interpreter discovery found none)",
               (result.get("module_stderr") or result.get("msg") or "").strip()))


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
        result = self.action._execute_module(module_name=name, module_args=args, task_vars=self.task_vars)
        if not self.windows:
            # Before any message about the path: a module that never started says nothing
            # about the file, and the fix is the host's interpreter.
            problem = interpreter_failure(result, self._interpreter())
            if problem:
                raise AnsibleActionFail(problem, result=result)
        return result

    def _interpreter(self):
        configured = self.task_vars.get("ansible_python_interpreter")
        if isinstance(configured, str) and "{{" not in configured and configured not in _DISCOVERY:
            return configured
        discovered = (self.task_vars.get("ansible_facts") or {}).get("discovered_interpreter_python")
        return discovered if isinstance(discovered, str) else None

    def read(self, path: str, missing_ok: bool) -> Optional[bytes]:
        """The file's bytes, or None if it does not exist and ``missing_ok``."""
        if not self.windows:
            return self._read_posix(path, missing_ok)
        _refuse_windows_device(path)
        module = "ansible.windows.slurp"
        result = self._module(module, {"src": path})
        if not result.get("failed"):
            content = base64.b64decode(result["content"])
            # slurp reads any size; the cap at least keeps an oversized file out of the plan.
            _refuse_oversized(path, len(content))
            return content
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

    def read_all(self, paths: list[str]) -> list[Optional[bytes]]:
        """Each file's bytes, or None where it does not exist, in the order of ``paths``.

        A folder or a file that cannot be read fails the task, naming the path."""
        if not self.windows or len(paths) == 1:
            return [self.read(path, missing_ok=True) for path in paths]
        for path in paths:
            _refuse_windows_device(path)
        result = self._module("ansible.windows.win_powershell", {
            "script": READ_SCRIPT, "depth": _RESULT_DEPTH,
            "parameters": {"Paths": list(paths), "MaxBytes": MAX_FILE_BYTES}})
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
                raise _directory_error(path)
            contents.append(base64.b64decode(answer["content"]) if answer.get("exists") else None)
        return contents

    def replace(self, path: str, original: Optional[bytes], data: bytes, backup: bool) -> dict[str, Any]:
        """Write ``data`` if the file still holds ``original`` (None: still missing).

        Returns {"conflict": True} when it changed meanwhile (nothing written), else
        {"conflict": False, "backup_file": ...}.
        """
        if self.windows:
            return self._replace_windows(path, original, data, backup)
        return self._replace_posix(path, original, data, backup)

    def _replace_windows(self, path, original, data, backup):
        _refuse_windows_device(path)
        _refuse_oversized(path, len(data))
        result = self._module("ansible.windows.win_powershell", {
            "script": REPLACE_SCRIPT,
            "depth": _RESULT_DEPTH,
            "parameters": {
                "Path": path,
                "Content": base64.b64encode(data).decode("ascii"),
                "ExpectedSha1": sha1(original),
                "Backup": backup,
                "MaxBytes": MAX_FILE_BYTES,
            },
        })
        if result.get("failed"):
            errors = [_error_message(error) for error in result.get("error") or []]
            said = "; ".join(errors) or result.get("msg", "unknown error")
            # REPLACE_SCRIPT puts the original back on every failure; the few messages where it
            # could not, or another writer got in, say where the bytes are instead.
            if any(phrase in said.lower() for phrase in _REPLACE_NOT_UNCHANGED):
                raise AnsibleActionFail("path: writing %s failed: %s" % (path, said), result=result)
            raise AnsibleActionFail("path: writing %s failed, the file is unchanged: %s" % (path, said),
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
