# Issue 15: New-AlteryxBackupCertificate (the OpenSSL path, as this is Linux), and the whole story
# through the module: make a certificate, back up a simulated host with EncryptSecretsTo set to
# it, then open the archive's .p7m with PowerShell's own Unprotect-CmsMessage (PowerShell 7.1+ has
# it on Linux too, on .NET's managed EnvelopedCms) and the .pfx.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $coreMain = Join-Path $RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'cli' 'main.js')))
    $simCli = Join-Path $RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'sim' 'sim-cli.js')))
    $e2eReady = (Test-Path -LiteralPath $coreMain) -and (Test-Path -LiteralPath $simCli)
    $hasOpenssl = $null -ne (Get-Command openssl -CommandType Application -ErrorAction SilentlyContinue)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $simCli = Join-Path $RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'sim' 'sim-cli.js')))
    $savedCore = $env:ALTERYXBACKUP_CORE
    Remove-Item Env:ALTERYXBACKUP_CORE -ErrorAction SilentlyContinue
    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
    $password = ConvertTo-SecureString 'correct horse battery' -AsPlainText -Force
    Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem
    $simHosts = New-Object System.Collections.Generic.List[string]
}

AfterAll {
    foreach ($dir in $simHosts) { $null = & node $simCli destroy $dir 2>&1 }
    if ($null -ne $savedCore) { $env:ALTERYXBACKUP_CORE = $savedCore }
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'New-AlteryxBackupCertificate (OpenSSL)' -Skip:(-not $hasOpenssl) {
    BeforeAll {
        $out = Join-Path $TestDrive 'keys'
        $result = New-AlteryxBackupCertificate -OutputPath $out -PfxPassword $password -Name 'prod' -ValidityYears 2 -WarningVariable certWarnings -WarningAction SilentlyContinue
    }

    It 'writes a public DER .cer and a password-protected .pfx, and returns their paths and thumbprint' {
        $LASTEXITCODE | Should -Be 0
        $result.PSObject.TypeNames[0] | Should -Be 'AlteryxBackup.BackupCertificate'
        $result.CertificatePath | Should -Be (Join-Path $out 'prod.cer')
        $result.PfxPath | Should -Be (Join-Path $out 'prod.pfx')
        [System.IO.File]::ReadAllBytes($result.CertificatePath)[0] | Should -Be 0x30
        $public = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 (, [System.IO.File]::ReadAllBytes($result.CertificatePath))
        $public.HasPrivateKey | Should -BeFalse
        $public.Thumbprint | Should -Be $result.Thumbprint
        $public.NotAfter | Should -BeGreaterThan (Get-Date).AddYears(2).AddDays(-2)
        $withKey = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 $result.PfxPath, $password
        $withKey.HasPrivateKey | Should -BeTrue
        $withKey.Thumbprint | Should -Be $result.Thumbprint
        { New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 $result.PfxPath, 'wrong password' } | Should -Throw
    }

    It 'is a document-encryption certificate: keyUsage keyEncipherment, EKU 1.3.6.1.4.1.311.80.1, RSA 3072' {
        $text = & openssl x509 -inform DER -in $result.CertificatePath -noout -text
        ($text -join "`n") | Should -Match 'Key Encipherment'
        ($text -join "`n") | Should -Match '1\.3\.6\.1\.4\.1\.311\.80\.1'
        ($text -join "`n") | Should -Match 'Public-Key: \(3072 bit\)'
    }

    It 'tells the admin in plain words to keep the private key off the server' {
        ($certWarnings -join ' ') | Should -Match 'OFF this server'
        ($certWarnings -join ' ') | Should -Match 'SecurityConfiguration\.EncryptSecretsTo'
    }

    It 'never overwrites, and -WhatIf creates nothing' {
        { New-AlteryxBackupCertificate -OutputPath $out -PfxPassword $password -Name 'prod' -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'FILE_EXISTS*'
        $LASTEXITCODE | Should -Be 3
        New-AlteryxBackupCertificate -OutputPath (Join-Path $TestDrive 'whatif') -PfxPassword $password -WhatIf
        Test-Path (Join-Path $TestDrive 'whatif') | Should -BeFalse
    }

    It 'refuses a short PFX password with exit 3' {
        { New-AlteryxBackupCertificate -OutputPath (Join-Path $TestDrive 'short') -PfxPassword (ConvertTo-SecureString 'abc' -AsPlainText -Force) } | Should -Throw -ErrorId 'PARAMETER_INVALID*'
        $LASTEXITCODE | Should -Be 3
    }
}

Describe 'Encrypted secrets through the module: backup, then Unprotect-CmsMessage with the .pfx' -Tag 'E2E' -Skip:(-not ($e2eReady -and $hasOpenssl)) {
    BeforeAll {
        $dir = Join-Path $TestDrive 'host'
        $lines = @(& node $simCli create $dir)
        $simHosts.Add($dir)
        $configPath = ($lines | Where-Object { $_ -and $_.Trim() } | Select-Object -Last 1).Trim()
        $cert = New-AlteryxBackupCertificate -OutputPath (Join-Path $TestDrive 'e2e-keys') -PfxPassword $password -WarningAction SilentlyContinue
        $config = Get-Content -Raw -LiteralPath $configPath | ConvertFrom-Json
        $config | Add-Member -NotePropertyName SecurityConfiguration -NotePropertyValue ([pscustomobject]@{ EncryptSecretsTo = @($cert.CertificatePath); RequireEncryptedSecrets = $true }) -Force
        [System.IO.File]::WriteAllText($configPath, (ConvertTo-Json -InputObject $config -Depth 20), (New-Object System.Text.UTF8Encoding $false))
        $summary = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath -WarningAction SilentlyContinue
        $hostFacts = Get-Content -Raw -LiteralPath (Join-Path $dir 'sim/host.json') | ConvertFrom-Json
    }

    It 'backs up with no plain-text warning and reports to whom the secrets are encrypted' {
        $LASTEXITCODE | Should -Be 0
        $summary.Status | Should -Be 'Success' -Because (@($summary.Warnings) -join ' | ')
        $summary.SecretsEncrypted | Should -BeTrue
        @($summary.SecretsEncryptedTo) | Should -Be @($cert.Thumbprint)
    }

    It 'Unprotect-CmsMessage with the .pfx opens exactly the controller token and passwords' {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($summary.ArchivePath)
        try {
            $names = @($zip.Entries | ForEach-Object { $_.FullName })
            $names | Should -Not -Contain 'Config/ControllerToken.txt'
            $names | Should -Not -Contain 'Config/MongoPasswords.txt'
            $texts = @{}
            foreach ($name in @('Config/ControllerToken.txt.p7m', 'Config/MongoPasswords.txt.p7m')) {
                $reader = New-Object System.IO.StreamReader ($zip.GetEntry($name).Open())
                try { $texts[$name] = $reader.ReadToEnd() } finally { $reader.Dispose() }
            }
        }
        finally { $zip.Dispose() }
        $withKey = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 $cert.PfxPath, $password
        Unprotect-CmsMessage -Content $texts['Config/ControllerToken.txt.p7m'] -To $withKey | Should -BeExactly "$($hostFacts.serverSecret)`r`n"
        Unprotect-CmsMessage -Content $texts['Config/MongoPasswords.txt.p7m'] -To $withKey | Should -BeExactly "Admin: $($hostFacts.mongoAdminPassword)`r`nNon-Admin: $($hostFacts.mongoNonAdminPassword)`r`n"
    }

    It 'the restore helper opens the token with the .pfx (EnvelopedCms), and refuses a wrong password or another key, naming the thumbprint' {
        $archive = $summary.ArchivePath
        $thumb = $cert.Thumbprint
        $pfx = $cert.PfxPath
        $expected = [string]$hostFacts.serverSecret
        $otherPfx = (New-AlteryxBackupCertificate -OutputPath (Join-Path $TestDrive 'other-keys') -PfxPassword $password -WarningAction SilentlyContinue).PfxPath
        InModuleScope AlteryxBackup -Parameters @{ Archive = $archive; Pfx = $pfx; OtherPfx = $otherPfx; Thumb = $thumb; Expected = $expected; Password = $password } {
            $ok = Get-AlteryxBackupArchiveToken -ArchivePath $Archive -DecryptionCertificate $Pfx -PfxPassword $Password
            $ok.Error | Should -BeNullOrEmpty
            $ok.Thumbprint | Should -Be $Thumb
            [System.Net.NetworkCredential]::new('', $ok.Token).Password | Should -BeExactly $Expected
            $bad = Get-AlteryxBackupArchiveToken -ArchivePath $Archive -DecryptionCertificate $Pfx -PfxPassword (ConvertTo-SecureString 'not the password' -AsPlainText -Force)
            $bad.Error.Id | Should -Be 'PFX_UNREADABLE'
            $other = Get-AlteryxBackupArchiveToken -ArchivePath $Archive -DecryptionCertificate $OtherPfx -PfxPassword $Password
            $other.Error.Id | Should -Be 'DECRYPTION_KEY_MISMATCH'
            $other.Error.Message | Should -Match $Thumb
            $missing = Get-AlteryxBackupArchiveToken -ArchivePath $Archive -DecryptionCertificate '0F8AB1ABE0CE351D67D2F26FA2D200C122A9B985'
            $missing.Error.Id | Should -Be 'DECRYPTION_CERTIFICATE_NOT_FOUND'
            $missing.Error.Message | Should -Match $Thumb
        }
    }

    It 'Restore-AlteryxBackup: without -DecryptionCertificate, or with another key, exit 3 before anything; with the .pfx it restores' {
        { Restore-AlteryxBackup -ArchivePath $summary.ArchivePath -ConfigPath $configPath -Confirm:$false -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'DECRYPTION_CERTIFICATE_REQUIRED*'
        $LASTEXITCODE | Should -Be 3
        $otherPfx = Join-Path (Join-Path $TestDrive 'other-keys') 'AlteryxBackupSecrets.pfx'
        { Restore-AlteryxBackup -ArchivePath $summary.ArchivePath -ConfigPath $configPath -DecryptionCertificate $otherPfx -PfxPassword $password -Confirm:$false } | Should -Throw -ErrorId 'DECRYPTION_KEY_MISMATCH*'
        $LASTEXITCODE | Should -Be 3
        $restored = Restore-AlteryxBackup -ArchivePath $summary.ArchivePath -ConfigPath $configPath -DecryptionCertificate $cert.PfxPath -PfxPassword $password -Confirm:$false -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -Be 0
        $restored.Status | Should -BeIn @('Success', 'Warning')
        (Get-Content -Raw -LiteralPath (Join-Path $dir 'sim/host.json') | ConvertFrom-Json).serverSecret | Should -BeExactly $hostFacts.serverSecret
    }

    It 'Get-AlteryxBackup shows that the secrets are encrypted, and to whom' {
        $entry = @(Get-AlteryxBackup -ConfigPath $configPath) | Where-Object { $_.ArchivePath -eq $summary.ArchivePath } | Select-Object -First 1
        $entry.SecretsEncrypted | Should -BeTrue
        @($entry.SecretsEncryptedTo) | Should -Be @($cert.Thumbprint)
    }
}

Describe 'Thumbprints are read from Cert:\LocalMachine\My by the bridge, never by node' {
    It 'sends the public DER of each configured thumbprint it finds' {
        InModuleScope AlteryxBackup {
            $config = Join-Path $TestDrive 'thumb.json'
            Set-Content -LiteralPath $config -Value '{ "SecurityConfiguration": { "EncryptSecretsTo": ["0f 8a b1 ab e0 ce 35 1d 67 d2 f2 6f a2 d2 00 c1 22 a9 b9 85", "/etc/x.cer"] } }'
            Mock Get-PSDrive { [pscustomobject]@{ Name = 'Cert' } }
            Mock Get-Item { [pscustomobject]@{ RawData = [byte[]](0x30, 0x03, 0x02, 0x01, 0x05) } } -ParameterFilter { $LiteralPath -eq 'Cert:\LocalMachine\My\0F8AB1ABE0CE351D67D2F26FA2D200C122A9B985' }
            $found = Get-AlteryxBackupStoreCertificate -ConfigPath $config
            @($found.Keys) | Should -Be @('0F8AB1ABE0CE351D67D2F26FA2D200C122A9B985')
            $found['0F8AB1ABE0CE351D67D2F26FA2D200C122A9B985'] | Should -Be 'MAMCAQU='
            Should -Invoke Get-Item -Times 1 -Exactly
        }
    }

    It 'sends nothing where there is no Cert: drive (node then names the thumbprint, exit 3)' {
        InModuleScope AlteryxBackup {
            $config = Join-Path $TestDrive 'thumb2.json'
            Set-Content -LiteralPath $config -Value '{ "SecurityConfiguration": { "EncryptSecretsTo": ["0F8AB1ABE0CE351D67D2F26FA2D200C122A9B985"] } }'
            Mock Get-PSDrive { $null }
            (Get-AlteryxBackupStoreCertificate -ConfigPath $config).Count | Should -Be 0
        }
    }
}
