function New-AlteryxBackupCertificate {
    <#
    .SYNOPSIS
    Creates a self-signed document-encryption certificate for encrypting the secrets in every backup.

    .DESCRIPTION
    Every Full and ConfigOnly archive holds the Alteryx controller token and the
    MongoDB passwords. With SecurityConfiguration.EncryptSecretsTo set to a
    certificate, they are stored encrypted to it (CMS, RFC 5652) and only its
    private key can open them: an archive copied to a share no longer gives the
    server away.

    This command makes such a certificate and writes two files into OutputPath:
      <Name>.cer  the public certificate (DER). Put its path in the configuration's
                  SecurityConfiguration.EncryptSecretsTo. It is not secret.
      <Name>.pfx  the certificate WITH its private key, protected by PfxPassword.
                  Whoever holds it and the password can read the secrets of every
                  backup. Move it OFF the Alteryx server (a password manager, a
                  vault, offline media) and keep the password apart from it; you
                  need both to restore (Restore-AlteryxBackup -DecryptionCertificate).

    On Windows it runs New-SelfSignedCertificate -Type DocumentEncryptionCert
    (RSA, the Microsoft Software Key Storage Provider), exports the .cer with
    Export-Certificate -Type CERT and the .pfx with Export-PfxCertificate, then
    deletes the certificate and its private key from Cert:\CurrentUser\My
    (Remove-Item -DeleteKey) unless KeepPrivateKeyInStore is given. Elsewhere it
    runs openssl (req -x509, then pkcs12 -export); the password reaches openssl on
    its standard input, never on its command line. Existing files are never
    overwritten.

    .PARAMETER OutputPath
    Folder that receives <Name>.cer and <Name>.pfx; created when missing.

    .PARAMETER PfxPassword
    Password that protects the .pfx file (SecureString). Needed again to restore.

    .PARAMETER Name
    Base name of the two files. Default: AlteryxBackupSecrets.

    .PARAMETER Subject
    Subject of the certificate. Default: CN=AlteryxBackup secrets <computer name>.

    .PARAMETER ValidityYears
    Years until the certificate expires (1-30, default 5). A backup refuses an
    expired certificate and warns 30 days before.

    .PARAMETER KeyLength
    RSA key size in bits: 2048, 3072 (default) or 4096.

    .PARAMETER KeepPrivateKeyInStore
    Windows only: leave the certificate and its private key in Cert:\CurrentUser\My
    after exporting the .pfx. By default they are deleted, so that this machine
    keeps only the public .cer.

    .EXAMPLE
    New-AlteryxBackupCertificate -OutputPath C:\AlteryxBackup\config -PfxPassword (Read-Host -AsSecureString 'PFX password')

    Writes C:\AlteryxBackup\config\AlteryxBackupSecrets.cer and .pfx. Put the .cer
    path in SecurityConfiguration.EncryptSecretsTo, then move the .pfx off the server.

    .EXAMPLE
    New-AlteryxBackupCertificate -OutputPath \\admin-pc\c$\keys -Name prod-alteryx -ValidityYears 10 -PfxPassword $pw -WhatIf

    Shows what would be created, and creates nothing.

    .OUTPUTS
    System.Management.Automation.PSCustomObject (AlteryxBackup.BackupCertificate):
    Thumbprint, Subject, NotAfter, CertificatePath, PfxPath, PrivateKeyInStore.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 3 invalid parameters or a file
    that already exists, 1 certificate creation failed.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$OutputPath,

        [Parameter(Mandatory = $true)]
        [System.Security.SecureString]$PfxPassword,

        [ValidatePattern('^[A-Za-z0-9._-]+$')]
        [string]$Name = 'AlteryxBackupSecrets',

        [ValidateNotNullOrEmpty()]
        [string]$Subject,

        [ValidateRange(1, 30)]
        [int]$ValidityYears = 5,

        [ValidateSet(2048, 3072, 4096)]
        [int]$KeyLength = 3072,

        [switch]$KeepPrivateKeyInStore
    )

    begin {
        $fail = {
            param([string]$Message, [string]$ErrorId, [int]$ExitCode, [System.Management.Automation.ErrorCategory]$Category, $Target)
            $global:LASTEXITCODE = $ExitCode
            $exception = New-Object System.InvalidOperationException $Message
            $exception.Data['ExitCode'] = $ExitCode
            $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord $exception, $ErrorId, $Category, $Target))
        }
        if ($PfxPassword.Length -lt 8) {
            & $fail '-PfxPassword: use at least 8 characters; this password and the .pfx together open the secrets of every backup.' 'PARAMETER_INVALID' 3 ([System.Management.Automation.ErrorCategory]::InvalidArgument) 'PfxPassword'
        }
        $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
        if ($KeepPrivateKeyInStore -and -not $onWindows) {
            & $fail '-KeepPrivateKeyInStore applies only on Windows (the certificate store).' 'PARAMETER_CONFLICT' 3 ([System.Management.Automation.ErrorCategory]::InvalidArgument) 'KeepPrivateKeyInStore'
        }
    }

    process {
        $folder = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
        $cerPath = [System.IO.Path]::Combine($folder, "$Name.cer")
        $pfxPath = [System.IO.Path]::Combine($folder, "$Name.pfx")
        foreach ($existing in @($cerPath, $pfxPath)) {
            if ([System.IO.File]::Exists($existing)) {
                & $fail "'$existing' already exists; choose another -Name or -OutputPath (a certificate file is never overwritten)." 'FILE_EXISTS' 3 ([System.Management.Automation.ErrorCategory]::ResourceExists) $existing
            }
        }
        if ([string]::IsNullOrEmpty($Subject)) { $Subject = "CN=AlteryxBackup secrets $([System.Environment]::MachineName)" }
        if ($Subject -notmatch '=') { $Subject = "CN=$Subject" }

        if (-not $PSCmdlet.ShouldProcess($folder, "Create a document-encryption certificate '$Subject' ($Name.cer and the password-protected $Name.pfx)")) { return }
        if (-not [System.IO.Directory]::Exists($folder)) { [void][System.IO.Directory]::CreateDirectory($folder) }

        $inStore = $false
        if ($onWindows) {
            # learn.microsoft.com/powershell/module/pki/new-selfsignedcertificate: -Type DocumentEncryptionCert,
            # default provider Microsoft Software Key Storage Provider; Export-Certificate/Export-PfxCertificate (pki);
            # Remove-Item -DeleteKey (about_Certificate_Provider).
            $params = @{
                Type              = 'DocumentEncryptionCert'
                Subject           = $Subject
                KeyAlgorithm      = 'RSA'
                KeyLength         = $KeyLength
                KeyExportPolicy   = 'Exportable'
                NotAfter          = (Get-Date).AddYears($ValidityYears)
                CertStoreLocation = 'Cert:\CurrentUser\My'
            }
            try {
                $certificate = New-SelfSignedCertificate @params -ErrorAction Stop
                Export-Certificate -Cert $certificate -FilePath $cerPath -Type CERT -ErrorAction Stop | Out-Null
                Export-PfxCertificate -Cert $certificate -FilePath $pfxPath -Password $PfxPassword -ErrorAction Stop | Out-Null
            }
            catch {
                & $fail "Creating the certificate failed: $($_.Exception.Message)" 'CERTIFICATE_CREATE_FAILED' 1 ([System.Management.Automation.ErrorCategory]::NotSpecified) $Subject
            }
            if ($KeepPrivateKeyInStore) { $inStore = $true }
            else { Remove-Item -LiteralPath "Cert:\CurrentUser\My\$($certificate.Thumbprint)" -DeleteKey -ErrorAction Stop }
            $thumbprint = $certificate.Thumbprint
            $notAfter = $certificate.NotAfter
        }
        else {
            $openssl = @(Get-Command -Name 'openssl' -CommandType Application -ErrorAction SilentlyContinue) | Select-Object -First 1
            if ($null -eq $openssl) {
                & $fail 'openssl was not found on PATH; it is needed to create the certificate on this platform.' 'OPENSSL_NOT_FOUND' 1 ([System.Management.Automation.ErrorCategory]::ObjectNotFound) 'openssl'
            }
            $work = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'axb-cert-' + [guid]::NewGuid().ToString('N'))
            [void][System.IO.Directory]::CreateDirectory($work)
            $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($PfxPassword)
            try {
                $plain = [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
                # Runs openssl with the password on stdin (one line per -pass...stdin), never on the command line.
                $runOpenssl = {
                    param([string[]]$Arguments, [int]$PasswordLines)
                    $psi = New-Object System.Diagnostics.ProcessStartInfo
                    $psi.FileName = $openssl.Source
                    $psi.Arguments = ($Arguments | ForEach-Object { '"' + ($_ -replace '"', '\"') + '"' }) -join ' '
                    $psi.UseShellExecute = $false
                    $psi.RedirectStandardInput = $true
                    $psi.RedirectStandardOutput = $true
                    $psi.RedirectStandardError = $true
                    $process = [System.Diagnostics.Process]::Start($psi)
                    $errTask = $process.StandardError.ReadToEndAsync()
                    $outTask = $process.StandardOutput.ReadToEndAsync()
                    if ($PasswordLines -gt 0) {
                        $lines = New-Object System.Collections.Generic.List[string]
                        for ($i = 0; $i -lt $PasswordLines; $i++) { $lines.Add($plain) }
                        $bytes = (New-Object System.Text.UTF8Encoding $false).GetBytes(($lines -join "`n") + "`n")
                        $process.StandardInput.BaseStream.Write($bytes, 0, $bytes.Length)
                    }
                    $process.StandardInput.Close()
                    $process.WaitForExit()
                    [void]$outTask.Result
                    if ($process.ExitCode -ne 0) { throw "openssl $($Arguments[0]) failed (exit $($process.ExitCode)): $($errTask.Result.Trim())" }
                }
                $keyPem = [System.IO.Path]::Combine($work, 'key.pem')
                $certPem = [System.IO.Path]::Combine($work, 'cert.pem')
                $days = [int][Math]::Ceiling(((Get-Date).AddYears($ValidityYears) - (Get-Date)).TotalDays)
                $opensslSubject = '/' + (($Subject -split '\s*,\s*') -join '/')
                & $runOpenssl @('req', '-x509', '-newkey', "rsa:$KeyLength", '-keyout', $keyPem, '-out', $certPem, '-days', "$days", '-subj', $opensslSubject,
                    '-addext', 'keyUsage=critical,keyEncipherment,dataEncipherment', '-addext', 'extendedKeyUsage=1.3.6.1.4.1.311.80.1',
                    '-passout', 'stdin') 1
                & $runOpenssl @('x509', '-in', $certPem, '-outform', 'DER', '-out', $cerPath) 0
                & $runOpenssl @('pkcs12', '-export', '-in', $certPem, '-inkey', $keyPem, '-out', $pfxPath, '-name', $Name, '-passin', 'stdin', '-passout', 'stdin') 2
            }
            catch {
                foreach ($partial in @($cerPath, $pfxPath)) { if ([System.IO.File]::Exists($partial)) { [System.IO.File]::Delete($partial) } }
                & $fail "Creating the certificate failed: $($_.Exception.Message)" 'CERTIFICATE_CREATE_FAILED' 1 ([System.Management.Automation.ErrorCategory]::NotSpecified) $Subject
            }
            finally {
                [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
                $plain = $null
                [System.IO.Directory]::Delete($work, $true)
            }
            $public = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 (, [System.IO.File]::ReadAllBytes($cerPath))
            $thumbprint = $public.Thumbprint
            $notAfter = $public.NotAfter
        }

        $global:LASTEXITCODE = 0
        Write-Warning ("The file '$pfxPath' holds the private key that opens the controller token and MongoDB passwords in every backup. " +
            'Move it OFF this server now (a password manager, a vault or offline media), keep the password somewhere else, and delete it here. ' +
            "Put '$cerPath' (public, not secret) in SecurityConfiguration.EncryptSecretsTo.")
        if ($inStore) {
            Write-Warning "The private key also stays in Cert:\CurrentUser\My\$thumbprint (-KeepPrivateKeyInStore). Remove it from this server once the .pfx is safe: Remove-Item Cert:\CurrentUser\My\$thumbprint -DeleteKey"
        }
        [pscustomobject]@{
            PSTypeName        = 'AlteryxBackup.BackupCertificate'
            Thumbprint        = $thumbprint
            Subject           = $Subject
            NotAfter          = $notAfter
            CertificatePath   = $cerPath
            PfxPath           = $pfxPath
            PrivateKeyInStore = $inStore
        }
    }
}
