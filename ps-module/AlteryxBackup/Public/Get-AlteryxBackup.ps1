function Get-AlteryxBackup {
    <#
    .SYNOPSIS
    Lists the backups in the local folder, every network folder and the clouds, one object per backup.

    .DESCRIPTION
    The catalog of backups. It looks in LocalBackupPath, each NetworkBackupPaths entry
    (both the per-host layout <path>\<HOSTNAME>\ServerBackup_* and the older flat
    layout) and each enabled cloud (the prefix and <prefix>/<HOSTNAME>/). Each backup
    appears once, newest first, with Mode, Timestamp, Hostname, SizeBytes, SHA256 (from
    the .sha256 sidecar), Locations (every place a copy exists) and Verified.

    Without -Verify, Verified means every copy has a sidecar and all sidecars agree.
    Copies that disagree are flagged (CopiesAgree false, a warning), never hidden.
    With -Verify, every folder copy is hashed against its sidecar and one copy gets the
    full integrity check (every CRC and SHA256 inside); ArchivePath then points to a
    copy that passed.

    The objects pipe into Test-BackupIntegrity and Restore-AlteryxBackup (by
    ArchivePath).

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Default: config/backup-config.json
    of the checkout when it exists, else <module>/config/backup-config.json.

    .PARAMETER BackupMode
    Only backups of this mode: Full, DatabaseOnly or ConfigOnly.

    .PARAMETER Latest
    Only the newest backup (of -BackupMode, when given).

    .PARAMETER Verify
    Hash every folder copy and run the full integrity check (slower: reads the archives).

    .EXAMPLE
    Get-AlteryxBackup

    Lists every backup with where its copies are.

    .EXAMPLE
    Get-AlteryxBackup -BackupMode Full -Latest -Verify | Restore-AlteryxBackup -WhatIf

    Shows what restoring the newest Full backup would do.

    .EXAMPLE
    Get-AlteryxBackup | Where-Object { -not $_.CopiesAgree }

    Finds backups whose copies differ between destinations.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. FileName, Mode, Timestamp, Hostname,
    SizeBytes, SHA256, ArchivePath, Locations, Verified, CopiesAgree and Warnings.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 3 validation
    failure, 6 invalid backup mode.

    .LINK
    Restore-AlteryxBackup
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode,

        [switch]$Latest,

        [switch]$Verify
    )

    process {
        Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -CredentialFileSecret @('AzureStorageKey', 'S3SecretAccessKey')
    }
}
