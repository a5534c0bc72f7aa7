@{
    RootModule           = 'AlteryxBackup.psm1'
    ModuleVersion        = '1.0.0'
    GUID                 = 'e6e134c2-df4f-44ae-baf4-29a4dced44b1'
    Author               = 'AlteryxBackup contributors'
    CompanyName          = 'AlteryxBackup'
    Copyright            = '(c) AlteryxBackup contributors. MIT License.'
    Description          = 'Verified, minimal-downtime backups for Alteryx Server (MongoDB, configuration, keys, controller settings). A thin PowerShell layer over a Node.js core.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('AlteryxBackup.Format.ps1xml')
    FunctionsToExport    = @(
        'Backup-CriticalFiles'
        'Compress-BackupArchive'
        'Copy-BackupToDestinations'
        'Export-ControllerSettings'
        'Get-AlteryxBackup'
        'Get-AlteryxBackupSchedule'
        'Initialize-BackupEnvironment'
        'Invoke-AlteryxBackup'
        'Invoke-MongoDBBackup'
        'New-AlteryxBackupCertificate'
        'New-BackupManifest'
        'Register-AlteryxBackupSchedule'
        'Remove-OldBackups'
        'Restore-AlteryxBackup'
        'Repair-AlteryxBackupState'
        'Set-AlteryxBackupSecret'
        'Start-AlteryxServiceSafely'
        'Stop-AlteryxServiceSafely'
        'Test-AlteryxBackupPrerequisite'
        'Test-AlteryxServiceState'
        'Test-BackupIntegrity'
        'Unregister-AlteryxBackupSchedule'
        'Write-BackupSummary'
        'Write-Log'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Alteryx', 'Backup', 'MongoDB', 'Windows')
            ProjectUri = ''
        }
    }
}
