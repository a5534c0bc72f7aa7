function Get-AlteryxBackupArchiveToken {
    <#
    .SYNOPSIS
    Opens the CMS-encrypted controller token of an archive with a certificate's private key.

    .DESCRIPTION
    For Restore-AlteryxBackup -DecryptionCertificate. When the backup had
    SecurityConfiguration.EncryptSecretsTo, the archive holds
    Config/ControllerToken.txt.p7m (CMS EnvelopedData, docs/secrets-encryption.md)
    instead of the plain token. node cannot use a key in the Windows certificate
    store, so PowerShell decrypts it here with .NET's EnvelopedCms, the same class
    Unprotect-CmsMessage uses, and the bridge sends the token to node on stdin
    (secret ArchiveControllerToken). No private key is exported.

    DecryptionCertificate is either a thumbprint (the certificate and its private
    key in Cert:\CurrentUser\My or Cert:\LocalMachine\My) or the path of a .pfx
    file (with PfxPassword). Nothing on the host is touched here: every failure is
    returned as an exit-3 error naming the certificates that would work.

    Does not start node.

    .PARAMETER ArchivePath
    The archive (absolute path).

    .PARAMETER DecryptionCertificate
    A certificate thumbprint, or the path of a .pfx/.p12 file.

    .PARAMETER PfxPassword
    The .pfx password.

    .OUTPUTS
    System.Collections.Hashtable: Token (SecureString, or $null when the archive's
    token is not encrypted), Thumbprint (of the certificate used), Error ($null, or
    Id, Message, Target).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)] [string]$ArchivePath,
        [Parameter(Mandatory = $true)] [string]$DecryptionCertificate,
        [System.Security.SecureString]$PfxPassword
    )

    $result = @{ Token = $null; Thumbprint = $null; Error = $null }
    $entryName = 'Config/ControllerToken.txt.p7m'
    foreach ($assembly in @('System.IO.Compression', 'System.IO.Compression.FileSystem', 'System.Security')) {
        try { Add-Type -AssemblyName $assembly -ErrorAction Stop } catch { Write-Verbose "Add-Type ${assembly}: $($_.Exception.Message)" }
    }

    # --- The encrypted entry and the manifest's list of certificates that can open it ----------
    $message = $null
    $whoCan = 'the certificate(s) in SecurityConfiguration.EncryptSecretsTo at backup time'
    $zip = $null
    try {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($ArchivePath)
        $entry = $zip.GetEntry($entryName)
        if ($null -eq $entry) { return $result }
        $reader = New-Object System.IO.StreamReader ($entry.Open())
        try { $message = $reader.ReadToEnd() } finally { $reader.Dispose() }
        $manifestEntry = $zip.GetEntry('BackupManifest.json')
        if ($null -ne $manifestEntry) {
            $manifestReader = New-Object System.IO.StreamReader ($manifestEntry.Open())
            try { $manifest = ConvertFrom-Json -InputObject $manifestReader.ReadToEnd() } catch { $manifest = $null } finally { $manifestReader.Dispose() }
            if ($null -ne $manifest -and $null -ne $manifest.PSObject.Properties['SecretsEncryption'] -and $null -ne $manifest.SecretsEncryption) {
                $named = @(@($manifest.SecretsEncryption.Recipients) | Where-Object { $null -ne $_ -and $_.Thumbprint } | ForEach-Object { "$($_.Subject) (thumbprint $($_.Thumbprint))" })
                if ($named.Count -gt 0) { $whoCan = $named -join ', ' }
            }
        }
    }
    catch {
        # An unreadable archive is node's to report, with its storage error code.
        Write-Verbose "Get-AlteryxBackupArchiveToken: $($_.Exception.Message)"
        return $result
    }
    finally { if ($null -ne $zip) { $zip.Dispose() } }

    # --- The certificate with its private key ------------------------------------------------------
    $certificate = $null
    $thumbprint = ($DecryptionCertificate -replace '[\s:]', '').ToUpperInvariant()
    if ($thumbprint -match '^[0-9A-F]{40}$' -and -not [System.IO.File]::Exists($DecryptionCertificate)) {
        if ($null -ne (Get-PSDrive -Name Cert -PSProvider Certificate -ErrorAction SilentlyContinue)) {
            foreach ($store in @('Cert:\CurrentUser\My', 'Cert:\LocalMachine\My')) {
                $candidate = Get-Item -LiteralPath "$store\$thumbprint" -ErrorAction SilentlyContinue
                if ($null -ne $candidate -and $candidate.HasPrivateKey) { $certificate = $candidate; break }
            }
        }
        if ($null -eq $certificate) {
            $result.Error = @{ Id = 'DECRYPTION_CERTIFICATE_NOT_FOUND'; Target = $thumbprint
                Message = "-DecryptionCertificate: no certificate with thumbprint $thumbprint and its private key is in Cert:\CurrentUser\My or Cert:\LocalMachine\My. The archive's secrets are encrypted to $whoCan; import that certificate's .pfx or give its path. Nothing was changed." }
            return $result
        }
    }
    else {
        if (-not [System.IO.File]::Exists($DecryptionCertificate)) {
            $result.Error = @{ Id = 'DECRYPTION_CERTIFICATE_NOT_FOUND'; Target = $DecryptionCertificate
                Message = "-DecryptionCertificate: '$DecryptionCertificate' is neither a certificate thumbprint nor an existing .pfx file. The archive's secrets are encrypted to $whoCan. Nothing was changed." }
            return $result
        }
        try {
            if ($null -ne $PfxPassword) { $certificate = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 $DecryptionCertificate, $PfxPassword }
            else { $certificate = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 (, $DecryptionCertificate) }
        }
        catch {
            $result.Error = @{ Id = 'PFX_UNREADABLE'; Target = $DecryptionCertificate
                Message = "-DecryptionCertificate: '$DecryptionCertificate' cannot be opened ($($_.Exception.Message.Trim())); check -PfxPassword. Nothing was changed." }
            return $result
        }
        if (-not $certificate.HasPrivateKey) {
            $result.Error = @{ Id = 'DECRYPTION_CERTIFICATE_NO_KEY'; Target = $DecryptionCertificate
                Message = "-DecryptionCertificate: '$DecryptionCertificate' holds no private key; give the .pfx made with the certificate (New-AlteryxBackupCertificate writes one). Nothing was changed." }
            return $result
        }
    }

    # --- Decrypt (EnvelopedCms, as Unprotect-CmsMessage does) --------------------------------------
    $content = $null
    try {
        $match = [regex]::Match($message, '-----BEGIN CMS-----(.*?)-----END CMS-----', [System.Text.RegularExpressions.RegexOptions]::Singleline)
        $bytes = [System.Convert]::FromBase64String(($match.Groups[1].Value -replace '\s', ''))
        $cms = New-Object System.Security.Cryptography.Pkcs.EnvelopedCms
        $cms.Decode($bytes)
        $collection = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2Collection
        [void]$collection.Add($certificate)
        $cms.Decrypt($collection)
        $content = $cms.ContentInfo.Content
    }
    catch {
        $result.Error = @{ Id = 'DECRYPTION_KEY_MISMATCH'; Target = $certificate.Thumbprint
            Message = "The certificate $($certificate.Subject) (thumbprint $($certificate.Thumbprint)) does not open $entryName ($($_.Exception.Message.Trim())). It is encrypted to $whoCan; use the private key of one of those. Nothing was changed." }
        return $result
    }
    $token = New-Object System.Security.SecureString
    $text = [System.Text.Encoding]::UTF8.GetString($content).Trim()
    foreach ($c in $text.ToCharArray()) { $token.AppendChar($c) }
    $token.MakeReadOnly()
    [System.Array]::Clear($content, 0, $content.Length)
    $text = $null
    $result.Token = $token
    $result.Thumbprint = $certificate.Thumbprint
    return $result
}
