# mapi.messaging: in_use
# Preflight of the mapi.messaging.message_service role: is Outlook running, and does a process
# hold one of the files the role would replace or delete? It only reads, so it declares
# SupportsShouldProcess and runs the same in check mode (-WhatIf).
[CmdletBinding(SupportsShouldProcess)]
param (
    [string[]]$Paths = @()
)
$ErrorActionPreference = 'Stop'

# Get-Process -Name takes the process name without .exe; no match is not an error here.
$outlook = @(Get-Process -Name OUTLOOK -ErrorAction SilentlyContinue | ForEach-Object {
        @{ id = $_.Id; session = $_.SessionId }
    })

$locked = @()
foreach ($path in $Paths) {
    if (-not [System.IO.File]::Exists($path)) {
        continue
    }
    try {
        # Opening for read and write with FileShare.None fails with a sharing violation while
        # any process holds the file, a DLL loaded (mapped) into a process included. Nothing
        # is written and the stream is closed at once.
        $stream = [System.IO.File]::Open($path, [System.IO.FileMode]::Open,
            [System.IO.FileAccess]::ReadWrite, [System.IO.FileShare]::None)
        $stream.Dispose()
    }
    catch [System.IO.IOException] {
        $locked += @{ path = $path; error = $_.Exception.Message }
    }
    catch [System.UnauthorizedAccessException] {
        $locked += @{ path = $path; error = $_.Exception.Message }
    }
}

$Ansible.Changed = $false
$Ansible.Result = @{ outlook = $outlook; locked = $locked }
