function Test-BackupIntegrity {
    <#
    .SYNOPSIS
    Verifies a backup archive: it opens, every CRC matches, and every file matches its SHA256 in the manifest.

    .DESCRIPTION
    Opens the archive, checks the CRC of every entry, checks the SHA256 of every
    file against BackupManifest.json, checks the archive against its .sha256 sidecar
    when present, and checks the size against the per-mode minimum
    (ValidationConfiguration.MinimumBackupSizeMB). With -ExpectedMode, the manifest
    must also record that mode.

    Returns the post-backup validation object of the data model with OverallStatus.
    A damaged archive is reported with OverallStatus false and the reasons in
    ValidationErrors.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER ArchivePath
    The ServerBackup_*.zip archive. Accepts pipeline input by property name, so the
    output of Invoke-AlteryxBackup (ArchivePath), Compress-BackupArchive
    (ArchiveFullPath) and Get-ChildItem (FullName) can be piped in.

    .PARAMETER ExpectedMode
    The backup mode the archive must contain (Full, DatabaseOnly or ConfigOnly).

    .EXAMPLE
    Test-BackupIntegrity -ArchivePath 'D:\Alteryx\Backups\ServerBackup_Full_20260114_020015.zip'

    Verifies one archive and returns OverallStatus.

    .EXAMPLE
    Invoke-AlteryxBackup ConfigOnly | Test-BackupIntegrity -ExpectedMode ConfigOnly

    Verifies the archive that a backup just produced (through its ArchivePath
    property).

    .EXAMPLE
    Get-ChildItem 'D:\Alteryx\Backups\*.zip' | Test-BackupIntegrity | Where-Object { -not $_.OverallStatus }

    Lists every archive in a folder that fails verification.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The ValidationResultObject:
    ArchiveValidation, ContentValidation, OverallStatus, ValidationErrors and
    ValidationWarnings.

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

        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName', 'ArchiveFullPath')]
        [ValidateNotNullOrEmpty()]
        [string]$ArchivePath,

        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$ExpectedMode
    )

    process {
        Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath
    }
}
