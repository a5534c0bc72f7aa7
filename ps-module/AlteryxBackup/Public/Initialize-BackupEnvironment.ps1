function Initialize-BackupEnvironment {
    <#
    .SYNOPSIS
    Loads and validates the backup configuration and checks the prerequisites of a run.

    .DESCRIPTION
    Reads the configuration file, applies defaults and the given overrides
    (parameters win), validates it (every error at once, each with its dotted path)
    and runs the pre-backup checks: free disk space, privileges, paths, the service
    and the MongoDB type. Nothing is created in any backup folder and the service is
    not touched.

    Returns the merged configuration object of the data model (ConfigurationObject)
    with the pre-backup checklist. A bad configuration fails with exit code 3
    (CONFIG_INVALID); an invalid mode with exit code 6.

    .PARAMETER BackupMode
    Full (MongoDB dump plus files; stops the service), DatabaseOnly (MongoDB dump
    only; stops the service) or ConfigOnly (files and controller settings; never
    touches the service). When omitted, the configuration's
    BackupConfiguration.DefaultBackupMode is used.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER TempDirectory
    Staging folder for this run; overrides BackupConfiguration.TempDirectory. Must
    be an absolute path (relative paths are resolved against the current location).

    .PARAMETER LocalBackupPath
    Local folder that receives the finished archive and its .sha256 sidecar;
    overrides BackupConfiguration.LocalBackupPath.

    .PARAMETER NetworkBackupPath
    One or more UNC paths or mapped drives that receive verified copies of the
    archive; replaces BackupConfiguration.NetworkBackupPaths. Mapped drive letters
    are not visible to a scheduled task running as SYSTEM; prefer UNC paths there.

    .PARAMETER LogDirectory
    Folder for BackupLog_{Mode}_yyyyMMdd_HHmmss.log; overrides
    BackupConfiguration.LogDirectory.

    .PARAMETER MongoDBType
    MongoDB deployment type: auto (detect from RuntimeSettings.xml), embedded or
    self-managed; overrides MongoDBConfiguration.Type.

    .PARAMETER MaxServiceWait
    Seconds to wait for each service state change (1-86400); overrides
    ServiceConfiguration.MaxServiceWaitSeconds (default 7200).

    .PARAMETER RetentionDays
    Days to keep archives of the backup mode (1-3650); overrides
    BackupConfiguration.RetentionDays for that mode. The newest verified backup of a
    mode is never deleted.

    .PARAMETER StopServiceForExternalDB
    Stop AlteryxService while dumping a self-managed MongoDB (overrides
    ServiceConfiguration.StopServiceForExternalDB). Embedded MongoDB always requires
    the stop.

    .PARAMETER MongoPassword
    Password of the self-managed MongoDB user. Sent to the core only on stdin, never
    on a command line, in the environment, a log or the manifest. Without it, the
    password is read from the Export-Clixml credential file named by
    MongoDBConfiguration.SelfManagedMongoDB.CredentialFile, when configured.

    .EXAMPLE
    Initialize-BackupEnvironment -BackupMode Full -ConfigPath 'C:\AlteryxBackup\config\backup-config.json'

    Validates the configuration for a Full backup and returns the resolved settings.

    .EXAMPLE
    Initialize-BackupEnvironment -LocalBackupPath 'E:\Backups' -Verbose

    Shows how a parameter override is merged into the default configuration.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The ConfigurationObject of the data
    model (BackupMode, TempDirectory, LocalBackupPath, NetworkBackupPaths,
    LogDirectory, RetentionDays, MaxServiceWait, MongoType, ...) without any secret.

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
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode,

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [ValidateNotNullOrEmpty()]
        [string]$TempDirectory,

        [ValidateNotNullOrEmpty()]
        [string]$LocalBackupPath,

        [ValidateNotNullOrEmpty()]
        [string[]]$NetworkBackupPath,

        [ValidateNotNullOrEmpty()]
        [string]$LogDirectory,

        [ValidateSet('auto', 'embedded', 'self-managed')]
        [string]$MongoDBType,

        [ValidateRange(1, 86400)]
        [int]$MaxServiceWait,

        [ValidateRange(1, 3650)]
        [int]$RetentionDays,

        [switch]$StopServiceForExternalDB,

        [System.Security.SecureString]$MongoPassword
    )

    process {
        $secrets = @{ MongoPassword = $MongoPassword }
        Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -Secrets $secrets -CredentialFileSecret @('MongoPassword')
    }
}
