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

    Never throws (CONTRACTS.md section 10): bad input and failed copies come back in
    the result (SuccessCount, FailureCount, DestinationResults[<dest>].Error), the
    message as a warning, and the exit code in $LASTEXITCODE (3 bad input, 4 a
    failed destination).

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER SourcePath
    The local ServerBackup_*.zip archive (CONTRACTS.md section 10). Aliases:
    ArchivePath (the older name), ArchiveFullPath, FullName, so the output of
    Invoke-AlteryxBackup, Compress-BackupArchive and Get-ChildItem can be piped in.

    .PARAMETER Destinations
    The folders (local, UNC or mapped) to copy to, exactly these: no configured
    network path or cloud target is added. Without it (the older form) the configured
    destinations are used.

    .PARAMETER MaxRetries
    Retries per destination after the first attempt (0-100). The contract's default is
    3; when not given, BackupConfiguration.CopyRetryCount (default 3). Alias:
    RetryCount.

    .PARAMETER RetryDelaySec
    Seconds before the first retry (0-3600), doubled after each failure. The
    contract's default is 30; when not given, BackupConfiguration.CopyRetryDelaySeconds
    (default 30). Alias: RetryDelaySeconds.

    .PARAMETER LocalBackupPath
    Local folder that receives the finished archive and its .sha256 sidecar;
    overrides BackupConfiguration.LocalBackupPath.

    .PARAMETER NetworkBackupPath
    One or more UNC paths or mapped drives that receive verified copies of the
    archive; replaces BackupConfiguration.NetworkBackupPaths. Mapped drive letters
    are not visible to a scheduled task running as SYSTEM; prefer UNC paths there.

    .EXAMPLE
    $copy = Copy-BackupToDestinations -SourcePath $archive.ArchiveFullPath -Destinations '\\backup01\alteryx', 'E:\Backups'
    if ($copy.FailureCount -gt 0) { $copy.DestinationResults.GetEnumerator() | Where-Object { -not $_.Value.Success } }

    The contract's form: never throws; lists the destinations that failed.

    .EXAMPLE
    Copy-BackupToDestinations -ArchivePath 'D:\Temp\ServerBackup_Full_20260114_020015.zip'

    Copies the archive to the configured destinations.

    .EXAMPLE
    Get-ChildItem 'D:\Alteryx\Backups\ServerBackup_*.zip' | Select-Object -Last 1 | Copy-BackupToDestinations -NetworkBackupPath '\\backup01\alteryx'

    Copies the newest archive to one network share.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.CopyResult): SourcePath,
    DestinationResults (a hashtable keyed by destination, each Success, Attempts,
    FinalPath, Error), SuccessCount, FailureCount (CONTRACTS.md section 10), plus
    Success and Destinations (one entry per destination with Kind, SHA256Verified and
    DurationSeconds).

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding(DefaultParameterSetName = 'Configured')]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('ArchivePath', 'FullName', 'ArchiveFullPath')]
        [ValidateNotNullOrEmpty()]
        [string]$SourcePath,

        [Parameter(Mandatory = $true, ParameterSetName = 'Contract', Position = 1)]
        [string[]]$Destinations,

        [Alias('RetryCount')]
        [ValidateRange(0, 100)]
        [int]$MaxRetries = 3,

        [Alias('RetryDelaySeconds')]
        [ValidateRange(0, 3600)]
        [int]$RetryDelaySec = 30,

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(ParameterSetName = 'Configured')]
        [ValidateNotNullOrEmpty()]
        [string]$LocalBackupPath,

        [Parameter(ParameterSetName = 'Configured')]
        [ValidateNotNullOrEmpty()]
        [string[]]$NetworkBackupPath
    )

    process {
        $secrets = @{}
        # Seam for cloud copies (issue 6): add a [pscredential] -CloudCredential parameter above and
        # map it here, e.g. $secrets['S3SecretAccessKey'] = $CloudCredential (or AzureStorageKey /
        # AzureSasToken). The bridge converts SecureString and PSCredential values itself.
        $nested = @{ 'DestinationResults.*' = 'DestinationResult' }
        $raw = $null
        try {
            $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -Secrets $secrets -CredentialFileSecret @('AzureStorageKey', 'S3SecretAccessKey')
        }
        catch {
            # Never throws: the failure is in the result (and $LASTEXITCODE).
            $failed = @{}
            foreach ($destination in @($Destinations)) { if ($null -ne $destination) { $failed[$destination] = @{ Success = $false; Attempts = 0; FinalPath = $null; Error = $_.Exception.Message } } }
            $fallback = [ordered]@{ Success = $false; SourcePath = $SourcePath; DestinationResults = $failed; SuccessCount = 0; FailureCount = $failed.Count; Destinations = @(); Error = $_.Exception.Message }
            $raw = Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'CopyResult' -NestedType $nested -NoThrow -Fallback $fallback
            return $raw
        }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'CopyResult' -NestedType $nested -LegacyTypeName 'AlteryxBackup.Copy-BackupToDestinations.Result'
    }
}
