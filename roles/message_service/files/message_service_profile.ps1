# mapi.messaging: active-setup-import-prf
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run once per user at logon by Active Setup (StubPath written by the mapi.messaging.message_service
# role). It makes for the user who logs on the decision the role makes for logged-on users
# (plugins/plugin_utils/profile.py, _wanted_prf and _decide):
# - the default Outlook profile already holds the service: nothing, ever again;
# - a default profile without it: with -ExistingProfiles add, ImportPRF is set to the PRF for existing
#   profiles (-AppendPrfPath); with leave, nothing;
# - profiles but no default (or a DefaultProfile naming no profile): nothing;
# - no profile: with -NewProfiles create, ImportPRF is set to the PRF for new profiles (-PrfPath);
#   with leave, nothing (Outlook's own first start builds the mailbox profile).
# When ImportPRF is set (or already names the PRF wanted), FirstRun and First-Run are removed so that
# Outlook's next start reads it. An ImportPRF naming another tool's PRF is left alone. It runs in the
# user's own HKCU, so it serves every kind of account alike: local, domain and Entra ID. It is not
# verified on real Windows.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$PrfPath,
    [Parameter(Mandatory = $true)][string]$OfficeVersion,
    [string]$AppendPrfPath = '',
    [string]$ServiceName = '',
    [ValidateSet('leave', 'add')][string]$ExistingProfiles = 'leave',
    [ValidateSet('leave', 'create')][string]$NewProfiles = 'leave'
)

$ErrorActionPreference = 'Stop'

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

# The message services of one profile: each profile section may hold PR_SERVICE_NAME (0x3D09) as
# 001f3d09 (PT_UNICODE, UTF-16LE) or 001e3d09 (PT_STRING8, ANSI), both REG_BINARY ending in NUL.
function Get-ProfileService([string]$ProfileKey) {
    $encodings = @{ '001f3d09' = [System.Text.Encoding]::Unicode; '001e3d09' = [System.Text.Encoding]::Default }
    $names = @()
    foreach ($section in @(Get-ChildItem -LiteralPath $ProfileKey -ErrorAction SilentlyContinue)) {
        $values = Get-ItemProperty -LiteralPath $section.PSPath -ErrorAction SilentlyContinue
        if ($null -eq $values) {
            continue
        }
        foreach ($valueName in $encodings.Keys) {
            $data = $values.$valueName
            if ($data -is [byte[]]) {
                $names += $encodings[$valueName].GetString($data).Split([char]0)[0]
            }
        }
    }
    return $names
}

# Outlook 2013 (15.0) and later keep profiles under Office\<version>\Outlook\Profiles and the default
# profile's name in DefaultProfile of Office\<version>\Outlook; earlier versions keep both in Windows
# Messaging Subsystem\Profiles. As the role's census reads them (plugins/plugin_utils/census.py): a
# profile in either location counts, and the default is the first location's (newest first)
# DefaultProfile that names a profile of that location.
$legacyKey = 'HKCU:\Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles'
$locations = @()
$major = 0
if ([int]::TryParse($OfficeVersion.Split('.')[0], [ref]$major) -and $major -ge 15) {
    $locations += @{ Key = "HKCU:\Software\Microsoft\Office\$OfficeVersion\Outlook\Profiles"
        DefaultIn = "HKCU:\Software\Microsoft\Office\$OfficeVersion\Outlook" }
}
$locations += @{ Key = $legacyKey; DefaultIn = $legacyKey }

$hasProfile = $false
$defaultKey = $null
foreach ($location in $locations) {
    if (-not (Test-Path -LiteralPath $location.Key)) {
        continue
    }
    $profiles = @(Get-ChildItem -LiteralPath $location.Key)
    if ($profiles.Count -eq 0) {
        continue
    }
    $hasProfile = $true
    if ($null -ne $defaultKey) {
        continue
    }
    $default = (Get-ItemProperty -LiteralPath $location.DefaultIn -Name 'DefaultProfile' -ErrorAction SilentlyContinue).DefaultProfile
    if ($default -is [string] -and $default.Trim() -ne '') {
        foreach ($candidate in $profiles) {
            if ([string]::Equals($candidate.PSChildName, $default.Trim(), [System.StringComparison]::OrdinalIgnoreCase)) {
                $defaultKey = $candidate.PSPath
            }
        }
    }
}

if ($hasProfile) {
    if ($null -eq $defaultKey -or $ServiceName -eq '') {
        # No default profile: what Outlook does with an appending PRF there is not known.
        exit 0
    }
    foreach ($name in @(Get-ProfileService $defaultKey)) {
        if ([string]::Equals($name, $ServiceName, [System.StringComparison]::OrdinalIgnoreCase)) {
            exit 0
        }
    }
    if ($ExistingProfiles -ne 'add' -or $AppendPrfPath -eq '') {
        exit 0
    }
    $wanted = $AppendPrfPath
}
else {
    if ($NewProfiles -ne 'create') {
        exit 0
    }
    $wanted = $PrfPath
}

# The service may have been removed since Active Setup was registered: then do nothing.
if (-not (Test-Path -LiteralPath $wanted -PathType Leaf)) {
    exit 0
}

$setupKey = "HKCU:\Software\Microsoft\Office\$OfficeVersion\Outlook\Setup"
$current = $null
if (Test-Path -LiteralPath $setupKey) {
    $current = (Get-ItemProperty -LiteralPath $setupKey -Name 'ImportPRF' -ErrorAction SilentlyContinue).ImportPRF
}
else {
    $null = New-Item -Path $setupKey -Force
}
# An empty value arranges nothing; one naming neither of our PRFs is another tool's and stays.
if ($current -is [string] -and $current.Trim() -ne '' -and
    -not (Test-SamePath $current $PrfPath) -and -not (Test-SamePath $current $AppendPrfPath)) {
    exit 0
}
if (-not ($current -is [string] -and (Test-SamePath $current $wanted))) {
    $null = New-ItemProperty -LiteralPath $setupKey -Name 'ImportPRF' -Value $wanted -PropertyType String -Force
}
foreach ($name in @('FirstRun', 'First-Run')) {
    Remove-ItemProperty -LiteralPath $setupKey -Name $name -ErrorAction SilentlyContinue
}
exit 0
