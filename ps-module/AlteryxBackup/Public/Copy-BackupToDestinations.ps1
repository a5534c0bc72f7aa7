function Copy-BackupToDestinations {
    <#
    .SYNOPSIS
    Copies an archive to the local and network destinations and verifies every copy.

    .DESCRIPTION
    Copies the archive and its .sha256 sidecar to the local backup path and to every
    network path. Each copy streams into a temporary name at the destination, is
    flushed, re-read and compared by size and SHA256, and only then renamed.
    Transient failures are retried (3 times, 30 s apart by default); disk full and
    access denied are not. One destination failing does not stop the others; any
    failed destination gives exit code 4 after all others are done. The source
    archive is never removed.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER ArchivePath
    The ServerBackup_*.zip archive. Accepts pipeline input by property name, so the
    output of Invoke-AlteryxBackup (ArchivePath), Compress-BackupArchive
    (ArchiveFullPath) and Get-ChildItem (FullName) can be piped in.

    .PARAMETER LocalBackupPath
    Local folder that receives the finished archive and its .sha256 sidecar;
    overrides BackupConfiguration.LocalBackupPath.

    .PARAMETER NetworkBackupPath
    One or more UNC paths or mapped drives that receive verified copies of the
    archive; replaces BackupConfiguration.NetworkBackupPaths. Mapped drive letters
    are not visible to a scheduled task running as SYSTEM; prefer UNC paths there.

    .PARAMETER RetryCount
    Retries per destination after the first attempt (0-100); overrides
    BackupConfiguration.CopyRetryCount (default 3).

    .PARAMETER RetryDelaySeconds
    Seconds between attempts (0-3600); overrides
    BackupConfiguration.CopyRetryDelaySeconds (default 30).

    .EXAMPLE
    Copy-BackupToDestinations -ArchivePath 'D:\Temp\ServerBackup_Full_20260114_020015.zip'

    Copies the archive to the configured destinations.

    .EXAMPLE
    Get-ChildItem 'D:\Alteryx\Backups\ServerBackup_*.zip' | Select-Object -Last 1 | Copy-BackupToDestinations -NetworkBackupPath '\\backup01\alteryx'

    Copies the newest archive to one network share.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The DistributionResultObject: one
    entry per destination with Destination, Success, Attempts and FinalPath or
    Error.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName', 'ArchiveFullPath')]
        [ValidateNotNullOrEmpty()]
        [string]$ArchivePath,

        [ValidateNotNullOrEmpty()]
        [string]$LocalBackupPath,

        [ValidateNotNullOrEmpty()]
        [string[]]$NetworkBackupPath,

        [ValidateRange(0, 100)]
        [int]$RetryCount,

        [ValidateRange(0, 3600)]
        [int]$RetryDelaySeconds
    )

    process {
        $secrets = @{}
        # Seam for cloud copies (issue 6): add a [pscredential] -CloudCredential parameter above and
        # map it here, e.g. $secrets['S3SecretAccessKey'] = $CloudCredential (or AzureStorageKey /
        # AzureSasToken). The bridge converts SecureString and PSCredential values itself.
        Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -Secrets $secrets -CredentialFileSecret @('AzureStorageKey', 'S3SecretAccessKey')
    }
}
