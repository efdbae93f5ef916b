# mapi.messaging: active-setup-import-prf
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run once per user at logon by Active Setup (StubPath written by the mapi.messaging.message_service
# role). It makes for the user who logs on the decision the role makes for logged-on users
# (plugins/plugin_utils/profile.py, _wanted_prf and _decide; tests/unit/profile_cases.py is the table
# both follow, and Get-Outcome returns the names the role's plan uses):
# - the default Outlook profile already holds the service (has_service): nothing;
# - a default profile without it: with -ExistingProfiles add, ImportPRF is set to the PRF for existing
#   profiles (-AppendPrfPath); with leave, nothing (keep);
# - profiles but no default (or a DefaultProfile naming no profile): nothing (no_default_profile);
# - no profile: with -NewProfiles create, ImportPRF is set to the PRF for new profiles (-PrfPath);
#   with leave, nothing (without_profile): Outlook's own first start builds the mailbox profile.
# When ImportPRF is set (import_prf) or already names the PRF wanted (arranged), FirstRun and First-Run
# are removed so that Outlook's next start reads it. A user who gets no PRF but whose ImportPRF still
# names one of ours (an earlier run with another mode) has it withdrawn (withdraw). ImportPRF of any
# other kind (another path, or not a string) is another tool's and stays (foreign_import_prf).
#
# It reads as the role's probe reads (plugins/plugin_utils/probe_script.py): through .NET's registry
# API, values as stored (REG_EXPAND_SZ not expanded), and it never guesses: anything it cannot read
# (access denied, a value of the wrong type) ends it without a change (unread). It runs in the user's
# own HKCU, so it serves every kind of account alike: local, domain and Entra ID. It is not verified
# on real Windows.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$PrfPath,
    [Parameter(Mandatory = $true)][string]$AppendPrfPath,
    [Parameter(Mandatory = $true)][string]$OfficeVersion,
    [Parameter(Mandatory = $true)][string]$ServiceName,
    [ValidateSet('leave', 'add')][string]$ExistingProfiles = 'leave',
    [ValidateSet('leave', 'create')][string]$NewProfiles = 'leave'
)

