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
    Default: the module's current configuration (the last Initialize-BackupEnvironment),
    else config/backup-config.json of the checkout (<module>/../../config) when it
    exists, else <module>/config/backup-config.json.

    .PARAMETER MongoType
    embedded or self-managed (CONTRACTS.md section 5; mandatory in that form, with
    -BackupPath). Overrides MongoDBConfiguration.Type.

    .PARAMETER BackupPath
    The folder the dump goes INTO (the database folders are written directly in it).
    It must be new or empty; on failure it is removed again, so nothing half-written
    is left.

    .PARAMETER MongoConfig
    Self-managed connection settings: @{ Host; Port; Database; Username; Password }
    (Password a SecureString). Default @{}: the configuration's SelfManagedMongoDB.

    .PARAMETER OutputPath
    The older form: folder that receives the dump in its MongoDB subfolder. Default: a
    new folder under the configured TempDirectory.

    .PARAMETER MongoDBType
    The older form of -MongoType, which also takes auto (detect from
    RuntimeSettings.xml).

    .PARAMETER MongoPassword
    Password of the self-managed MongoDB user. Sent to the core only on stdin, never
    on a command line, in the environment, a log or the manifest. Without it, the
    password is read from the Export-Clixml credential file named by
    MongoDBConfiguration.SelfManagedMongoDB.CredentialFile, when configured.

    .EXAMPLE
    Invoke-MongoDBBackup -MongoType embedded -BackupPath 'D:\Temp\staging\MongoDB'

    The contract's form: the dump goes into D:\Temp\staging\MongoDB (the service must be
    stopped for embedded MongoDB).

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
    [CmdletBinding(DefaultParameterSetName = 'Configured')]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Contract', Position = 0)]
        [ValidateSet('embedded', 'self-managed')]
        [string]$MongoType,

        [Parameter(Mandatory = $true, ParameterSetName = 'Contract', Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string]$BackupPath,

        [Parameter(ParameterSetName = 'Contract')]
        [AlteryxBackupHashtableTransformation()]
        [hashtable]$MongoConfig = @{},

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(ParameterSetName = 'Configured')]
        [ValidateNotNullOrEmpty()]
        [string]$OutputPath,

        [Parameter(ParameterSetName = 'Configured')]
        [ValidateSet('auto', 'embedded', 'self-managed')]
        [string]$MongoDBType,

        [System.Security.SecureString]$MongoPassword
    )

    process {
        $secret = $MongoPassword
        if ($null -eq $secret -and $MongoConfig['Password'] -is [System.Security.SecureString]) { $secret = $MongoConfig['Password'] }
        if ($null -eq $secret -and $null -ne $script:AlteryxBackupSession) { $secret = $script:AlteryxBackupSession.MongoPassword }
        $bound = @{}
        foreach ($key in @($PSBoundParameters.Keys)) { if ($key -ne 'MongoPassword') { $bound[$key] = $PSBoundParameters[$key] } }
        if ($bound.ContainsKey('MongoConfig')) { $bound['MongoConfig'] = ConvertTo-AlteryxBackupRequestValue -Value $MongoConfig }
        $raw = $null
        try { $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $bound -ConfigPath $ConfigPath -Secrets @{ MongoPassword = $secret } -CredentialFileSecret @('MongoPassword') }
        catch { Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'MongoDBBackupResult' }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'MongoDBBackupResult' -LegacyTypeName 'AlteryxBackup.Invoke-MongoDBBackup.Result'
    }
}
