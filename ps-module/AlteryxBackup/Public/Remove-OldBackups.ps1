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

    -WhatIf asks the core for the decisions and lists what would be deleted, with
    the reasons, without deleting anything.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER Path
    Folders to clean. Default: the configured LocalBackupPath and
    NetworkBackupPaths.

    .PARAMETER RetentionDays
    Days to keep (1-3650). Applies to every mode, or only to -BackupMode when given.
    Default: BackupConfiguration.RetentionDays per mode (Full 30, DatabaseOnly 14,
    ConfigOnly 30).

    .PARAMETER BackupMode
    Only apply retention to archives of this mode (Full, DatabaseOnly or
    ConfigOnly). Default: every mode, each with its own retention.

    .EXAMPLE
    Remove-OldBackups -WhatIf

    Lists the archives that the configured retention would delete, with the reason
    for each.

    .EXAMPLE
    Remove-OldBackups -Path 'E:\Backups' -BackupMode DatabaseOnly -RetentionDays 7

    Keeps one week of DatabaseOnly archives in E:\Backups.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The CleanupResultObject: each
    considered file with its decision (Keep or Remove), the reason, and whether the
    deletion succeeded.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string[]]$Path,

        [ValidateRange(1, 3650)]
        [int]$RetentionDays,

        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode
    )

    process {
        $secrets = @{}
        # Seam for cloud retention (issue 6): map a future -CloudCredential into $secrets here.
        $fileSecrets = @('AzureStorageKey', 'S3SecretAccessKey')
        $target = 'the configured backup folders'
        if ($PSBoundParameters.ContainsKey('Path')) { $target = $Path -join ', ' }
        if ($PSCmdlet.ShouldProcess($target, 'Remove backups older than the retention period')) {
            Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -Secrets $secrets -CredentialFileSecret $fileSecrets
        }
        elseif ($WhatIfPreference) {
            # -WhatIf: node decides and lists what it would delete, deleting nothing.
            Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -Secrets $secrets -CredentialFileSecret $fileSecrets -WhatIfRequest
        }
    }
}
