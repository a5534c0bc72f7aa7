function Initialize-BackupEnvironment {
    <#
    .SYNOPSIS
    Loads and validates the backup configuration and checks the prerequisites of a run.

    .DESCRIPTION
    CONTRACTS.md section 1, in the contract's order: checks that the caller is a local
    administrator (on the simulated platform: the host's notAdministrator fault), loads
    the configuration file, merges -ParameterOverrides and then the other parameters,
    validates the mode and every setting (every error at once, each with its dotted
    path), resolves the paths, creates the Temp, Log and LocalBackup folders when
    missing, resolves MongoType (auto -> embedded or self-managed from
    RuntimeSettings.xml), detects the multi-node topology and checks the free space in
    TempDirectory (twice the database for Full and DatabaseOnly). The service is only
    queried, never touched.

    Returns the ConfigurationObject of the data model (section 1.2) as a hashtable
    (read $r.Name or $r['Name']; pass it to New-BackupManifest -BackupConfig) with
    Checklist (the section 5.1 pre-backup checklist, every value measured),
    MultiNodeInfo (section 3.2) and LogFilePath. MongoConfig.Password is a
    SecureString (or $null), never plain text.

    It also makes this configuration the module's current one: later calls without
    -ConfigPath use this file, these overrides, and LogFilePath as Write-Log's default
    log. Errors: not an administrator (exit 3, NOT_ADMINISTRATOR), configuration
    missing or invalid (exit 3), invalid mode (exit 6), a folder that cannot be
    created (exit 4, PATH_NOT_CREATABLE), too little space (exit 3,
    INSUFFICIENT_DISK_SPACE).

    .PARAMETER BackupMode
    Full (MongoDB dump plus files; stops the service), DatabaseOnly (MongoDB dump
    only; stops the service) or ConfigOnly (files and controller settings; never
    touches the service). Default: Full (the contract's default).

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Default (the contract's):
    .\config\backup-config.json in the current folder; when that file does not
    exist, config/backup-config.json of the checkout (<module>/../../config), else
    <module>/config/backup-config.json. A path given explicitly must exist.

    .PARAMETER ParameterOverrides
    Values that override the file, keyed by the ConfigurationObject's names:
    TempDirectory, LocalBackupPath, NetworkBackupPaths, LogDirectory, RetentionDays
    (a number for this mode, or @{ Full = 30; DatabaseOnly = 7; ConfigOnly = 90 }),
    MaxServiceWait, MaxWorkflowWait, ForceStopWorkflows, StopServiceForExternalDB,
    MongoType, MongoConfig (@{ Host; Port; Database; Username; Password as
    SecureString }), IncludeKeys, IncludeConfigFile, IncludeMongoPasswords,
    IncludeMetadata, VerifyArchive, CalculateChecksums, MinimumSizeMB. An unknown key
    is an error. The named parameters below win over these.

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

    .PARAMETER CallerIsAdministrator
    Not for scripts: set by the module itself on Windows from the caller's token.

    .EXAMPLE
    $config = Initialize-BackupEnvironment -BackupMode Full -ConfigPath 'C:\AlteryxBackup\config\backup-config.json'

    Validates the configuration for a Full backup, creates the folders and returns the
    resolved settings; $config.Checklist.OverallStatus says whether every pre-backup
    check passed.

    .EXAMPLE
    Initialize-BackupEnvironment -ParameterOverrides @{ TempDirectory = 'E:\Temp'; RetentionDays = @{ Full = 14 } }

    Overrides two settings for this session only.

    .EXAMPLE
    Initialize-BackupEnvironment -LocalBackupPath 'E:\Backups' -Verbose

    Shows how a parameter override is merged into the default configuration.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.ConfigurationObject, see
    docs/output-types.md). The ConfigurationObject of the data model (BackupMode,
    TempDirectory, LocalBackupPath, NetworkBackupPaths, LogDirectory, LogFilePath,
    RetentionDays, MaxServiceWait, MaxWorkflowWait, ForceStopWorkflows,
    StopServiceForExternalDB, MongoType, MongoConfig, IncludeKeys, IncludeConfigFile,
    IncludeMongoPasswords, IncludeMetadata, VerifyArchive, CalculateChecksums,
    MinimumSizeMB) plus Checklist, MultiNodeInfo, ConfigPath, ServiceName, Warnings.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Position = 0)]
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode = 'Full',

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath = '.\config\backup-config.json',

        [AlteryxBackupHashtableTransformation()]
        [hashtable]$ParameterOverrides = @{},

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
        # The contract's default .\config\backup-config.json applies when it exists; otherwise the module's default.
        $configFile = $ConfigPath
        if (-not $PSBoundParameters.ContainsKey('ConfigPath')) {
            $relative = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ConfigPath)
            if (-not [System.IO.File]::Exists($relative)) { $configFile = '' }
        }

        # Paths in the overrides are resolved here, against the caller's location, like the named parameters.
        $overrides = ConvertTo-AlteryxBackupRequestValue -Value $ParameterOverrides
        foreach ($key in @($overrides.Keys)) {
            if (@('TempDirectory', 'LocalBackupPath', 'LogDirectory', 'NetworkBackupPaths', 'NetworkBackupPath') -notcontains $key) { continue }
            $resolved = foreach ($item in @($overrides[$key])) {
                if ([string]::IsNullOrEmpty([string]$item)) { [string]$item; continue }
                try { $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath([string]$item) } catch { [string]$item }
            }
            if ($key -like 'NetworkBackupPath*') { $overrides[$key] = [string[]]@($resolved) } else { $overrides[$key] = [string]$resolved }
        }

        $secret = $MongoPassword
        $mongoConfig = $ParameterOverrides['MongoConfig']
        if ($null -eq $secret -and $mongoConfig -is [System.Collections.IDictionary] -and $mongoConfig['Password'] -is [System.Security.SecureString]) { $secret = $mongoConfig['Password'] }

        $bound = @{}
        foreach ($key in @($PSBoundParameters.Keys)) { if ($key -ne 'ParameterOverrides' -and $key -ne 'MongoPassword') { $bound[$key] = $PSBoundParameters[$key] } }
        # The contract's default mode (Full) applies unless -ParameterOverrides names one; an explicit -BackupMode wins.
        if ($PSBoundParameters.ContainsKey('BackupMode') -or -not $ParameterOverrides.ContainsKey('BackupMode')) { $bound['BackupMode'] = $BackupMode }
        $extra = @{ ParameterOverrides = $overrides }
        if ((Test-AlteryxBackupWindows)) { $extra['CallerIsAdministrator'] = Test-AlteryxBackupAdministrator }

        # A new Initialize starts a new session: the previous one must not leak its overrides into this call.
        $script:AlteryxBackupSession = $null
        $raw = $null
        try {
            $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $bound -ExtraParameters $extra -ConfigPath $configFile -Secrets @{ MongoPassword = $secret } -CredentialFileSecret @('MongoPassword')
        }
        catch {
            Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'ConfigurationObject'
        }
        $result = ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'ConfigurationObject' -LegacyTypeName 'AlteryxBackup.Initialize-BackupEnvironment.Result' -NestedType @{ Checklist = 'PreBackupChecklist'; MultiNodeInfo = 'MultiNodeInfo'; MongoConfig = 'MongoConfig' }
        if ($null -eq $result) { return }
        if ($result['MongoConfig'] -is [hashtable] -and $result['MongoType'] -eq 'self-managed') { $result['MongoConfig']['Password'] = $secret }

        $sessionOverrides = [ordered]@{}
        foreach ($key in @($overrides.Keys)) { $sessionOverrides[$key] = $overrides[$key] }
        foreach ($pair in @(@('TempDirectory', 'TempDirectory'), @('LocalBackupPath', 'LocalBackupPath'), @('NetworkBackupPath', 'NetworkBackupPaths'), @('LogDirectory', 'LogDirectory'), @('MongoDBType', 'MongoType'), @('MaxServiceWait', 'MaxServiceWait'))) {
            if ($PSBoundParameters.ContainsKey($pair[0])) { $sessionOverrides[$pair[1]] = $result[$pair[1]] }
        }
        if ($PSBoundParameters.ContainsKey('RetentionDays')) { $sessionOverrides['RetentionDays'] = ConvertTo-AlteryxBackupRequestValue -Value $result['RetentionDays'] }
        if ($PSBoundParameters.ContainsKey('StopServiceForExternalDB')) { $sessionOverrides['StopServiceForExternalDB'] = [bool]$StopServiceForExternalDB }
        $script:AlteryxBackupSession = @{
            ConfigPath         = [string]$result['ConfigPath']
            ParameterOverrides = $sessionOverrides
            BackupMode         = [string]$result['BackupMode']
            LogFilePath        = [string]$result['LogFilePath']
            MongoPassword      = $secret
        }
        $result
    }
}
