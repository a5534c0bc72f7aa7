<#
.SYNOPSIS
A Full backup written against CONTRACTS.md alone: the 14 contract functions, in the contract's order.

.DESCRIPTION
What an existing admin script looks like when it drives the module function by function
instead of calling Invoke-AlteryxBackup:

   1. Initialize-BackupEnvironment    configuration, folders, checks
   2. Test-AlteryxServiceState        read-only look at the service
   3. Stop-AlteryxServiceSafely       every node, Workers -> UI -> Controller
   4. Invoke-MongoDBBackup            in try; Start-AlteryxServiceSafely in finally
   5. Backup-CriticalFiles            the data model's files registry (section 4.1)
   6. Export-ControllerSettings       token and passwords (SecureStrings)
   7. New-BackupManifest              from the results above
   8. Compress-BackupArchive
   9. Test-BackupIntegrity            size and SHA256 against the archive's
  10. Copy-BackupToDestinations       never throws: failures are in the result
  11. Remove-OldBackups               Full archives only
  12. Write-BackupSummary             from the script's own BackupExecutionState
  13. Write-Log

Only the contract's functions and parameters are used; the results are passed on as
hashtables. The script exits with the data model's exit code (0 success, 1 general,
2 service timeout, 3 validation, 4 storage, 5 MongoDB, 6 invalid mode). CI runs it
against a simulated Alteryx host (test/pester/Contracts.Tests.ps1).

.PARAMETER ConfigPath
The configuration file (backup-config.json).

.PARAMETER ProgramDataPath
Alteryx's ProgramData folder, for the files registry.

.PARAMETER AlteryxServicePath
AlteryxService.exe, for Export-ControllerSettings.

.PARAMETER PassThru
Also return every function's result, keyed by function name (for tests).

.EXAMPLE
.\examples\Backup-WithContracts.ps1 -ConfigPath 'C:\AlteryxBackup\config\backup-config.json'
#>
[CmdletBinding()]
param(
    [string]$ConfigPath = '.\config\backup-config.json',
    [string]$ProgramDataPath = 'C:\ProgramData\Alteryx',
    [string]$AlteryxServicePath = 'C:\Program Files\Alteryx\bin\AlteryxService.exe',
    [switch]$PassThru
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Module -Name AlteryxBackup)) {
    Import-Module (Join-Path $PSScriptRoot (Join-Path '..' (Join-Path 'ps-module' (Join-Path 'AlteryxBackup' 'AlteryxBackup.psd1'))))
}

# The data model's BackupExecutionState (section 3.3), kept by the script as it goes.
$state = @{
    ExecutionId    = [guid]::NewGuid()
    BackupMode     = 'Full'
    StartTime      = Get-Date
    EndTime        = $null
    Phase          = 'Initialize'
    Status         = 'Running'
    ExitCode       = 0
    FilesBackedUp  = 0
    TotalSizeBytes = 0
    Errors         = @()
    Warnings       = @()
}
$results = [ordered]@{}
$config = $null
$staging = $null

