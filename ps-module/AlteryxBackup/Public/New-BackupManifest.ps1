function New-BackupManifest {
    <#
    .SYNOPSIS
    Writes BackupManifest.json describing a staging folder.

    .DESCRIPTION
    The contract's form (CONTRACTS.md section 8): -BackupConfig (what
    Initialize-BackupEnvironment returned), -BackupResults (a hashtable of the other
    functions' results, e.g. @{ MongoDB = $dump; Files = $files; ControllerSettings =
    $settings; ServiceStop = $stopped; ServiceStart = $started }, keys free: each
    result is recognised by its properties), -StartTime and -EndTime. The staging
    folder is the one the results name; its files are hashed into the manifest. The
    Alteryx Server version is recorded in every mode (from Export-ControllerSettings'
    result, else AlteryxService getversion). Best effort: a missing fact is a
    warning, never an error.

    The older form describes a staging folder given by -SourcePath.

    Builds the backup manifest of the data model (metadata, system information,
    MongoDB information, every file with its SHA256, controller settings, validation
    results and the encryption-key warning) for the contents of a staging folder,
    and writes it as BackupManifest.json into that folder. No secret is ever written
    to the manifest.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: the module's current configuration (the last Initialize-BackupEnvironment),
    else config/backup-config.json of the checkout (<module>/../../config) when it
    exists, else <module>/config/backup-config.json.

    .PARAMETER BackupConfig
    The ConfigurationObject hashtable (Initialize-BackupEnvironment's output).

    .PARAMETER BackupResults
    The results of the functions that filled the staging folder, as a hashtable;
    StagingPath may name the folder explicitly.

    .PARAMETER StartTime
    When the backup started (recorded as BackupTimestamp).

    .PARAMETER EndTime
    When it finished (BackupCompletionTimestamp); not before -StartTime.

    .PARAMETER SourcePath
    The older form: staging folder to describe (the folder that Backup-CriticalFiles, Export-
    ControllerSettings and Invoke-MongoDBBackup filled).

    .PARAMETER BackupMode
    The older form: the backup mode to record: Full, DatabaseOnly or ConfigOnly.

    .EXAMPLE
    $manifest = New-BackupManifest -BackupConfig $config -BackupResults @{ Files = $files; ControllerSettings = $settings } -StartTime $start -EndTime (Get-Date)

    The contract's form, after Initialize-BackupEnvironment, Backup-CriticalFiles and
    Export-ControllerSettings.

    .EXAMPLE
    New-BackupManifest -SourcePath 'D:\Temp\staging' -BackupMode ConfigOnly

    Writes D:\Temp\staging\BackupManifest.json for a ConfigOnly backup.

    .EXAMPLE
    (New-BackupManifest -SourcePath 'D:\Temp\staging' -BackupMode Full).BackedUpFiles | Format-Table RelativePathInArchive, SHA256

    Shows the checksum recorded for each file.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.BackupManifest). The manifest
    of data model section 2.1 (BackupMetadata, SystemInformation with
    AlteryxServerVersion, MongoDBInformation, BackedUpFiles, ControllerSettings,
    ServiceInformation, Warnings, ...); ConvertTo-Json -Depth 10 gives
    BackupManifest.json.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding(DefaultParameterSetName = 'Staging')]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Contract', Position = 0)]
        [AlteryxBackupHashtableTransformation()]
        [hashtable]$BackupConfig,

        [Parameter(Mandatory = $true, ParameterSetName = 'Contract', Position = 1)]
        [AlteryxBackupHashtableTransformation()]
        [hashtable]$BackupResults,

        [Parameter(Mandatory = $true, ParameterSetName = 'Contract')]
        [datetime]$StartTime,

        [Parameter(Mandatory = $true, ParameterSetName = 'Contract')]
        [datetime]$EndTime,

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(Mandatory = $true, ParameterSetName = 'Staging', Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$SourcePath,

        [Parameter(Mandatory = $true, ParameterSetName = 'Staging')]
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode
    )

    process {
        $bound = @{}
        foreach ($key in @($PSBoundParameters.Keys)) { $bound[$key] = ConvertTo-AlteryxBackupRequestValue -Value $PSBoundParameters[$key] }
        # The configuration the BackupConfig came from, unless -ConfigPath says otherwise.
        $configFile = $ConfigPath
        if ([string]::IsNullOrEmpty($configFile) -and $null -ne $BackupConfig -and -not [string]::IsNullOrEmpty([string]$BackupConfig['ConfigPath'])) { $configFile = [string]$BackupConfig['ConfigPath'] }
        $raw = $null
        try { $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $bound -ConfigPath $configFile }
        catch { Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'BackupManifest' }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'BackupManifest' -LegacyTypeName 'AlteryxBackup.New-BackupManifest.Result'
    }
}
