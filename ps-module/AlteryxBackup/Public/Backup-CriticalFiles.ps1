function Backup-CriticalFiles {
    <#
    .SYNOPSIS
    Copies the Alteryx configuration files and the Keys folder into a staging folder.

    .DESCRIPTION
    Copies RuntimeSettings.xml (required), the whole Keys folder (required when
    present; a loud warning when missing), Engine\SystemAlias.xml and
    Engine\SystemConnections.xml (optional) and alteryx.config (only when it was
    modified after installation) into <DestinationPath>\Config, with a SHA256 for
    every file. DatabaseOnly copies no files. The service is not touched.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: the module's current configuration (the last Initialize-BackupEnvironment),
    else config/backup-config.json of the checkout (<module>/../../config) when it
    exists, else <module>/config/backup-config.json.

    .PARAMETER TempDirectory
    The staging folder (CONTRACTS.md section 6); each file goes to its DestinationPath
    under it. Created when missing. Alias: DestinationPath (the older name).

    .PARAMETER FilesRegistry
    The critical files registry of data model section 4.1: sections of entries
    @{ SourcePath; DestinationPath (relative to -TempDirectory); Required; Type
    (File or Directory); Condition (CheckIfModified); Description }. AllModes (and any
    other section) is copied; ControllerSettings and MongoDB are left to
    Export-ControllerSettings and Invoke-MongoDBBackup. A missing required file is an
    error before anything is copied (REQUIRED_FILE_MISSING, exit 3); a missing
    optional one is skipped and reported. Without -FilesRegistry the configuration's
    file matrix for -BackupMode is used.

    .PARAMETER CalculateChecksums
    $true (the default): each BackedUpFiles entry has its SHA256. $false: SHA256 is
    $null in the result (the copies are still verified while they are written).

    .PARAMETER BackupMode
    The file matrix to apply: Full and ConfigOnly copy the files, DatabaseOnly
    copies none. Default: ConfigOnly.

    .EXAMPLE
    Backup-CriticalFiles -TempDirectory 'D:\Temp\staging' -FilesRegistry @{ AllModes = @(@{ SourcePath = 'C:\ProgramData\Alteryx\RuntimeSettings.xml'; DestinationPath = 'Config\RuntimeSettings.xml'; Required = $true }) }

    The contract's form: copies the registry's files and returns BackedUpFiles.

    .EXAMPLE
    Backup-CriticalFiles -DestinationPath 'D:\Temp\staging'

    Copies the critical files into D:\Temp\staging\Config.

    .EXAMPLE
    Backup-CriticalFiles 'D:\Temp\staging' -BackupMode ConfigOnly -ConfigPath 'C:\AlteryxBackup\config\backup-config.json' | Select-Object -ExpandProperty Files

    Lists each copied file with its size and SHA256.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The FileBackupResultObject: the
    staging path, each file with source, relative path in the archive, size, last
    write time and SHA256, and any warnings.

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
        [Parameter(Mandatory = $true, Position = 0)]
        [Alias('DestinationPath')]
        [ValidateNotNullOrEmpty()]
        [string]$TempDirectory,

        [Parameter(Mandatory = $true, ParameterSetName = 'Contract', Position = 1)]
        [AlteryxBackupHashtableTransformation()]
        [hashtable]$FilesRegistry,

        [bool]$CalculateChecksums = $true,

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(ParameterSetName = 'Configured')]
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode
    )

    process {
        $bound = @{}
        foreach ($key in @($PSBoundParameters.Keys)) { $bound[$key] = $PSBoundParameters[$key] }
        if ($bound.ContainsKey('FilesRegistry')) { $bound['FilesRegistry'] = ConvertTo-AlteryxBackupRequestValue -Value $FilesRegistry }
        $nested = @{ BackedUpFiles = 'BackedUpFile' }
        $raw = $null
        try { $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $bound -ConfigPath $ConfigPath }
        catch { Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'CriticalFilesResult' -NestedType $nested }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'CriticalFilesResult' -NestedType $nested -LegacyTypeName 'AlteryxBackup.Backup-CriticalFiles.Result'
    }
}
