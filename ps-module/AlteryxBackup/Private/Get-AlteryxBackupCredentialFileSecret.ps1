function Get-AlteryxBackupCredentialFileSecret {
    <#
    .SYNOPSIS
    Reads the secrets that the configuration keeps in credential files.

    .DESCRIPTION
    A scheduled task running as SYSTEM cannot type a password, and secrets never
    sit in the JSON configuration. Instead the configuration names a credential
    file written with Export-Clixml by the account that runs the backup; on
    Windows its SecureString is encrypted with DPAPI, so only that account on
    that machine can read it. node cannot decrypt DPAPI, so PowerShell reads the
    file here and the bridge sends the secret on stdin like any other.

    Returns a hashtable: Secrets (name -> SecureString or PSCredential) and
    Parameters (non-secret values such as SmtpUsername). Secrets already given
    by the caller are not read again. A configured file that is missing or
    unreadable is an error (exit code 3), found before node touches anything.

    Does not start node.

    .PARAMETER ConfigPath
    The resolved, absolute configuration file path.

    .PARAMETER SecretName
    The secrets this command may need: MongoPassword, SmtpPassword,
    AzureStorageKey (AzureSasToken when the stored credential's user name is
    'SasToken'), S3SecretAccessKey.

    .PARAMETER Provided
    Names of the secrets the caller already supplied.

    .OUTPUTS
    System.Collections.Hashtable
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [string]$ConfigPath,
        [string[]]$SecretName = @(),
        [string[]]$Provided = @()
    )

    $found = @{ Secrets = @{}; Parameters = @{}; Error = $null }
    if ($SecretName.Count -eq 0 -or -not [System.IO.File]::Exists($ConfigPath)) { return $found }

    # A broken config file is node's to report (CONFIG_INVALID, with every error).
    $config = Read-AlteryxBackupConfigFile -ConfigPath $ConfigPath
    if ($null -eq $config) { return $found }

    $sources = @(
        @{ Secret = 'MongoPassword'; Path = @('MongoDBConfiguration', 'SelfManagedMongoDB', 'CredentialFile') }
        @{ Secret = 'SmtpPassword'; Path = @('NotificationConfiguration', 'CredentialFile') }
        @{ Secret = 'AzureStorageKey'; Path = @('CloudConfiguration', 'AzureBlob', 'CredentialFile') }
        @{ Secret = 'S3SecretAccessKey'; Path = @('CloudConfiguration', 'S3', 'CredentialFile') }
    )
    foreach ($source in $sources) {
        $name = $source.Secret
        if ($SecretName -notcontains $name) { continue }
        if ($Provided -contains $name) { continue }
        if ($name -eq 'AzureStorageKey' -and $Provided -contains 'AzureSasToken') { continue }

        $node = $config
        foreach ($segment in $source.Path) {
            if ($null -eq $node -or $null -eq $node.PSObject.Properties[$segment]) { $node = $null; break }
            $node = $node.$segment
        }
        $file = [string]$node
        if ([string]::IsNullOrWhiteSpace($file)) { continue }
        $setting = $source.Path -join '.'
        if (-not [System.IO.Path]::IsPathRooted($file)) {
            $file = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine([System.IO.Path]::GetDirectoryName($ConfigPath), $file))
        }
        if (-not [System.IO.File]::Exists($file)) {
            $found.Error = @{
                Id      = 'CREDENTIAL_FILE_NOT_FOUND'
                Message = "${setting}: the credential file '$file' does not exist. Create it as the account that runs the backup, e.g. Get-Credential | Export-Clixml -Path '$file'."
                Target  = $file
            }
            return $found
        }
        $stored = $null
        try {
            # A Set-AlteryxBackupSecret file (DPAPI LocalMachine) or an Export-Clixml file.
            if (Test-AlteryxBackupSecretFile -Path $file) { $stored = Read-AlteryxBackupSecretFile -Path $file }
            else { $stored = Import-Clixml -LiteralPath $file -ErrorAction Stop }
        }
        catch {
            $found.Error = @{
                Id      = 'CREDENTIAL_FILE_UNREADABLE'
                Message = "${setting}: the credential file '$file' cannot be read by $([Environment]::UserDomainName)\$([Environment]::UserName) ($($_.Exception.Message)). It must be written with Export-Clixml by the account that runs the backup (SYSTEM for a scheduled task), on this machine."
                Target  = $file
            }
            return $found
        }
        if ($stored -is [System.Management.Automation.PSCredential]) {
            if ($name -eq 'AzureStorageKey' -and $stored.UserName -eq 'SasToken') { $name = 'AzureSasToken' }
            if ($name -eq 'SmtpPassword' -and -not [string]::IsNullOrEmpty($stored.UserName)) { $found.Parameters['SmtpUsername'] = $stored.UserName }
            $found.Secrets[$name] = $stored.Password
        }
        elseif ($stored -is [System.Security.SecureString]) {
            $found.Secrets[$name] = $stored
        }
        else {
            $found.Error = @{
                Id      = 'CREDENTIAL_FILE_INVALID'
                Message = "${setting}: the credential file '$file' must hold a PSCredential or a SecureString (Export-Clixml), never plain text."
                Target  = $file
            }
            return $found
        }
    }
    return $found
}
