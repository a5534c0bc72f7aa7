function Compress-BackupArchive {
    <#
    .SYNOPSIS
    Compresses a staging folder into a verified ServerBackup_*.zip archive.

    .DESCRIPTION
    Writes a ZIP64 archive (no 2 GB or 4 GB limit, unlike Compress-Archive on
    Windows PowerShell 5.1) named ServerBackup_{Full|DB|Config}_yyyyMMdd_HHmmss.zip.
    The archive is written under a temporary name, verified, and only then renamed;
    a half-written archive never carries a final name and an existing file is never
    overwritten. With -CalculateChecksum, its SHA256 is written to a .sha256 sidecar
    file beside it.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER SourcePath
    Staging folder to compress; it should contain BackupManifest.json.

    .PARAMETER DestinationPath
    Folder that receives the archive and its .sha256 sidecar; created when missing.

    .PARAMETER BackupMode
    The backup mode (Full, DatabaseOnly or ConfigOnly), which selects the name
    suffix (Full, DB, Config) and is recorded in the manifest.

    .PARAMETER CompressionLevel
    Optimal (default), Fastest, or NoCompression (stored).

    .PARAMETER CalculateChecksum
    $true (the contract's default): the result has the archive's SHA256 and the
    sidecar file (<archive>.sha256) is written next to it. $false: no SHA256 and no sidecar (the
    archive is still verified entry by entry before it is published; without a sidecar
    Copy-BackupToDestinations warns and retention treats the archive as unverified).

    .EXAMPLE
    Compress-BackupArchive -SourcePath 'D:\Temp\staging' -DestinationPath 'D:\Alteryx\Backups' -BackupMode ConfigOnly -CalculateChecksum $true

    Creates ServerBackup_Config_<timestamp>.zip and its .sha256 sidecar.

    .EXAMPLE
    Compress-BackupArchive 'D:\Temp\staging' 'D:\Alteryx\Backups' -BackupMode Full -CompressionLevel Fastest | Test-BackupIntegrity

    Trades archive size for speed on a large dump, then verifies the new archive.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.ArchiveResult): Success,
    ArchiveFileName, ArchiveFullPath, ArchiveSizeMB, CompressionRatio, SHA256 and
    DurationSeconds (CONTRACTS.md section 9), plus SidecarPath and EntryCount.

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
        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$SourcePath,

        [Parameter(Mandatory = $true, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationPath,

        [Parameter(Mandatory = $true)]
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode,

        [ValidateSet('Optimal', 'Fastest', 'NoCompression')]
        [string]$CompressionLevel = 'Optimal',

        [bool]$CalculateChecksum = $true
    )

    process {
        # CompressionLevel has a default; send it even when it was not typed, so node and the help agree.
        $extra = @{ CompressionLevel = $CompressionLevel; CalculateChecksum = $CalculateChecksum }
        $raw = $null
        try { $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -ExtraParameters $extra }
        catch { Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'ArchiveResult' }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'ArchiveResult' -LegacyTypeName 'AlteryxBackup.Compress-BackupArchive.Result'
    }
}
