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
powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "C:\Program Files\WindowsPowerShell\Modules\AlteryxBackup\1.0.0\Invoke-AlteryxBackup.ps1" -BackupMode Full -ConfigPath "C:\ProgramData\AlteryxBackup\backup-config.json"
(Register-AlteryxBackupSchedule writes this for you.)

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
Stop the service while dumping a self-managed MongoDB: true or false (also
$true, $false, 1, 0). A value, not a switch: Windows PowerShell 5.1 cannot bind
-Switch:$false given through powershell.exe -File, and would fail before this
script could set an exit code. Any other value exits 6 with a message.

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
    [string]$StopServiceForExternalDB,
    [System.Security.SecureString]$MongoPassword,
    [System.Management.Automation.PSCredential]$SmtpCredential
)

$validModes = @('Full', 'DatabaseOnly', 'ConfigOnly')
if ($PSBoundParameters.ContainsKey('BackupMode') -and $validModes -notcontains $BackupMode) {
    [Console]::Error.WriteLine("Invalid -BackupMode '$BackupMode'. Valid values: $($validModes -join ', '). Exit code 6.")
    exit 6
}

if ($PSBoundParameters.ContainsKey('StopServiceForExternalDB')) {
    $switchText = ([string]$StopServiceForExternalDB).Trim().TrimStart('$').ToLowerInvariant()
    if (@('true', '1') -contains $switchText) { $PSBoundParameters['StopServiceForExternalDB'] = [switch]$true }
    elseif (@('false', '0') -contains $switchText) { $PSBoundParameters['StopServiceForExternalDB'] = [switch]$false }
    else {
        [Console]::Error.WriteLine("Invalid -StopServiceForExternalDB '$StopServiceForExternalDB'. Use true or false (e.g. -StopServiceForExternalDB false). Exit code 6.")
        exit 6
    }
}

# SUCCESS, WARNING and ERROR log lines go to the Information stream; show them in task output.
$InformationPreference = 'Continue'
# Windows PowerShell 5.1 draws every Write-Progress call (the rate limit came in 6.0);
# nobody sees a task's progress, and the bridge then skips progress lines unparsed.
$ProgressPreference = 'SilentlyContinue'

$exitCode = 1
try {
    # Installed: the module is this folder. In a checkout: the AlteryxBackup folder beside it.
    $modulePath = Join-Path $PSScriptRoot 'AlteryxBackup.psd1'
    if (-not (Test-Path -LiteralPath $modulePath)) { $modulePath = Join-Path (Join-Path $PSScriptRoot 'AlteryxBackup') 'AlteryxBackup.psd1' }
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
