<#
.SYNOPSIS
Installs (or uninstalls) this AlteryxBackup release from the unzipped bundle.

.DESCRIPTION
Run it from the unzipped release folder AlteryxBackup\<version>\ as a local
administrator. It:
1. copies that folder to <ModulesPath>\AlteryxBackup\<version>, beside any
   other installed version (side by side; the newest is what
   Import-Module AlteryxBackup loads). ModulesPath defaults to
   $env:ProgramFiles\WindowsPowerShell\Modules, where both Windows
   PowerShell 5.1 and PowerShell 7 look;
2. creates the data folder ($env:ProgramData\AlteryxBackup) with
   backup-config.json copied from the example, only when no configuration
   exists there: an upgrade never overwrites the configuration;
3. restricts the data folder to Administrators and SYSTEM (icacls, by SID,
   inheritance removed) so that credential files and secrets in it are
   readable by nobody else;
4. imports the installed module and prints Test-AlteryxBackupPrerequisite.

-Uninstall removes <ModulesPath>\AlteryxBackup\<version> only. The data
folder (configuration, credential files, secrets), the logs and the backups
are left alone; scheduled tasks are left too (remove them first with
Unregister-AlteryxBackupSchedule).

icacls syntax: https://learn.microsoft.com/windows-server/administration/windows-commands/icacls
(/inheritance:r removes inherited ACEs; /grant:r replaces explicit grants; a
SID is given as *S-1-...; (OI)(CI)F = full control inherited by files and folders).

.PARAMETER ModulesPath
The PowerShell modules folder to install into. Default:
$env:ProgramFiles\WindowsPowerShell\Modules.

.PARAMETER DataPath
The data folder for the configuration and secrets. Default:
$env:ProgramData\AlteryxBackup.

.PARAMETER Uninstall
Remove this version of the module; leave configuration, logs and backups.

.PARAMETER Force
Replace an installed copy of this same version.

.PARAMETER SkipPrerequisiteCheck
Do not run Test-AlteryxBackupPrerequisite after installing.

.EXAMPLE
PS> Expand-Archive .\AlteryxBackup-1.0.0-win-x64.zip -DestinationPath C:\Temp\AlteryxBackup
PS> C:\Temp\AlteryxBackup\AlteryxBackup\1.0.0\Install-AlteryxBackup.ps1

Installs version 1.0.0 for all users and creates C:\ProgramData\AlteryxBackup\backup-config.json.

.EXAMPLE
PS> .\Install-AlteryxBackup.ps1 -WhatIf

Shows what would be copied, created and restricted, and changes nothing.

.OUTPUTS
The prerequisite checklist (Test-AlteryxBackupPrerequisite), unless -Uninstall or -SkipPrerequisiteCheck.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$ModulesPath,
    [string]$DataPath,
    [switch]$Uninstall,
    [switch]$Force,
    [switch]$SkipPrerequisiteCheck
)

$ErrorActionPreference = 'Stop'
$source = $PSScriptRoot
$manifestPath = Join-Path $source 'AlteryxBackup.psd1'
if (-not (Test-Path -LiteralPath $manifestPath)) {
    throw "Install-AlteryxBackup.ps1 must run from the unzipped release folder (AlteryxBackup\<version>); '$manifestPath' is missing."
}
$manifestText = [System.IO.File]::ReadAllText($manifestPath)
$versionMatch = [regex]::Match($manifestText, "ModuleVersion\s*=\s*'([0-9.]+)'")
if (-not $versionMatch.Success) { throw "No ModuleVersion in '$manifestPath'." }
$version = $versionMatch.Groups[1].Value

if ([string]::IsNullOrEmpty($ModulesPath)) {
    if ([string]::IsNullOrEmpty($env:ProgramFiles)) { throw '-ModulesPath is required where $env:ProgramFiles is not set (not Windows).' }
    $ModulesPath = Join-Path $env:ProgramFiles (Join-Path 'WindowsPowerShell' 'Modules')
}
if ([string]::IsNullOrEmpty($DataPath)) {
    if ([string]::IsNullOrEmpty($env:ProgramData)) { throw '-DataPath is required where $env:ProgramData is not set (not Windows).' }
    $DataPath = Join-Path $env:ProgramData 'AlteryxBackup'
}
$ModulesPath = [System.IO.Path]::GetFullPath($ModulesPath)
$DataPath = [System.IO.Path]::GetFullPath($DataPath)
$moduleBase = Join-Path $ModulesPath 'AlteryxBackup'
$target = Join-Path $moduleBase $version

