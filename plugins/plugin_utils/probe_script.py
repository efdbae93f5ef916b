# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read-only probe the role ``mapi.messaging.message_service`` runs once per host.

``PROBE_SCRIPT`` is one ``ansible.windows.win_powershell`` script that reads everything the
controller plans from and changes nothing: registry keys and declared values, the SHA-256 of
files, every MAPISVC.INF copy with its bytes, the users' keys under their loaded hives, a
running Outlook and files another process holds, and the users' Outlook profiles with the
message services each holds. ``probe.py`` builds its ``parameters`` and
reads its ``$Ansible.Result`` (contract version ``PROBE_VERSION``); the caller passes
``depth: 8``, because win_powershell turns anything deeper than ``depth`` into a string.

Windows facts the script depends on (Microsoft Learn):

- RegistryKey.OpenBaseKey with RegistryView.Registry64 gives the 64-bit view whatever the
  bitness of the host process, so ``SOFTWARE\\WOW6432Node`` paths are read literally, as the
  role names them (https://learn.microsoft.com/dotnet/api/microsoft.win32.registryview,
  https://learn.microsoft.com/windows/win32/winprog64/registry-redirector).
- RegistryKey.GetValue expands REG_EXPAND_SZ unless DoNotExpandEnvironmentNames is given
  (https://learn.microsoft.com/dotnet/api/microsoft.win32.registryvalueoptions); declared data
  is compared as stored.
- GetValueKind reports REG_NONE as Unknown, the kind of every type .NET does not support
  (https://learn.microsoft.com/dotnet/api/microsoft.win32.registryvaluekind).
- FileShare.None: "any request to open the file (by this process or another process) will
  fail until the file is closed", and Windows refuses it with a sharing violation while a
  process holds the file, a loaded DLL included
  (https://learn.microsoft.com/dotnet/api/system.io.fileshare,
  https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createfilew).
- A 32-bit process on 64-bit Windows that names System32 reaches SysWOW64 (the file system
  redirector, https://learn.microsoft.com/windows/win32/winprog64/file-system-redirector).
- A message service's name in a profile is PR_SERVICE_NAME, property 0x3D09, PT_STRING8
  (tag 0x3D09001E) or PT_UNICODE (0x3D09001F)
  (https://learn.microsoft.com/office/client-developer/outlook/mapi/pidtagservicename-canonical-property,
  https://learn.microsoft.com/previous-versions/bb415650(v=msdn.10)). MAPI keeps a profile as a
  registry key with one sub key per profile section (ITPro Today, "Inside MAPI Profiles", 2005);
  the value names ``001e3d09`` / ``001f3d09`` (type, then id) with REG_BINARY data are what
  profiles show and are unverified by a Microsoft source: docs/testing-on-windows.md. Microsoft
  documents no registry layout and supports no writes to it (KB 266352); the probe only reads.
- Encoding.Default is the system's ANSI code page in .NET Framework (Windows PowerShell 5.1),
  the code page of a PT_STRING8 written by a non-Unicode MAPI client
  (https://learn.microsoft.com/dotnet/api/system.text.encoding.default).

Its simulated twin is ``tests/windows_double/.../module_utils/contract_probe.py``.
"""

from __future__ import annotations

# Contract version: the "probe" key of the result (the script writes it as a literal; a test
# keeps the two equal). probe.py reads it from here.
PROBE_VERSION = 2

# The param () block's names, in order (the parameters probe.parameters() builds; a unit test
# reads them from the script itself and from the test double).
PARAMETERS = ("RegistryKeys", "Values", "Paths", "MapisvcPaths", "UserKeys", "InUsePaths", "ProfileKeys")

PROBE_SCRIPT = r"""# mapi.messaging: probe
[CmdletBinding(SupportsShouldProcess)]
param (
    [string[]]$RegistryKeys = @(),
    [object[]]$Values = @(),
    [string[]]$Paths = @(),
    [string[]]$MapisvcPaths = @(),
    [string[]]$UserKeys = @(),
    [string[]]$InUsePaths = @(),
    [string[]]$ProfileKeys = @()
)
# Read everything the role plans from, in one module execution, changing nothing: no key,
# value or file is created, written or deleted; files are opened for reading and shared with
# every other reader and writer, except the in-use test, which opens an existing file with
# FileShare.None and closes it at once. One item that cannot be read gets its own "error";
# the script fails only when it cannot run at all.
# SupportsShouldProcess: win_powershell skips scripts without it in check mode, and reading
# is safe in check mode. The first statement: under Constrained Language Mode every .NET call
# below would fail with an error that does not say why.
if ($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {
    throw ("PowerShell runs in $($ExecutionContext.SessionState.LanguageMode) mode on this host " +
        '(an application control policy such as WDAC or AppLocker), which blocks the .NET registry and file ' +
        'calls that read the host for mapi.messaging. Let the Ansible connection run ' +
        'ansible.windows.win_powershell scripts in FullLanguage mode (policy exception or signed scripts).')
}
$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false

# The largest MAPISVC.INF read (transport.MAX_FILE_BYTES, 64 MiB): the cap bounds memory and
# time whatever a path names.
$maxBytes = 67108864
$errors = New-Object -TypeName 'System.Collections.Generic.List[string]'

# The 64-bit view even from a 32-bit host process (RegistryView.Registry64), so a path under
# SOFTWARE\WOW6432Node names the 32-bit view and every other path the 64-bit one. HKEY_USERS
# is not redirected. https://learn.microsoft.com/dotnet/api/microsoft.win32.registryview
$localMachine = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine,
    [Microsoft.Win32.RegistryView]::Registry64)
$usersHive = [Microsoft.Win32.Registry]::Users
# GetValue expands REG_EXPAND_SZ unless told not to; declared data is compared as stored.
# https://learn.microsoft.com/dotnet/api/microsoft.win32.registryvalueoptions
$doNotExpand = [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames

function Get-Reason($ErrorRecord) {
    # The .NET exception's own message, without PowerShell's "Exception calling ..." wrapper.
    $exception = $ErrorRecord.Exception
    if ($exception -is [System.Management.Automation.MethodInvocationException] -and $null -ne $exception.InnerException) {
        $exception = $exception.InnerException
    }
    $exception.Message
}

function ConvertTo-Hex([byte[]]$Bytes) {
    if ($null -eq $Bytes -or $Bytes.Length -eq 0) {
        return ''
    }
    ([System.BitConverter]::ToString($Bytes) -replace '-', '').ToLowerInvariant()
}

function Get-Sha256($InputObject) {
    # SHA-256 of a stream or a byte array, lowercase hex.
    $sha256 = [System.Security.Cryptography.SHA256]::Create()
    try {
        ConvertTo-Hex $sha256.ComputeHash($InputObject)
    }
    finally {
        $sha256.Dispose()
    }
}

function Open-Shared([string]$LiteralPath) {
    # Reading never stands in anyone's way: others may read, write or delete meanwhile.
    if (([System.IO.File]::GetAttributes($LiteralPath) -band [System.IO.FileAttributes]::Device) -ne 0) {
        throw "'$LiteralPath' is a device, not a file"
    }
    [System.IO.File]::Open($LiteralPath, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read,
        [System.IO.FileShare]'ReadWrite, Delete')
}

function Test-FullPath([string]$Path) {
    # C:\... or \\server\share\...: a relative path would depend on the folder the host
    # process happens to run in.
    $Path -match '^(?:[A-Za-z]:[\\/]|[\\/]{2})'
}

function Get-FullPath([string]$Path) {
    # %VAR% expanded as slurp and transport expand a path; only full paths are read.
    $expanded = [System.Environment]::ExpandEnvironmentVariables($Path)
    if (-not (Test-FullPath $expanded)) {
        throw "'$Path' is not a full path (C:\... or \\server\share\...)"
    }
    [System.IO.Path]::GetFullPath($expanded)
}

function Get-FolderPath([string]$Folder) {
    # The folder's full path without a trailing backslash (a drive root keeps its own).
    $full = [System.IO.Path]::GetFullPath($Folder)
    if ($full.Length -gt 3) {
        $full = $full.TrimEnd('\')
    }
    $full
}

function Open-RegistryKey([string]$Path) {
    # HKLM:\... in the 64-bit view, HKU:\... (the registry drives the role names); $null when
    # the key does not exist.
    if ($Path -match '^HKLM:(?:\\(.*))?$') {
        $base = $localMachine
    }
    elseif ($Path -match '^HKU:(?:\\(.*))?$') {
        $base = $usersHive
    }
    else {
        throw "'$Path' is not a registry key the probe reads; give HKLM:\... or HKU:\..."
    }
    $relative = ([string]$Matches[1] -replace '\\+', '\').Trim('\')
    $base.OpenSubKey($relative, $false)
}

function Read-Value([Microsoft.Win32.RegistryKey]$Key, [string]$Name) {
    # One value as stored: REG_EXPAND_SZ not expanded, numbers unsigned, bytes as hex.
    $kind = $Key.GetValueKind($Name)
    $data = $Key.GetValue($Name, $null, $doNotExpand)
    switch ($kind.ToString()) {
        'String' {
            return @{ type = 'REG_SZ'; data = [string]$data }
        }
        'ExpandString' {
            return @{ type = 'REG_EXPAND_SZ'; data = [string]$data }
        }
        'MultiString' {
            return @{ type = 'REG_MULTI_SZ'; data = [string[]]@($data) }
        }
        'DWord' {
            return @{ type = 'REG_DWORD'; data = [System.BitConverter]::ToUInt32([System.BitConverter]::GetBytes([int]$data), 0) }
        }
        'QWord' {
            return @{ type = 'REG_QWORD'; data = [System.BitConverter]::ToUInt64([System.BitConverter]::GetBytes([long]$data), 0) }
        }
        'Binary' {
            return @{ type = 'REG_BINARY'; data = (ConvertTo-Hex $data) }
        }
    }
    # REG_NONE comes back as kind Unknown with its bytes; a type .NET cannot read at all
    # (REG_LINK, REG_RESOURCE_LIST) comes back without data.
    # https://learn.microsoft.com/dotnet/api/microsoft.win32.registryvaluekind
    if ($data -is [byte[]]) {
        return @{ type = 'REG_NONE'; data = (ConvertTo-Hex $data) }
    }
    throw "value '$Name' has a registry type .NET cannot read ($kind)"
}

function Get-CanonicalSha256($Value) {
    # The bytes the controller hashes the same way: UTF-8 of the string, of the items joined
    # with a line feed, of the unsigned decimal number, of the lowercase hex.
    if ($Value.type -eq 'REG_MULTI_SZ') {
        $text = [string]::Join("`n", [string[]]@($Value.data))
    }
    elseif ($Value.type -eq 'REG_DWORD' -or $Value.type -eq 'REG_QWORD') {
        $text = $Value.data.ToString([System.Globalization.CultureInfo]::InvariantCulture)
    }
    else {
        $text = [string]$Value.data
    }
    Get-Sha256 ([System.Text.Encoding]::UTF8.GetBytes($text))
}

function Read-Key([Microsoft.Win32.RegistryKey]$Key, $Entry) {
    # Every value and the sub key names into $Entry; a value that cannot be read is named in
    # the entry's error and left out.
    $problems = @()
    $read = @{}
    foreach ($name in $Key.GetValueNames()) {
        try {
            $read[$name] = Read-Value $Key $name
        }
        catch {
            $problems += Get-Reason $_
        }
    }
    $Entry.values = $read
    $Entry.sub_keys = [string[]]@($Key.GetSubKeyNames())
    if ($problems.Count -gt 0) {
        $Entry.error = $problems -join '; '
    }
}

# -- registry keys -------------------------------------------------------------------------
$registry = @(foreach ($path in $RegistryKeys) {
        $entry = @{ key = $path; exists = $false; values = @{}; sub_keys = [string[]]@(); error = $null }
        try {
            $key = Open-RegistryKey $path
            if ($null -ne $key) {
                try {
                    $entry.exists = $true
                    Read-Key $key $entry
                }
                finally {
                    $key.Dispose()
                }
            }
        }
        catch {
            $entry.error = Get-Reason $_
        }
        $entry
    })

# -- declared values -----------------------------------------------------------------------
$declared = @(foreach ($item in $Values) {
        # Secret unless the caller says it is not: the data of a secret value never leaves the
        # host, only the SHA-256 of its canonical form.
        $secret = -not ($item.secret -eq $false)
        $entry = @{ key = $item.key; name = $item.name; key_exists = $false; exists = $false; type = $null; error = $null }
        if ($secret) {
            $entry.sha256 = $null
        }
        else {
            $entry.data = $null
        }
        try {
            $key = Open-RegistryKey ([string]$item.key)
            if ($null -ne $key) {
                try {
                    $entry.key_exists = $true
                    if ($null -eq $item.name) {
                        # No name: the key itself, only whether it exists.
                        $entry.exists = $true
                    }
                    elseif (@($key.GetValueNames()) -contains [string]$item.name) {
                        $entry.exists = $true
                        $value = Read-Value $key ([string]$item.name)
                        $entry.type = $value.type
                        if ($secret) {
                            $entry.sha256 = Get-CanonicalSha256 $value
                        }
                        else {
                            $entry.data = $value.data
                        }
                    }
                }
                finally {
                    $key.Dispose()
                }
            }
        }
        catch {
            $entry.error = Get-Reason $_
        }
        $entry
    })

# -- files ---------------------------------------------------------------------------------
$files = @(foreach ($path in $Paths) {
        $entry = @{ path = $path; expanded = [System.Environment]::ExpandEnvironmentVariables([string]$path); exists = $false
            directory = $false; size = $null; sha256 = $null; error = $null
        }
        try {
            $full = Get-FullPath $path
            if ([System.IO.Directory]::Exists($full)) {
                $entry.exists = $true
                $entry.directory = $true
            }
            elseif ([System.IO.File]::Exists($full)) {
                $entry.exists = $true
                $stream = Open-Shared $full
                try {
                    $entry.size = $stream.Length
                    $entry.sha256 = Get-Sha256 $stream
                }
                finally {
                    $stream.Dispose()
                }
            }
        }
        catch {
            $entry.error = Get-Reason $_
        }
        $entry
    })

# -- MAPISVC.INF copies --------------------------------------------------------------------
# Collection, not decision: every folder MAPI may read MAPISVC.INF from, each copy once
# (paths compared case-insensitively, as NTFS does for Win32 callers).
$searched = New-Object -TypeName 'System.Collections.Generic.List[string]'
$copies = New-Object -TypeName 'System.Collections.Generic.List[object]'
$missing = New-Object -TypeName 'System.Collections.Generic.List[string]'
$dlls = New-Object -TypeName 'System.Collections.Generic.List[string]'
$languageFolders = New-Object -TypeName 'System.Collections.Generic.List[string]'
$mapisvcErrors = New-Object -TypeName 'System.Collections.Generic.List[string]'
$seen = New-Object -TypeName 'System.Collections.Generic.HashSet[string]' -ArgumentList ([System.StringComparer]::OrdinalIgnoreCase)

function Add-Copy([string]$File) {
    # One MAPISVC.INF: its bytes, SHA-1 and size, read once.
    if (-not $seen.Add('file:' + $File) -or -not [System.IO.File]::Exists($File)) {
        return
    }
    try {
        $stream = Open-Shared $File
        try {
            if ($stream.Length -gt $maxBytes) {
                throw "'$File' is $($stream.Length) bytes, more than the $maxBytes bytes a MAPISVC.INF can be; it was not read"
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
                throw "'$File' became shorter while it was read; run the probe again"
            }
        }
        finally {
            $stream.Dispose()
        }
        $sha1 = [System.Security.Cryptography.SHA1]::Create()
        try {
            $digest = ConvertTo-Hex $sha1.ComputeHash($bytes)
        }
        finally {
            $sha1.Dispose()
        }
        $copies.Add(@{ path = $File; content = [System.Convert]::ToBase64String($bytes); sha1 = $digest; size = $bytes.Length })
    }
    catch {
        $mapisvcErrors.Add("'$File' could not be read: $(Get-Reason $_)")
    }
}

function Search-Folder([string]$Folder, [bool]$WithDll) {
    # The folder itself: its MAPISVC.INF and (MAPI's own folders) its MSMAPI32.DLL.
    $full = Get-FolderPath $Folder
    if (-not $seen.Add('folder:' + $full)) {
        return
    }
    $searched.Add($full)
    if (-not [System.IO.Directory]::Exists($full)) {
        return
    }
    Add-Copy ([System.IO.Path]::Combine($full, 'MAPISVC.INF'))
    $dll = [System.IO.Path]::Combine($full, 'MSMAPI32.DLL')
    if ($WithDll -and [System.IO.File]::Exists($dll) -and $seen.Add('dll:' + $dll)) {
        $dlls.Add($dll)
    }
}

function Search-Msmapi([string]$Root) {
    # An MSMAPI folder and its language folders (MSMAPI\<digits>), one level down.
    $full = Get-FolderPath $Root
    Search-Folder $full $true
    if (-not [System.IO.Directory]::Exists($full)) {
        return
    }
    try {
        $folders = [System.IO.Directory]::GetDirectories($full)
    }
    catch {
        $mapisvcErrors.Add("The folders in '$full' could not be listed: $(Get-Reason $_)")
        return
    }
    foreach ($folder in $folders) {
        if ([System.IO.Path]::GetFileName($folder) -match '^[0-9]+$') {
            if ($seen.Add('language:' + $folder)) {
                $languageFolders.Add($folder)
            }
            Search-Folder $folder $true
        }
    }
}

function Get-SearchValue([string]$KeyPath, [string]$Name) {
    # A folder named in the registry, expanded as Windows expands REG_EXPAND_SZ for its
    # readers; $null when the key or value is missing or not a string.
    $key = $localMachine.OpenSubKey($KeyPath, $false)
    if ($null -eq $key) {
        return $null
    }
    try {
        $value = $key.GetValue($Name)
        if ($value -is [string] -and $value.Trim() -ne '') {
            return $value.Trim()
        }
        return $null
    }
    finally {
        $key.Dispose()
    }
}

$steps = @(
    {
        # MSI Office: <Common Files>\System\MSMAPI, 64- and 32-bit.
        foreach ($name in @('CommonFilesDir', 'CommonFilesDir (x86)')) {
            try {
                $common = Get-SearchValue 'SOFTWARE\Microsoft\Windows\CurrentVersion' $name
                if ($null -ne $common) {
                    Search-Msmapi ([System.IO.Path]::Combine($common, 'System\MSMAPI'))
                }
            }
            catch {
                $mapisvcErrors.Add("${name}: $(Get-Reason $_)")
            }
        }
    },
    {
        # Click-to-Run: its virtual file system under InstallationPath.
        $installation = Get-SearchValue 'SOFTWARE\Microsoft\Office\ClickToRun\Configuration' 'InstallationPath'
        if ($null -ne $installation) {
            foreach ($vfs in @('ProgramFilesCommonX64', 'ProgramFilesCommonX86')) {
                Search-Msmapi ([System.IO.Path]::Combine($installation, "root\VFS\$vfs\System\MSMAPI"))
            }
        }
    },
    {
        # Outlook's MAPI registration: the folder of the DLL it names (both views).
        foreach ($client in @('SOFTWARE\Clients\Mail\Microsoft Outlook', 'SOFTWARE\WOW6432Node\Clients\Mail\Microsoft Outlook')) {
            foreach ($name in @('DLLPathEx', 'DLLPath')) {
                try {
                    $dll = Get-SearchValue $client $name
                    if ($null -ne $dll -and (Test-FullPath $dll)) {
                        Search-Folder ([System.IO.Path]::GetDirectoryName([System.IO.Path]::GetFullPath($dll))) $true
                    }
                }
                catch {
                    $mapisvcErrors.Add("$client ${name}: $(Get-Reason $_)")
                }
            }
        }
    },
    {
        # MAPI's fallback, the system directory of each bitness (MAPISVC.INF only). A 32-bit
        # process is redirected from System32 to SysWOW64, so it would read the wrong copy.
        # https://learn.microsoft.com/windows/win32/winprog64/file-system-redirector
        $systemRoot = [System.Environment]::ExpandEnvironmentVariables('%SystemRoot%')
        if ([System.Environment]::Is64BitOperatingSystem -and -not [System.Environment]::Is64BitProcess) {
            $mapisvcErrors.Add('The probe runs in a 32-bit PowerShell on 64-bit Windows, where System32 is ' +
                'redirected to SysWOW64; System32 was not searched. Connect with a 64-bit PowerShell.')
            Search-Folder ([System.IO.Path]::Combine($systemRoot, 'SysWOW64')) $false
        }
        else {
            Search-Folder ([System.IO.Path]::Combine($systemRoot, 'System32')) $false
            if ([System.Environment]::Is64BitOperatingSystem) {
                Search-Folder ([System.IO.Path]::Combine($systemRoot, 'SysWOW64')) $false
            }
        }
    },
    {
        # The copies the role was told about (message_service_mapisvc_paths).
        foreach ($path in $MapisvcPaths) {
            try {
                $full = Get-FullPath $path
                if ([System.IO.Directory]::Exists($full)) {
                    $mapisvcErrors.Add("MapisvcPaths: '$path' is a folder; give the full path of the MAPISVC.INF file")
                }
                elseif ([System.IO.File]::Exists($full)) {
                    Add-Copy $full
                }
                else {
                    $missing.Add($path)
                }
            }
            catch {
                $mapisvcErrors.Add("MapisvcPaths: '$path': $(Get-Reason $_)")
            }
        }
    }
)
foreach ($step in $steps) {
    try {
        & $step
    }
    catch {
        $mapisvcErrors.Add((Get-Reason $_))
    }
}

# -- users ---------------------------------------------------------------------------------
# Loaded hives only (logged-on users): HKCU over WinRM is the connecting account's.
$loaded = @()
try {
    $loaded = [string[]]@($usersHive.GetSubKeyNames())
}
catch {
    $errors.Add("HKEY_USERS could not be listed: $(Get-Reason $_)")
}
$userKeys = @(foreach ($sid in $loaded) {
        if ($sid -notlike 'S-1-*' -or $sid -like '*_Classes') {
            continue
        }
        foreach ($relative in $UserKeys) {
            $entry = @{ sid = $sid; key = $relative; exists = $false; values = @{}; sub_keys = [string[]]@(); error = $null }
            try {
                $key = Open-RegistryKey ('HKU:\' + $sid + '\' + ([string]$relative).Trim('\'))
                if ($null -ne $key) {
                    try {
                        $entry.exists = $true
                        Read-Key $key $entry
                    }
                    finally {
                        $key.Dispose()
                    }
                }
            }
            catch {
                $entry.error = Get-Reason $_
            }
            $entry
        }
    })

# -- Outlook profiles ----------------------------------------------------------------------
# Under the same loaded hives, each ProfileKeys entry (a key holding Outlook profiles): the
# DefaultProfile value of the key and of its parent (which one applies is the controller's
# rule), and per profile the PR_SERVICE_NAME of every profile section. Reading only; one
# section, profile or key that cannot be read is named in its own error.
function Get-DefaultProfile([Microsoft.Win32.RegistryKey]$Key) {
    $value = $Key.GetValue('DefaultProfile', $null, $doNotExpand)
    if ($value -is [string]) {
        return $value
    }
    $null
}

function Read-ServiceName([Microsoft.Win32.RegistryKey]$Section) {
    # PR_SERVICE_NAME as PT_UNICODE (001f3d09, UTF-16LE) or PT_STRING8 (001e3d09, the ANSI code
    # page), REG_BINARY, NUL-terminated; $null when the section holds neither.
    foreach ($name in @('001f3d09', '001e3d09')) {
        $data = $Section.GetValue($name, $null, $doNotExpand)
        if ($null -eq $data) {
            continue
        }
        if ($data -isnot [byte[]]) {
            throw "value '$name' is not REG_BINARY"
        }
        if ($name -eq '001f3d09') {
            $text = [System.Text.Encoding]::Unicode.GetString($data)
        }
        else {
            $text = [System.Text.Encoding]::Default.GetString($data)
        }
        $text = $text.Split([char]0)[0]
        if ($text -ne '') {
            return $text
        }
    }
    $null
}

function Read-Profile([Microsoft.Win32.RegistryKey]$Profiles, [string]$Name) {
    $entry = @{ name = $Name; services = [string[]]@(); error = $null }
    $services = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $named = New-Object -TypeName 'System.Collections.Generic.HashSet[string]' -ArgumentList ([System.StringComparer]::OrdinalIgnoreCase)
    $problems = @()
    try {
        $key = $Profiles.OpenSubKey($Name, $false)
        if ($null -eq $key) {
            throw "profile '$Name' disappeared while it was read"
        }
        try {
            foreach ($sectionName in $key.GetSubKeyNames()) {
                try {
                    $section = $key.OpenSubKey($sectionName, $false)
                    if ($null -eq $section) {
                        continue
                    }
                    try {
                        $service = Read-ServiceName $section
                        if ($null -ne $service -and $named.Add($service)) {
                            $services.Add($service)
                        }
                    }
                    finally {
                        $section.Dispose()
                    }
                }
                catch {
                    $problems += "section ${sectionName}: $(Get-Reason $_)"
                }
            }
        }
        finally {
            $key.Dispose()
        }
    }
    catch {
        $problems += Get-Reason $_
    }
    $entry.services = [string[]]$services.ToArray()
    if ($problems.Count -gt 0) {
        $entry.error = $problems -join '; '
    }
    $entry
}

$profileSets = @(foreach ($sid in $loaded) {
        if ($sid -notlike 'S-1-*' -or $sid -like '*_Classes') {
            continue
        }
        foreach ($relative in $ProfileKeys) {
            $entry = @{ sid = $sid; key = $relative; exists = $false; default = $null; parent_default = $null
                profiles = @(); error = $null
            }
            $problems = @()
            $path = ([string]$relative -replace '\\+', '\').Trim('\')
            try {
                $key = Open-RegistryKey ('HKU:\' + $sid + '\' + $path)
                if ($null -ne $key) {
                    try {
                        $entry.exists = $true
                        $entry.default = Get-DefaultProfile $key
                        $entry.profiles = @(foreach ($name in $key.GetSubKeyNames()) {
                                Read-Profile $key $name
                            })
                    }
                    finally {
                        $key.Dispose()
                    }
                }
            }
            catch {
                $problems += Get-Reason $_
            }
            if ($path.Contains('\')) {
                try {
                    $parent = Open-RegistryKey ('HKU:\' + $sid + '\' + $path.Substring(0, $path.LastIndexOf('\')))
                    if ($null -ne $parent) {
                        try {
                            $entry.parent_default = Get-DefaultProfile $parent
                        }
                        finally {
                            $parent.Dispose()
                        }
                    }
                }
                catch {
                    $problems += "parent key: $(Get-Reason $_)"
                }
            }
            if ($problems.Count -gt 0) {
                $entry.error = $problems -join '; '
            }
            $entry
        }
    })

# -- in use --------------------------------------------------------------------------------
$outlook = @()
try {
    # Get-Process -Name takes the name without .exe; no match is not an error here.
    $outlook = @(Get-Process -Name OUTLOOK -ErrorAction SilentlyContinue | ForEach-Object {
            @{ id = $_.Id; session = $_.SessionId }
        })
}
catch {
    $errors.Add("The running processes could not be listed: $(Get-Reason $_)")
}
$locked = @(foreach ($path in $InUsePaths) {
        try {
            $full = Get-FullPath $path
            if (-not [System.IO.File]::Exists($full)) {
                continue
            }
            # FileShare.None fails with a sharing violation while any process holds the file,
            # a DLL loaded (mapped) into a process included. Opened for read and write like a
            # replacement would be, nothing is written, and the handle is closed at once.
            # https://learn.microsoft.com/dotnet/api/system.io.fileshare
            # https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createfilew
            $stream = [System.IO.File]::Open($full, [System.IO.FileMode]::Open, [System.IO.FileAccess]::ReadWrite,
                [System.IO.FileShare]::None)
            $stream.Dispose()
        }
        catch {
            # Whatever stops the exclusive open (sharing violation, access denied) would stop
            # the replacement too.
            @{ path = $path; error = (Get-Reason $_) }
        }
    })

$Ansible.Result = @{
    probe = 2
    registry = $registry
    values = $declared
    paths = $files
    mapisvc = @{
        searched = $searched.ToArray()
        copies = $copies.ToArray()
        missing = $missing.ToArray()
        msmapi_dlls = $dlls.ToArray()
        language_folders = $languageFolders.ToArray()
        errors = $mapisvcErrors.ToArray()
    }
    users = @{ loaded = $loaded; keys = $userKeys; profiles = $profileSets }
    in_use = @{ outlook = $outlook; locked = $locked }
    errors = $errors.ToArray()
}
"""