try {
    # 1. Configuration, folders, administrator/disk/MongoDB checks.
    $config = Initialize-BackupEnvironment -BackupMode Full -ConfigPath $ConfigPath
    $results['Initialize-BackupEnvironment'] = $config
    if (-not $config.Checklist.OverallStatus) { throw "Pre-backup checks failed: $($config.Checklist.FailureReasons -join '; ')" }
    $staging = Join-Path $config.TempDirectory ('ContractBackup_' + (Get-Date).ToString('yyyyMMdd_HHmmss'))

    # 2. The service as it is now.
    $state.Phase = 'StopService'
    $results['Test-AlteryxServiceState'] = Test-AlteryxServiceState
    Write-Log -Message "AlteryxService is $($results['Test-AlteryxServiceState'].CurrentState) with $($results['Test-AlteryxServiceState'].WorkflowProcessCount) workflow(s) running." -Level INFO

    # 3. Stop every node (the contract's defaults, here from the configuration).
    $results['Stop-AlteryxServiceSafely'] = Stop-AlteryxServiceSafely -MaxWorkflowWaitSeconds $config.MaxWorkflowWait -MaxServiceWaitSeconds $config.MaxServiceWait -ForceStop $config.ForceStopWorkflows -MultiNodeInfo $config.MultiNodeInfo

    # 4. The dump, with the service started again whatever happens.
    $state.Phase = 'BackupMongoDB'
    try {
        $results['Invoke-MongoDBBackup'] = Invoke-MongoDBBackup -MongoType $config.MongoType -BackupPath (Join-Path $staging 'MongoDB') -MongoConfig $config.MongoConfig
    }
    finally {
        $results['Start-AlteryxServiceSafely'] = Start-AlteryxServiceSafely -MaxServiceWaitSeconds $config.MaxServiceWait -MultiNodeInfo $config.MultiNodeInfo
    }

    # 5. Critical files, from the data model's registry (section 4.1).
    $state.Phase = 'BackupFiles'
    $registry = @{
        AllModes = @(
            @{ SourcePath = (Join-Path $ProgramDataPath 'RuntimeSettings.xml'); DestinationPath = 'Config\RuntimeSettings.xml'; Required = $true; Description = 'Primary Alteryx Server configuration' }
            @{ SourcePath = (Join-Path $ProgramDataPath 'Keys'); DestinationPath = 'Config\Keys\'; Type = 'Directory'; Required = $true; Description = 'Encryption keys' }
            @{ SourcePath = (Join-Path $ProgramDataPath (Join-Path 'Engine' 'SystemAlias.xml')); DestinationPath = 'Config\SystemAlias.xml'; Required = $false; Description = 'Shared DB Connections' }
            @{ SourcePath = (Join-Path $ProgramDataPath (Join-Path 'Engine' 'SystemConnections.xml')); DestinationPath = 'Config\SystemConnections.xml'; Required = $false; Description = 'In-DB Connections' }
        )
    }
    $files = Backup-CriticalFiles -TempDirectory $staging -FilesRegistry $registry -CalculateChecksums $config.CalculateChecksums
    $results['Backup-CriticalFiles'] = $files
    $state.FilesBackedUp = $files.FilesBackedUp
    $state.TotalSizeBytes = $files.TotalSizeBytes + [long]($results['Invoke-MongoDBBackup'].BackupSizeMB * 1MB)

    # 6. Controller token and passwords (SecureStrings; the files are in the staging folder).
    $results['Export-ControllerSettings'] = Export-ControllerSettings -TempDirectory $staging -AlteryxServicePath $AlteryxServicePath

    # 7. The manifest, from the configuration and the results.
    $backupResults = @{
        MongoDB            = $results['Invoke-MongoDBBackup']
        Files              = $files
        ControllerSettings = $results['Export-ControllerSettings']
        ServiceStop        = $results['Stop-AlteryxServiceSafely']
        ServiceStart       = $results['Start-AlteryxServiceSafely']
    }
    $results['New-BackupManifest'] = New-BackupManifest -BackupConfig $config -BackupResults $backupResults -StartTime $state.StartTime -EndTime (Get-Date)

    # 8. The archive.
    $state.Phase = 'Archive'
    $archive = Compress-BackupArchive -SourcePath $staging -DestinationPath $config.LocalBackupPath -BackupMode Full -CompressionLevel Optimal -CalculateChecksum $true
    $results['Compress-BackupArchive'] = $archive
    $state['ArchivePath'] = $archive.ArchiveFullPath
    $state['ArchiveSizeBytes'] = [long]($archive.ArchiveSizeMB * 1MB)

    # 9. Verify before anything else trusts it.
    $state.Phase = 'Validate'
    $check = Test-BackupIntegrity -ArchivePath $archive.ArchiveFullPath -MinimumSizeMB $config.MinimumSizeMB -ExpectedChecksum $archive.SHA256
    $results['Test-BackupIntegrity'] = $check
    if (-not $check.OverallStatus) {
        $state.ExitCode = 4
        throw "The archive failed verification: $($check.ValidationErrors -join '; ')"
    }

    # 10. Copies (never throws).
    $state.Phase = 'Distribute'
    $copy = Copy-BackupToDestinations -SourcePath $archive.ArchiveFullPath -Destinations $config.NetworkBackupPaths -MaxRetries 3 -RetryDelaySec 30
    $results['Copy-BackupToDestinations'] = $copy
    $state['DestinationResults'] = $copy.DestinationResults
    foreach ($entry in $copy.DestinationResults.GetEnumerator()) {
        if (-not $entry.Value.Success) { $state.Warnings += @{ Phase = 'Distribute'; Message = "Copy to $($entry.Key) failed: $($entry.Value.Error)"; Timestamp = Get-Date } }
    }

    # 11. Retention, Full archives only (never throws).
    $results['Remove-OldBackups'] = Remove-OldBackups -BackupPath $config.LocalBackupPath -RetentionDays $config.RetentionDays -BackupMode Full

    $state.Phase = 'Complete'
    $state.Status = 'Success'
    # As Invoke-AlteryxBackup does: a destination that did not get its verified copy fails the run (exit 4).
    if ($copy.FailureCount -gt 0) { $state.Status = 'Failed'; $state.ExitCode = 4 }
}
catch {
    $state.Status = 'Failed'
    if ($state.ExitCode -eq 0) {
        $state.ExitCode = 1
        if ($null -ne $_.Exception.Data -and $null -ne $_.Exception.Data['ExitCode']) { $state.ExitCode = [int]$_.Exception.Data['ExitCode'] }
        elseif ($global:LASTEXITCODE -gt 0 -and $global:LASTEXITCODE -le 6) { $state.ExitCode = [int]$global:LASTEXITCODE }
    }
    $state.Errors += @{ Phase = $state.Phase; Message = $_.Exception.Message; Exception = $_.FullyQualifiedErrorId; Timestamp = Get-Date }
}
finally {
    $state.EndTime = Get-Date
    if ($null -ne $staging -and (Test-Path -LiteralPath $staging)) { Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue }
}

# 12. The summary, from the script's own state (never from the log).
if ($null -ne $config) {
    $results['Write-BackupSummary'] = Write-BackupSummary -BackupState $state -LogPath $config.LogFilePath
}

# 13. The last line of the run.
$level = 'SUCCESS'
if ($state.Status -eq 'Warning') { $level = 'WARNING' }
if ($state.Status -eq 'Failed') { $level = 'ERROR' }
Write-Log -Message "Full backup $($state.Status) (exit code $($state.ExitCode))." -Level $level

if ($PassThru) { [pscustomobject]@{ State = $state; Results = $results } }
$global:LASTEXITCODE = $state.ExitCode
if (-not $PassThru) { exit $state.ExitCode }
