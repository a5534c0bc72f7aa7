function Get-AlteryxBackupStoreCertificate {
    <#
    .SYNOPSIS
    Reads from Cert:\LocalMachine\My the public certificates that the configuration names by thumbprint.

    .DESCRIPTION
    SecurityConfiguration.EncryptSecretsTo lists certificate files or, on Windows,
    thumbprints of certificates in the machine's Personal store. node cannot read
    the Windows certificate store, so PowerShell looks the thumbprints up here and
    the bridge sends each certificate's public DER (base64) in the request's
    EncryptionCertificates parameter. Only public certificates travel; no private
    key is read. A thumbprint that is not found is simply left out: node reports
    it (exit 3, naming the thumbprint) with every other configuration error.

    Does not start node.

    .PARAMETER ConfigPath
    The resolved, absolute configuration file path.

    .OUTPUTS
    System.Collections.Hashtable: upper-case thumbprint -> base64 DER.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [string]$ConfigPath
    )

    $found = @{}
    if (-not [System.IO.File]::Exists($ConfigPath)) { return $found }
    # A broken config file is node's to report (CONFIG_INVALID, with every error).
    $config = Read-AlteryxBackupConfigFile -ConfigPath $ConfigPath
    if ($null -eq $config -or $null -eq $config.PSObject.Properties['SecurityConfiguration']) { return $found }
    $security = $config.SecurityConfiguration
    if ($null -eq $security -or $null -eq $security.PSObject.Properties['EncryptSecretsTo']) { return $found }

    foreach ($entry in @($security.EncryptSecretsTo)) {
        $thumbprint = ([string]$entry) -replace '[\s:]', ''
        if ($thumbprint -notmatch '^[0-9A-Fa-f]{40}$') { continue }
        $thumbprint = $thumbprint.ToUpperInvariant()
        # The Cert: drive exists on Windows only; elsewhere node explains that a file path is needed.
        if ($null -eq (Get-PSDrive -Name Cert -PSProvider Certificate -ErrorAction SilentlyContinue)) { continue }
        $certificate = Get-Item -LiteralPath "Cert:\LocalMachine\My\$thumbprint" -ErrorAction SilentlyContinue
        if ($null -eq $certificate) { continue }
        $found[$thumbprint] = [System.Convert]::ToBase64String($certificate.RawData)
    }
    return $found
}
