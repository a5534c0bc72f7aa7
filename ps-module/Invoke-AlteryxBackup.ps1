<#
.SYNOPSIS
Scheduled-task entry point: runs Invoke-AlteryxBackup and exits with its exit code.

.DESCRIPTION
Imports the AlteryxBackup module that sits beside this script, runs
Invoke-AlteryxBackup with the given parameters and ends the process with the
backup's exit code, which is all a scheduled task sees:
0 success, 1 general error, 2 service timeout, 3 validation failure,
4 storage error, 5 MongoDB error, 6 invalid backup mode.

-BackupMode is a plain string here so that an invalid mode exits 6 with a clear
message instead of failing parameter binding (which would exit 1).

Task action example:
powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "C:\AlteryxBackup\ps-module\Invoke-AlteryxBackup.ps1" -BackupMode Full

.PARAMETER BackupMode
Full, DatabaseOnly or ConfigOnly. When omitted, the configuration's DefaultBackupMode.

.PARAMETER ConfigPath
Path to backup-config.json. Default: the module's default configuration.

.PARAMETER TempDirectory
Overrides BackupConfiguration.TempDirectory.

.PARAMETER LocalBackupPath
Overrides BackupConfiguration.LocalBackupPath.

.PARAMETER NetworkBackupPath
Replaces BackupConfiguration.NetworkBackupPaths. Use UNC paths: mapped drives are not visible to SYSTEM.

.PARAMETER LogDirectory
Overrides BackupConfiguration.LogDirectory.

.PARAMETER MongoDBType
auto, embedded or self-managed.

.PARAMETER MaxServiceWait
Seconds to wait for each service state change.

.PARAMETER RetentionDays
Days to keep archives of this mode (1-3650).

.PARAMETER StopServiceForExternalDB
Stop the service while dumping a self-managed MongoDB.

.PARAMETER MongoPassword
Self-managed MongoDB password (for interactive use; scheduled tasks should use
SelfManagedMongoDB.CredentialFile).

.PARAMETER SmtpCredential
SMTP credential for notification e-mail.

.EXAMPLE
pwsh -NoProfile -File .\ps-module\Invoke-AlteryxBackup.ps1 -BackupMode Full

Runs a Full backup and exits with its exit code.

.OUTPUTS
The backup summary object; the process exit code is the backup's exit code.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [Parameter(Position = 0)]
    [string]$BackupMode,
    [string]$ConfigPath,
    [string]$TempDirectory,
    [string]$LocalBackupPath,
    [string[]]$NetworkBackupPath,
    [string]$LogDirectory,
    [string]$MongoDBType,
    [int]$MaxServiceWait,
    [int]$RetentionDays,
    [switch]$StopServiceForExternalDB,
    [System.Security.SecureString]$MongoPassword,
    [System.Management.Automation.PSCredential]$SmtpCredential
)

$validModes = @('Full', 'DatabaseOnly', 'ConfigOnly')
if ($PSBoundParameters.ContainsKey('BackupMode') -and $validModes -notcontains $BackupMode) {
    [Console]::Error.WriteLine("Invalid -BackupMode '$BackupMode'. Valid values: $($validModes -join ', '). Exit code 6.")
    exit 6
}

# SUCCESS, WARNING and ERROR log lines go to the Information stream; show them in task output.
$InformationPreference = 'Continue'

$exitCode = 1
try {
    $modulePath = Join-Path (Join-Path $PSScriptRoot 'AlteryxBackup') 'AlteryxBackup.psd1'
    Import-Module $modulePath -Force -ErrorAction Stop
    $global:LASTEXITCODE = 0
    $summary = Invoke-AlteryxBackup @PSBoundParameters -ErrorAction Stop
    $summary
    $exitCode = $global:LASTEXITCODE
    if ($null -eq $exitCode) { $exitCode = 0 }
}
catch {
    $exitCode = $global:LASTEXITCODE
    if ($_.Exception -is [System.Management.Automation.ParameterBindingException]) { $exitCode = 3 }
    elseif ($null -eq $exitCode -or $exitCode -eq 0) { $exitCode = 1 }
    [Console]::Error.WriteLine("Invoke-AlteryxBackup failed (exit code $exitCode, $($_.FullyQualifiedErrorId)): $($_.Exception.Message)")
}
exit $exitCode
