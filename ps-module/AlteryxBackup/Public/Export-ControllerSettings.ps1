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
    Default: the module's current configuration (the last Initialize-BackupEnvironment),
    else config/backup-config.json of the checkout (<module>/../../config) when it
    exists, else <module>/config/backup-config.json.

    .PARAMETER TempDirectory
    The staging folder (CONTRACTS.md section 7) that receives Config\ControllerToken.txt
    and Config\MongoPasswords.txt; created when missing. Alias: DestinationPath (the
    older name).

    .PARAMETER AlteryxServicePath
    AlteryxService.exe to run. The contract's default is
    C:\Program Files\Alteryx\bin\AlteryxService.exe; when not given, the one under
    AlteryxConfiguration.InstallPath (or the simulated host's) is used. A path given
    must exist.

    .EXAMPLE
    $settings = Export-ControllerSettings -TempDirectory 'D:\Temp\staging'
    $settings.ExportedFiles

    The contract's form: lists the two files written; $settings.ControllerToken is a
    SecureString.

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
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [Alias('DestinationPath')]
        [ValidateNotNullOrEmpty()]
        [string]$TempDirectory,

        [ValidateNotNullOrEmpty()]
        [string]$AlteryxServicePath = 'C:\Program Files\Alteryx\bin\AlteryxService.exe',

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath
    )

    process {
        $raw = $null
        try { $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath }
        catch { Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'ControllerSettingsResult' }
        $result = ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'ControllerSettingsResult' -LegacyTypeName 'AlteryxBackup.Export-ControllerSettings.Result'
        if ($null -eq $result) { return }
        # Our deviation from the contract: the secrets are SecureStrings read from the files node wrote,
        # so they never travel on node's output, and never reach a transcript or a log as text.
        $token = $null
        $passwords = $null
        foreach ($file in @($result['ExportedFiles'])) {
            $name = [System.IO.Path]::GetFileName([string]$file)
            if (-not [System.IO.File]::Exists([string]$file)) { continue }
            if ($name -eq 'ControllerToken.txt') {
                $token = ConvertTo-AlteryxBackupSecureString -Text ([System.IO.File]::ReadAllText([string]$file).Trim())
            }
            elseif ($name -eq 'MongoPasswords.txt') {
                $passwords = @{ Admin = $null; NonAdmin = $null }
                foreach ($line in [System.IO.File]::ReadAllLines([string]$file)) {
                    if ($line -match '^\s*Admin:\s*(.+?)\s*$') { $passwords['Admin'] = ConvertTo-AlteryxBackupSecureString -Text $Matches[1] }
                    elseif ($line -match '^\s*Non-Admin:\s*(.+?)\s*$') { $passwords['NonAdmin'] = ConvertTo-AlteryxBackupSecureString -Text $Matches[1] }
                }
                Add-AlteryxBackupResultType -Table $passwords -TypeName 'MongoPasswords' -Keys @('Admin', 'NonAdmin')
            }
        }
        $result['ControllerToken'] = $token
        $result['MongoPasswords'] = $passwords
        foreach ($key in @('ControllerToken', 'MongoPasswords')) {
            if ($null -eq $result.PSObject.Properties[$key]) { $result.PSObject.Properties.Add((New-Object System.Management.Automation.PSScriptProperty $key, ([scriptblock]::Create("`$this['$key']")))) }
        }
        $result
    }
}
