function Export-ControllerSettings {
    <#
    .SYNOPSIS
    Exports the controller token, the MongoDB passwords and the service account into a staging folder.

    .DESCRIPTION
    Runs AlteryxService.exe getserversecret (to ControllerToken.txt) and
    getemongopassword (to MongoPasswords.txt, the Admin and Non-Admin lines), and
    records the service Log On account and Run As user without passwords. Optionally
    records the Server version, ODBC drivers and DSNs. The secrets are written only
    to these files, never to the console, the log or the returned object.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER DestinationPath
    Staging folder that receives the Config folder with the exported settings;
    created when missing.

    .EXAMPLE
    Export-ControllerSettings -DestinationPath 'D:\Temp\staging'

    Writes ControllerToken.txt and MongoPasswords.txt under D:\Temp\staging\Config.

    .EXAMPLE
    Export-ControllerSettings 'D:\Temp\staging' -ConfigPath 'C:\AlteryxBackup\config\backup-config.json'

    Exports the settings of the host described by a specific configuration file.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The ControllerSettingsResultObject:
    ControllerTokenExported, MongoPasswordsExported, ServiceAccountUser and the
    written file paths (never the secrets themselves).

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
        [string]$DestinationPath
    )

    process {
        Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath
    }
}
