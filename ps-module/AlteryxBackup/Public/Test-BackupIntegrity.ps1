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

    Returns the post-backup validation object of the data model (section 5.2) with
    OverallStatus. Never throws (CONTRACTS.md section 11): a damaged or missing
    archive, or bad input, is reported with OverallStatus false, the reasons in
    ValidationErrors, the first one as a warning, and the exit code in $LASTEXITCODE
    (4 for an archive that fails, 3 for bad input). Without a .sha256 sidecar the CRC
    and manifest SHA256 checks still run and decide the result (with a warning).

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

    .PARAMETER MinimumSizeMB
    The smallest acceptable archive, in MB (CONTRACTS.md section 11; mandatory in
    that form). Without it (the older form) the configured per-mode minimum of the
    archive's mode applies.

    .PARAMETER ExpectedChecksum
    The SHA256 the archive must have (64 hexadecimal digits), e.g. Compress-BackupArchive's
    SHA256. Default $null: not compared.

    .EXAMPLE
    Test-BackupIntegrity -ArchivePath $archive.ArchiveFullPath -MinimumSizeMB 1 -ExpectedChecksum $archive.SHA256

    The contract's form: also checks the size and the archive's SHA256.

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
    System.Collections.Hashtable (type name AlteryxBackup.ValidationResult). The
    ValidationResultObject of data model section 5.2: ArchiveValidation,
    ContentValidation, DistributionValidation and ServiceValidation (not measured
    here: $null), OverallStatus, ValidationErrors and ValidationWarnings.

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
        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName', 'ArchiveFullPath')]
        [ValidateNotNullOrEmpty()]
        [string]$ArchivePath,

        [Parameter(Mandatory = $true, ParameterSetName = 'Contract', Position = 1)]
        [double]$MinimumSizeMB,

        [string]$ExpectedChecksum = $null,

        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$ExpectedMode
    )

    process {
        $raw = $null
        try {
            $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath
        }
        catch {
            # Never throws: the failure is in the result (and $LASTEXITCODE).
            $fallback = [ordered]@{
                ArchivePath        = $ArchivePath
                ArchiveValidation  = [ordered]@{ ArchiveExists = $false; ArchiveSizeMB = 0; MeetsMinimumSize = $null; IntegrityVerified = $false; ChecksumGenerated = $false; ChecksumValue = $null }
                ContentValidation  = [ordered]@{ ManifestIncluded = $false; ExpectedFilesPresent = $false; MissingFiles = @() }
                OverallStatus      = $false
                ValidationErrors   = @($_.Exception.Message)
                ValidationWarnings = @()
            }
            return (Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'ValidationResult' -NoThrow -Fallback $fallback)
        }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'ValidationResult' -LegacyTypeName 'AlteryxBackup.Test-BackupIntegrity.Result'
    }
}
