# mapi.messaging: active-setup-import-prf
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Run once per user at logon by Active Setup (StubPath written by the mapi.messaging.message_service
# role). For a user who has no Outlook profile yet it sets ImportPRF to the PRF file and removes
# FirstRun and First-Run, so that Outlook creates the default profile at its next start. Users who
# already have a profile are left alone, and so is a user whose ImportPRF names another PRF (another
# tool arranged that user's first Outlook start). It runs in the user's own HKCU, so it serves every
# kind of account alike: local, domain and Entra ID. This is the same check-and-set the role does for
# logged-on users; it is not verified on real Windows.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$PrfPath,
    [Parameter(Mandatory = $true)][string]$OfficeVersion
)

$ErrorActionPreference = 'Stop'

# The service may have been removed since Active Setup was registered: then do nothing.
if (-not (Test-Path -LiteralPath $PrfPath -PathType Leaf)) {
    exit 0
}

# Outlook 2013 (15.0) and later keep profiles under Office\<version>\Outlook\Profiles; earlier
# versions under Windows Messaging Subsystem\Profiles. A profile in either place counts.
$profileKeys = @(
    "HKCU:\Software\Microsoft\Office\$OfficeVersion\Outlook\Profiles",
    'HKCU:\Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles'
)
foreach ($key in $profileKeys) {
    if ((Test-Path -LiteralPath $key) -and @(Get-ChildItem -LiteralPath $key).Count -gt 0) {
        exit 0
    }
}

$setupKey = "HKCU:\Software\Microsoft\Office\$OfficeVersion\Outlook\Setup"
if (Test-Path -LiteralPath $setupKey) {
    # Compared as the role compares it: blanks and quotes around it ignored, / equal to \, no
    # trailing \, case ignored (ordinal, as Windows compares paths). An empty value arranges nothing.
    $current = (Get-ItemProperty -LiteralPath $setupKey -Name 'ImportPRF' -ErrorAction SilentlyContinue).ImportPRF
    if ($current -is [string] -and $current.Trim() -ne '') {
        $theirs = $current.Trim().Trim('"').Replace('/', '\').TrimEnd('\')
        $ours = $PrfPath.Trim().Trim('"').Replace('/', '\').TrimEnd('\')
        if (-not [string]::Equals($theirs, $ours, [System.StringComparison]::OrdinalIgnoreCase)) {
            exit 0
        }
    }
}
else {
    $null = New-Item -Path $setupKey -Force
}
$null = New-ItemProperty -LiteralPath $setupKey -Name 'ImportPRF' -Value $PrfPath -PropertyType String -Force
foreach ($name in @('FirstRun', 'First-Run')) {
    Remove-ItemProperty -LiteralPath $setupKey -Name $name -ErrorAction SilentlyContinue
}
exit 0
