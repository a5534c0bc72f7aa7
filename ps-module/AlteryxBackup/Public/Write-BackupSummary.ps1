function Write-BackupSummary {
    <#
    .SYNOPSIS
    Builds the summary of a backup run and optionally e-mails it.

    .DESCRIPTION
    The contract's form (CONTRACTS.md section 13): -BackupState, a BackupExecutionState
    hashtable (data model section 3.3, e.g. Invoke-AlteryxBackup's .BackupState or one
    a script keeps itself), and -LogPath. Reports the state's Status and ExitCode
    (never guessed: a state without ExitCode is refused), sizes in GB, destination and
    warning/error counts, and appends the summary to the log.

    The older form builds the summary object of the data model for a backup archive or a run log:
    status, mode, duration (DurationFormatted such as 42m 18s), sizes, compression
    ratio, destination counts, warnings, errors and the log path. With
    -SendNotification the summary and the last log lines are e-mailed as configured
    in NotificationConfiguration; a failure to send is a warning and never changes
    the exit code.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: the module's current configuration (the last Initialize-BackupEnvironment),
    else config/backup-config.json of the checkout (<module>/../../config) when it
    exists, else <module>/config/backup-config.json.

    .PARAMETER BackupState
    The BackupExecutionState hashtable: BackupMode, StartTime, ExitCode (0-6) required;
    EndTime, DurationSeconds, Status, FilesBackedUp, TotalSizeBytes, Errors, Warnings,
    and our additions ArchivePath, ArchiveSizeBytes, CompressionRatio,
    DestinationsCopied, DestinationsFailed (or DestinationResults) optional.

    .PARAMETER ArchivePath
    The archive to summarize (its manifest and sidecar are read). Accepts the
    ArchivePath property from the pipeline, e.g. from Invoke-AlteryxBackup.

    .PARAMETER LogPath
    With -BackupState: the log the summary is appended to (mandatory). In the older
    form: the run's BackupLog_*.log file, for runs that produced no archive; without
    an archive the status and exit code are reported as Unknown/$null, never guessed
    from the log. Accepts the LogPath property from the pipeline.

    .PARAMETER SendNotification
    Also send the summary by e-mail through the configured SMTP server.

    .PARAMETER SmtpCredential
    SMTP user name and password for notification e-mail. The user name is sent as
    the SmtpUsername parameter; the password only on stdin. Without it, the
    credential is read from the Export-Clixml file named by
    NotificationConfiguration.CredentialFile, when configured.

    .EXAMPLE
    $run = Invoke-AlteryxBackup Full
    Write-BackupSummary -BackupState $run.BackupState -LogPath $run.LogPath

    The contract's form: summarizes a run from its execution state.

    .EXAMPLE
    Write-BackupSummary -ArchivePath 'D:\Alteryx\Backups\ServerBackup_Full_20260114_020015.zip'

    Shows the summary of one backup.

    .EXAMPLE
    Invoke-AlteryxBackup Full | Write-BackupSummary -SendNotification -SmtpCredential (Get-Credential)

    Runs a backup and e-mails its summary.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.BackupSummary). With
    -BackupState: BackupMode, Status, ExitCode, StartTime, EndTime, DurationSeconds,
    DurationFormatted, FilesBackedUp, TotalSizeGB, ArchiveSizeGB, CompressionRatio,
    DestinationsCopied, DestinationsFailed, Warnings and Errors (counts), LogFile.
    Otherwise the SummaryObject: Status, ExitCode, BackupMode, ArchivePath,
    DurationFormatted, sizes, destination counts, Warnings, Errors, LogPath.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding(DefaultParameterSetName = 'Archive')]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'State', Position = 0)]
        [AlteryxBackupHashtableTransformation()]
        [hashtable]$BackupState,

        [Parameter(Mandatory = $true, ParameterSetName = 'State', Position = 1)]
        [Parameter(ParameterSetName = 'Archive', ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath,

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(ParameterSetName = 'Archive', Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]$ArchivePath,

        [Parameter(ParameterSetName = 'Archive')]
        [switch]$SendNotification,

        [Parameter(ParameterSetName = 'Archive')]
        [System.Management.Automation.PSCredential]$SmtpCredential
    )

    process {
        if ($PSCmdlet.ParameterSetName -eq 'Archive' -and -not $PSBoundParameters.ContainsKey('ArchivePath') -and -not $PSBoundParameters.ContainsKey('LogPath')) {
            $global:LASTEXITCODE = 3
            $exception = New-Object System.ArgumentException 'Write-BackupSummary needs -BackupState and -LogPath, or -ArchivePath or -LogPath.'
            $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord $exception, 'PARAMETER_MISSING', ([System.Management.Automation.ErrorCategory]::InvalidArgument), $null))
        }
        $extra = @{}
        $secrets = @{}
        if ($null -ne $SmtpCredential) {
            $extra['SmtpUsername'] = $SmtpCredential.UserName
            $secrets['SmtpPassword'] = $SmtpCredential
        }
        $bound = @{}
        foreach ($key in @($PSBoundParameters.Keys)) { $bound[$key] = $PSBoundParameters[$key] }
        if ($bound.ContainsKey('BackupState')) { $bound['BackupState'] = ConvertTo-AlteryxBackupRequestValue -Value $BackupState }
        $fileSecrets = @('SmtpPassword')
        if ($PSCmdlet.ParameterSetName -eq 'State') { $fileSecrets = @() }
        $raw = $null
        try { $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $bound -ConfigPath $ConfigPath -ExtraParameters $extra -Secrets $secrets -CredentialFileSecret $fileSecrets }
        catch { Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'BackupSummary' }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'BackupSummary' -LegacyTypeName 'AlteryxBackup.Write-BackupSummary.Result'
    }
}