$ErrorActionPreference = 'Stop'
# Values as stored: GetValue expands REG_EXPAND_SZ unless told not to.
$doNotExpand = [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames
# Key names are given to OpenSubKey as they are: unlike PowerShell's registry drive, it takes a '/'
# in a name (profile names may hold one) as part of the name.
$userHive = [Microsoft.Win32.Registry]::CurrentUser
$setupKey = "Software\Microsoft\Office\$OfficeVersion\Outlook\Setup"

# Paths compared as the role compares them: blanks and quotes around them ignored, / equal to \, no
# trailing \, case ignored (ordinal, as Windows compares paths).
function ConvertTo-ComparablePath([string]$Path) {
    return $Path.Trim().Trim('"').Replace('/', '\').TrimEnd('\')
}

function Test-SamePath([string]$Left, [string]$Right) {
    if ([string]::IsNullOrEmpty($Left) -or [string]::IsNullOrEmpty($Right)) {
        return $false
    }
    return [string]::Equals((ConvertTo-ComparablePath $Left), (ConvertTo-ComparablePath $Right),
        [System.StringComparison]::OrdinalIgnoreCase)
}

function Get-DefaultProfile([Microsoft.Win32.RegistryKey]$Key) {
    # DefaultProfile when it is a string that names something; anything else names no profile.
    $value = $Key.GetValue('DefaultProfile', $null, $doNotExpand)
    if ($value -is [string] -and $value.Trim() -ne '') {
        return $value.Trim()
    }
    return $null
}

# PR_SERVICE_NAME (0x3D09) of one profile section, as the probe reads it: 001f3d09 (PT_UNICODE,
# UTF-16LE) first, then 001e3d09 (PT_STRING8, the ANSI code page), each REG_BINARY ending in NUL; the
# first that is not empty counts. Any other type is an error, never skipped.
function Read-ServiceName([Microsoft.Win32.RegistryKey]$Section) {
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

function Read-ProfileService([Microsoft.Win32.RegistryKey]$Profiles, [string]$Name) {
    # The service names of one profile's sections; an unreadable section throws.
    $key = $Profiles.OpenSubKey($Name, $false)
    if ($null -eq $key) {
        throw "profile '$Name' disappeared while it was read"
    }
    try {
        $names = @()
        foreach ($sectionName in $key.GetSubKeyNames()) {
            $section = $key.OpenSubKey($sectionName, $false)
            if ($null -eq $section) {
                continue
            }
            try {
                $service = Read-ServiceName $section
                if ($null -ne $service) {
                    $names += $service
                }
            }
            finally {
                $section.Dispose()
            }
        }
        return , $names
    }
    finally {
        $key.Dispose()
    }
}

# Outlook 2013 (15.0) and later keep profiles under Office\<version>\Outlook\Profiles and the default
# profile's name in DefaultProfile of Office\<version>\Outlook; earlier versions keep both in Windows
# Messaging Subsystem\Profiles. As the role's census reads them (plugins/plugin_utils/census.py): a
# profile in either location counts, and the default is the first location's (newest first)
# DefaultProfile that names a profile of that location. Every location and its parent are read, as
# the probe reads them; any error throws.
function Read-ProfileCensus {
    $legacyKey = 'Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles'
    $locations = @()
    $major = 0
    if ([int]::TryParse($OfficeVersion.Split('.')[0], [ref]$major) -and $major -ge 15) {
        $locations += @{ Key = "Software\Microsoft\Office\$OfficeVersion\Outlook\Profiles"; Legacy = $false }
    }
    $locations += @{ Key = $legacyKey; Legacy = $true }
    $census = @{ HasProfile = $false; HasDefault = $false; DefaultServices = @() }
    foreach ($location in $locations) {
        $parentDefault = $null
        $parent = $userHive.OpenSubKey($location.Key.Substring(0, $location.Key.LastIndexOf('\')), $false)
        if ($null -ne $parent) {
            try {
                $parentDefault = Get-DefaultProfile $parent
            }
            finally {
                $parent.Dispose()
            }
        }
        $key = $userHive.OpenSubKey($location.Key, $false)
        if ($null -eq $key) {
            continue
        }
        try {
            $ownDefault = Get-DefaultProfile $key
            $names = @($key.GetSubKeyNames())
            if ($names.Count -eq 0) {
                continue
            }
            $census.HasProfile = $true
            if ($census.HasDefault) {
                continue
            }
            $wanted = $parentDefault
            if ($location.Legacy) {
                $wanted = $ownDefault
            }
            foreach ($name in $names) {
                if ($null -ne $wanted -and [string]::Equals($name, $wanted, [System.StringComparison]::OrdinalIgnoreCase)) {
                    $census.HasDefault = $true
                    $census.DefaultServices = Read-ProfileService $key $name
                    break
                }
            }
        }
        finally {
            $key.Dispose()
        }
    }
    return $census
}

# ImportPRF as stored: Kind 'none' (missing or a blank string), 'ours' (a string naming one of our
# PRFs, in Value) or 'other' (another path, or not REG_SZ/REG_EXPAND_SZ: another tool's).
function Read-ImportPrf {
    $found = @{ Kind = 'none'; Value = $null }
    $key = $userHive.OpenSubKey($setupKey, $false)
    if ($null -eq $key) {
        return $found
    }
    try {
        $data = $key.GetValue('ImportPRF', $null, $doNotExpand)
        if ($null -eq $data) {
            return $found
        }
        $kind = $key.GetValueKind('ImportPRF')
        if (($kind -ne [Microsoft.Win32.RegistryValueKind]::String -and
                $kind -ne [Microsoft.Win32.RegistryValueKind]::ExpandString) -or $data -isnot [string]) {
            $found.Kind = 'other'
        }
        elseif ($data.Trim() -eq '') {
            $found.Kind = 'none'
        }
        elseif ((Test-SamePath $data $PrfPath) -or (Test-SamePath $data $AppendPrfPath)) {
            $found.Kind = 'ours'
            $found.Value = $data
        }
        else {
            $found.Kind = 'other'
        }
        return $found
    }
    finally {
        $key.Dispose()
    }
}

# The decision, named as the role's plan names it; $script:WantedPrf is the PRF for import_prf.
function Get-Outcome {
    try {
        $census = Read-ProfileCensus
        $importPrf = Read-ImportPrf
    }
    catch {
        return 'unread'
    }
    $script:WantedPrf = ''
    $outcome = ''
    if ($census.HasProfile) {
        if (-not $census.HasDefault) {
            $outcome = 'no_default_profile'
        }
        elseif (@($census.DefaultServices | Where-Object { [string]::Equals($_, $ServiceName, [System.StringComparison]::OrdinalIgnoreCase) }).Count -gt 0) {
            $outcome = 'has_service'
        }
        elseif ($ExistingProfiles -ne 'add') {
            $outcome = 'keep'
        }
        else {
            $script:WantedPrf = $AppendPrfPath
        }
    }
    elseif ($NewProfiles -ne 'create') {
        $outcome = 'without_profile'
    }
    else {
        $script:WantedPrf = $PrfPath
    }
    if ($outcome -ne '') {
        if ($importPrf.Kind -eq 'ours') {
            return 'withdraw'
        }
        return $outcome
    }
    if ($importPrf.Kind -eq 'other') {
        return 'foreign_import_prf'
    }
    if ($importPrf.Kind -eq 'ours' -and (Test-SamePath $importPrf.Value $script:WantedPrf)) {
        return 'arranged'
    }
    return 'import_prf'
}

$outcome = Get-Outcome
if ($outcome -eq 'withdraw') {
    $key = $userHive.OpenSubKey($setupKey, $true)
    if ($null -ne $key) {
        try {
            $key.DeleteValue('ImportPRF', $false)
        }
        finally {
            $key.Dispose()
        }
    }
    exit 0
}
if ($outcome -ne 'import_prf' -and $outcome -ne 'arranged') {
    exit 0
}
# The service may have been removed since Active Setup was registered: then do nothing.
if ($outcome -eq 'import_prf' -and -not [System.IO.File]::Exists($script:WantedPrf)) {
    exit 0
}
$key = $userHive.CreateSubKey($setupKey)
try {
    if ($outcome -eq 'import_prf') {
        $key.SetValue('ImportPRF', $script:WantedPrf, [Microsoft.Win32.RegistryValueKind]::String)
    }
    # Outlook reads ImportPRF only on a first run, which these values would mark as done.
    foreach ($name in @('FirstRun', 'First-Run')) {
        $key.DeleteValue($name, $false)
    }
}
finally {
    $key.Dispose()
}
exit 0
