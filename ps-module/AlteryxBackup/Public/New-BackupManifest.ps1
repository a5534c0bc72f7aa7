function New-BackupManifest {
    <#
    .SYNOPSIS
    Writes BackupManifest.json describing a staging folder.

    .DESCRIPTION
    Builds the backup manifest of the data model (metadata, system information,
    MongoDB information, every file with its SHA256, controller settings, validation
    results and the encryption-key warning) for the contents of a staging folder,
    and writes it as BackupManifest.json into that folder. No secret is ever written
    to the manifest.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER SourcePath
    Staging folder to describe (the folder that Backup-CriticalFiles, Export-
    ControllerSettings and Invoke-MongoDBBackup filled).

    .PARAMETER BackupMode
    The backup mode to record: Full, DatabaseOnly or ConfigOnly.

    .EXAMPLE
    New-BackupManifest -SourcePath 'D:\Temp\staging' -BackupMode ConfigOnly

    Writes D:\Temp\staging\BackupManifest.json for a ConfigOnly backup.

    .EXAMPLE
    (New-BackupManifest -SourcePath 'D:\Temp\staging' -BackupMode Full).BackedUpFiles | Format-Table RelativePathInArchive, SHA256

    Shows the checksum recorded for each file.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The ManifestObject
    (BackupManifest.json as written), plus the path of the written file.

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

        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$SourcePath,

        [Parameter(Mandatory = $true)]
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode
    )

    process {
        Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath
    }
}