function Set-AdminOnlyAcl {
    # Administrators (S-1-5-32-544) and SYSTEM (S-1-5-18) only, by SID so that
    # localized group names do not matter. Without icacls (not Windows): chmod 700.
    param([string]$Path)
    $icacls = Get-Command -Name 'icacls' -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -ne $icacls) {
        $output = & icacls $Path '/inheritance:r' '/grant:r' '*S-1-5-32-544:(OI)(CI)F' '*S-1-5-18:(OI)(CI)F' 2>&1
        if ($LASTEXITCODE -ne 0) { throw "icacls '$Path' failed (exit $LASTEXITCODE): $output" }
        return 'Administrators and SYSTEM only (icacls)'
    }
    $chmod = Get-Command -Name 'chmod' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -ne $chmod) {
        & $chmod.Source '700' $Path
        return 'owner only (chmod 700; icacls not available)'
    }
    return 'not restricted (neither icacls nor chmod found)'
}

if ($Uninstall) {
    if (-not (Test-Path -LiteralPath $target)) {
        Write-Warning "AlteryxBackup $version is not installed in '$moduleBase'; nothing to remove."
        return
    }
    if ($PSCmdlet.ShouldProcess($target, 'Remove AlteryxBackup module version')) {
        Get-Module AlteryxBackup | Where-Object { $_.ModuleBase -eq $target } | Remove-Module -Force
        Remove-Item -LiteralPath $target -Recurse -Force
        $others = @(Get-ChildItem -LiteralPath $moduleBase -Directory -ErrorAction SilentlyContinue)
        if ($others.Count -eq 0) { Remove-Item -LiteralPath $moduleBase -Force -ErrorAction SilentlyContinue }
        Write-Host "Removed AlteryxBackup $version from '$moduleBase'."
        Write-Host "Left alone: '$DataPath' (configuration, credential files, secrets), the log and backup folders, and any scheduled task."
    }
    return
}

# 1. The module, side by side with other versions.
$sourceFull = [System.IO.Path]::GetFullPath($source).TrimEnd([System.IO.Path]::DirectorySeparatorChar)
if ($sourceFull -eq $target.TrimEnd([System.IO.Path]::DirectorySeparatorChar)) {
    throw "The release folder is already the install location '$target'. Run the installer from the unzipped bundle."
}
if ((Test-Path -LiteralPath $target) -and -not $Force) {
    Write-Warning "AlteryxBackup $version is already installed in '$target'. Use -Force to replace it."
}
elseif ($PSCmdlet.ShouldProcess($target, "Install AlteryxBackup $version")) {
    $null = New-Item -ItemType Directory -Path $moduleBase -Force
    # Copy beside the target, then rename: a failed copy leaves no half-installed version.
    $staging = Join-Path $moduleBase (".install-$version-" + [guid]::NewGuid().ToString('N'))
    try {
        Copy-Item -LiteralPath $source -Destination $staging -Recurse -Force
        if (Test-Path -LiteralPath $target) {
            Get-Module AlteryxBackup | Where-Object { $_.ModuleBase -eq $target } | Remove-Module -Force
            Remove-Item -LiteralPath $target -Recurse -Force
        }
        Move-Item -LiteralPath $staging -Destination $target
    }
    finally {
        if (Test-Path -LiteralPath $staging) { Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue }
    }
    Write-Host "Installed AlteryxBackup $version to '$target'."
}

# 2. The data folder and a configuration, never overwritten.
$configPath = Join-Path $DataPath 'backup-config.json'
$dataExisted = Test-Path -LiteralPath $DataPath
if (-not $dataExisted -and $PSCmdlet.ShouldProcess($DataPath, 'Create the AlteryxBackup data folder')) {
    $null = New-Item -ItemType Directory -Path $DataPath -Force
}
if (Test-Path -LiteralPath $configPath) {
    Write-Host "Kept the existing configuration '$configPath'."
}
elseif ($PSCmdlet.ShouldProcess($configPath, 'Create the configuration from backup-config.example.json')) {
    Copy-Item -LiteralPath (Join-Path (Join-Path $source 'config') 'backup-config.example.json') -Destination $configPath
    Write-Host "Created '$configPath' from the example: edit it before the first backup."
}

# 3. Only Administrators and SYSTEM may read the data folder.
if ((Test-Path -LiteralPath $DataPath) -and $PSCmdlet.ShouldProcess($DataPath, 'Restrict access to Administrators and SYSTEM')) {
    $aclResult = Set-AdminOnlyAcl -Path $DataPath
    Write-Host "Access to '$DataPath': $aclResult."
}

# 4. The prerequisites, from the installed module.
if (-not $SkipPrerequisiteCheck -and -not $WhatIfPreference -and (Test-Path -LiteralPath (Join-Path $target 'AlteryxBackup.psd1'))) {
    Import-Module (Join-Path $target 'AlteryxBackup.psd1') -Force
    $checks = @(Test-AlteryxBackupPrerequisite -ConfigPath $configPath)
    $checks | Format-Table -AutoSize -Wrap -Property Name, Passed, Detail | Out-String -Width 200 | Write-Host
    $failed = @($checks | Where-Object { -not $_.Passed })
    foreach ($item in $failed) { Write-Warning "$($item.Name): $($item.Fix)" }
    $checks
}
