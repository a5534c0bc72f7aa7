function Remove-OldBackups {
    <#
    .SYNOPSIS
    Deletes backup archives older than the retention period, never the newest verified one.

    .DESCRIPTION
    Applies the retention policy to the local backup path and every network path (or
    to -Path). Only files named like our own archives (ServerBackup_Full_*,
    ServerBackup_DB_*, ServerBackup_Config_*) and their .sha256 sidecars are
    considered; every other file is left alone. Ages come from the timestamp in the
    name. The newest verified backup of each mode is never deleted, and a zero or
    negative retention is refused. A failed deletion is a warning and the rest goes
    on.

    Never throws (CONTRACTS.md section 12): a bad policy or path, or a file that
    cannot be deleted, is reported in the result (Success false, Error, Locations)
    and as a warning, with the exit code in $LASTEXITCODE.

    -WhatIf asks the core for the decisions and lists what would be deleted, with
    the reasons, without deleting anything.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: the module's current configuration (the last Initialize-BackupEnvironment),
    else config/backup-config.json of the checkout (<module>/../../config) when it
    exists, else <module>/config/backup-config.json.

    .PARAMETER BackupPath
    The folder to clean (CONTRACTS.md section 12; mandatory in that form with
    -RetentionDays and -BackupMode).

    .PARAMETER Path
    The older form: folders to clean. Default: the configured LocalBackupPath and
    NetworkBackupPaths (and cloud prefixes).

    .PARAMETER RetentionDays
    Days to keep per mode (1-3650), as the contract's hashtable
    @{ Full = 30; DatabaseOnly = 14; ConfigOnly = 30 } (modes left out keep the
    configured value), or a number that applies to -BackupMode. Default:
    BackupConfiguration.RetentionDays.

    .PARAMETER BackupMode
    Only this mode's archives (and their sidecars) are considered (Full,
    DatabaseOnly or ConfigOnly); the others are not even looked at. Mandatory in the
    contract's form; in the older form the default is every mode, each with its own
    retention.

    .EXAMPLE
    Remove-OldBackups -BackupPath 'E:\Backups' -RetentionDays @{ Full = 30; DatabaseOnly = 7; ConfigOnly = 90 } -BackupMode Full

    The contract's form: removes Full archives older than 30 days (never the newest
    verified one) and reports FilesDeleted, SpaceFreedMB and DeletedFiles.

    .EXAMPLE
    Remove-OldBackups -WhatIf

    Lists the archives that the configured retention would delete, with the reason
    for each.

    .EXAMPLE
    Remove-OldBackups -Path 'E:\Backups' -BackupMode DatabaseOnly -RetentionDays 7

    Keeps one week of DatabaseOnly archives in E:\Backups.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.RetentionResult): BackupMode,
    RetentionDays, FilesScanned, FilesDeleted, SpaceFreedMB, DeletedFiles (each
    FileName, SizeMB, Age in days) (CONTRACTS.md section 12), plus Success, Error,
    WhatIf, Locations (per folder: Removed, WouldRemove, Kept, Failed) and Decisions.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Configured')]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Contract', Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$BackupPath,

        [Parameter(Mandatory = $true, ParameterSetName = 'Contract', Position = 1)]
        [Parameter(ParameterSetName = 'Configured')]
        [AlteryxBackupHashtableTransformation()]
        [hashtable]$RetentionDays,

        [Parameter(Mandatory = $true, ParameterSetName = 'Contract', Position = 2)]
        [Parameter(ParameterSetName = 'Configured')]
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode,

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(ParameterSetName = 'Configured', Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string[]]$Path
    )

    process {
        $secrets = @{}
        # Seam for cloud retention (issue 6): map a future -CloudCredential into $secrets here.
        $fileSecrets = @('AzureStorageKey', 'S3SecretAccessKey')
        $target = 'the configured backup folders'
        if ($PSBoundParameters.ContainsKey('Path')) { $target = $Path -join ', ' }
        if ($PSBoundParameters.ContainsKey('BackupPath')) { $target = $BackupPath }
        if ($PSBoundParameters.ContainsKey('BackupMode')) { $target = "$BackupMode archives in $target" }
        $bound = @{}
        foreach ($key in @($PSBoundParameters.Keys)) { $bound[$key] = $PSBoundParameters[$key] }
        if ($bound.ContainsKey('RetentionDays')) { $bound['RetentionDays'] = ConvertTo-AlteryxBackupRequestValue -Value $RetentionDays }
        $whatIfOnly = $false
        if (-not $PSCmdlet.ShouldProcess($target, 'Remove backups older than the retention period')) {
            if (-not $WhatIfPreference) { return }
            # -WhatIf: node decides and lists what it would delete, deleting nothing.
            $whatIfOnly = $true
        }
        $nested = @{ DeletedFiles = 'DeletedFile' }
        $raw = $null
        try {
            $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $bound -ConfigPath $ConfigPath -Secrets $secrets -CredentialFileSecret $fileSecrets -WhatIfRequest:$whatIfOnly
        }
        catch {
            # Never throws: the failure is in the result (and $LASTEXITCODE).
            $fallback = [ordered]@{ Success = $false; BackupMode = $BackupMode; RetentionDays = $null; FilesScanned = 0; FilesDeleted = 0; SpaceFreedMB = 0; DeletedFiles = @(); Locations = @(); Error = $_.Exception.Message }
            return (Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'RetentionResult' -NestedType $nested -NoThrow -Fallback $fallback)
        }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'RetentionResult' -NestedType $nested -LegacyTypeName 'AlteryxBackup.Remove-OldBackups.Result'
    }
}
