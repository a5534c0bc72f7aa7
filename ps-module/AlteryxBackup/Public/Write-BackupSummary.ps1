function Write-BackupSummary {
    <#
    .SYNOPSIS
    Builds the summary of a backup run and optionally e-mails it.

    .DESCRIPTION
    Builds the summary object of the data model for a backup archive or a run log:
    status, mode, duration (DurationFormatted such as 42m 18s), sizes, compression
    ratio, destination counts, warnings, errors and the log path. With
    -SendNotification the summary and the last log lines are e-mailed as configured
    in NotificationConfiguration; a failure to send is a warning and never changes
    the exit code.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER ArchivePath
    The archive to summarize (its manifest and sidecar are read). Accepts the
    ArchivePath property from the pipeline, e.g. from Invoke-AlteryxBackup.

    .PARAMETER LogPath
    The run's BackupLog_*.log file, for runs that produced no archive. Accepts the
    LogPath property from the pipeline.

    .PARAMETER SendNotification
    Also send the summary by e-mail through the configured SMTP server.

    .PARAMETER SmtpCredential
    SMTP user name and password for notification e-mail. The user name is sent as
    the SmtpUsername parameter; the password only on stdin. Without it, the
    credential is read from the Export-Clixml file named by
    NotificationConfiguration.CredentialFile, when configured.

    .EXAMPLE
    Write-BackupSummary -ArchivePath 'D:\Alteryx\Backups\ServerBackup_Full_20260114_020015.zip'

    Shows the summary of one backup.

    .EXAMPLE
    Invoke-AlteryxBackup Full | Write-BackupSummary -SendNotification -SmtpCredential (Get-Credential)

    Runs a backup and e-mails its summary.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The SummaryObject: Status,
    ExitCode, BackupMode, ArchivePath, ArchiveSHA256, DurationSeconds,
    DurationFormatted, sizes, destination counts, Warnings, Errors and LogPath.

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

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]$ArchivePath,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string]$LogPath,

        [switch]$SendNotification,

        [System.Management.Automation.PSCredential]$SmtpCredential
    )

    process {
        if (-not $PSBoundParameters.ContainsKey('ArchivePath') -and -not $PSBoundParameters.ContainsKey('LogPath')) {
            $global:LASTEXITCODE = 3
            $exception = New-Object System.ArgumentException 'Write-BackupSummary needs -ArchivePath or -LogPath.'
            $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord $exception, 'PARAMETER_MISSING', ([System.Management.Automation.ErrorCategory]::InvalidArgument), $null))
        }
        $extra = @{}
        $secrets = @{}
        if ($null -ne $SmtpCredential) {
            $extra['SmtpUsername'] = $SmtpCredential.UserName
            $secrets['SmtpPassword'] = $SmtpCredential
        }
        Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -ExtraParameters $extra -Secrets $secrets -CredentialFileSecret @('SmtpPassword')
    }
}
