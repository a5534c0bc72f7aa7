function Invoke-MongoDBBackup {
    <#
    .SYNOPSIS
    Dumps the Alteryx Server MongoDB and verifies the dump.

    .DESCRIPTION
    Embedded MongoDB is dumped with AlteryxService.exe emongodump=<dir>; self-
    managed MongoDB with mongodump --gzip, the password passed through a temporary
    --config file that only the current user can read. The dump is verified before
    it is reported as good: every database folder is present, every .bson file
    parses as whole BSON documents, and document counts agree with mongoDump.log. A
    failed or partial dump fails with exit code 5.

    This command does not stop the service. The embedded database must be dumped
    with the service stopped: use Stop-AlteryxServiceSafely first, or Invoke-
    AlteryxBackup, which orchestrates the whole run.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER OutputPath
    Folder that receives the dump. Default: a new folder under the configured
    TempDirectory.

    .PARAMETER MongoDBType
    MongoDB deployment type: auto (detect from RuntimeSettings.xml), embedded or
    self-managed; overrides MongoDBConfiguration.Type.

    .PARAMETER MongoPassword
    Password of the self-managed MongoDB user. Sent to the core only on stdin, never
    on a command line, in the environment, a log or the manifest. Without it, the
    password is read from the Export-Clixml credential file named by
    MongoDBConfiguration.SelfManagedMongoDB.CredentialFile, when configured.

    .EXAMPLE
    Stop-AlteryxServiceSafely
    Invoke-MongoDBBackup -OutputPath 'D:\Temp\dump'
    Start-AlteryxServiceSafely

    Dumps the embedded database with the service stopped.

    .EXAMPLE
    Invoke-MongoDBBackup -MongoDBType self-managed -MongoPassword (Read-Host -AsSecureString)

    Dumps a self-managed MongoDB, asking for the password.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The BackupResultObject: dump path,
    deployment type, backup method, size, databases and collection and document
    counts, and the verification result.

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

        [ValidateNotNullOrEmpty()]
        [string]$OutputPath,

        [ValidateSet('auto', 'embedded', 'self-managed')]
        [string]$MongoDBType,

        [System.Security.SecureString]$MongoPassword
    )

    process {
        $secrets = @{ MongoPassword = $MongoPassword }
        Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -Secrets $secrets -CredentialFileSecret @('MongoPassword')
    }
}
