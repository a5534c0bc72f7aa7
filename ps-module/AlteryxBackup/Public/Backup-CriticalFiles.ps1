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
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER DestinationPath
    Staging folder that receives the Config folder; created when missing.

    .PARAMETER BackupMode
    The file matrix to apply: Full and ConfigOnly copy the files, DatabaseOnly
    copies none. Default: ConfigOnly.

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
    [CmdletBinding()]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$DestinationPath,

        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode
    )

    process {
        Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath
    }
}
