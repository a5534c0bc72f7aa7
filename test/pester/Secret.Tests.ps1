# Set-AlteryxBackupSecret and CredentialFile. DPAPI exists only on Windows, so
# on Linux the module's test seam ($script:SecretProtector) replaces
# ProtectedData with AES-256 under a key held in memory by this test. What this
# tests: the file format, that the file never holds the plain text, the
# Administrators+SYSTEM ACL call, -WhatIf, the CredentialFile reader accepting
# both these files and Export-Clixml files, and the secret arriving on the
# core's stdin. What it cannot test here: DPAPI itself (LocalMachine scope,
# SYSTEM decrypting what an administrator wrote) and icacls' effect.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
    $env:ALTERYXBACKUP_CORE = $FakeCore

    $global:SecretIcaclsCalls = New-Object System.Collections.Generic.List[object]
    function global:icacls { $global:SecretIcaclsCalls.Add(@($args)); $global:LASTEXITCODE = 0; 'processed file' }
}

AfterAll {
    Disable-TestProtector
    Remove-Item -Path 'Function:\icacls' -ErrorAction SilentlyContinue
    Remove-Variable -Name SecretIcaclsCalls -Scope Global -ErrorAction SilentlyContinue
    foreach ($name in @('ALTERYXBACKUP_CORE', 'ALTERYXBACKUP_FAKE_RECORD', 'ALTERYXBACKUP_FAKE_SCENARIO')) { Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue }
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'Set-AlteryxBackupSecret' {
    BeforeEach {
        $global:SecretIcaclsCalls.Clear()
        Enable-TestProtector
    }

    It 'writes an encrypted file (never the plain text), restricted to Administrators and SYSTEM, and says which setting to point at it' {
        $file = Join-Path $TestDrive 'SmtpPassword.secret'
        $plain = 'Sm7p-Secret-e41a'
        $out = Set-AlteryxBackupSecret -Name SmtpPassword -Secret (ConvertTo-SecureString $plain -AsPlainText -Force) -UserName 'alerts@example.com' -Path $file
        $out.Path | Should -Be $file
        $out.CredentialFileSetting | Should -Be 'NotificationConfiguration.CredentialFile'
        $out.PSObject.TypeNames[0] | Should -Be 'AlteryxBackup.SecretFile'
        $bytes = [System.IO.File]::ReadAllBytes($file)
        $text = [System.Text.Encoding]::UTF8.GetString($bytes)
        $text | Should -Not -Match $plain
        [System.Text.Encoding]::Unicode.GetString($bytes) | Should -Not -Match $plain
        $text | Should -Not -Match ([Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($plain)))
        $record = $text | ConvertFrom-Json
        $record.Format | Should -Be 'AlteryxBackup.Secret'
        $record.Protection | Should -Be 'DPAPI-LocalMachine'
        $record.UserName | Should -Be 'alerts@example.com'
        $global:SecretIcaclsCalls.Count | Should -Be 1
        $global:SecretIcaclsCalls[0][1..4] | Should -Be @('/inheritance:r', '/grant:r', '*S-1-5-32-544:F', '*S-1-5-18:F')
        @(Get-ChildItem -LiteralPath $TestDrive -Filter '*.tmp').Count | Should -Be 0
    }

    It 'is read back through CredentialFile and reaches the core on stdin only (and an Export-Clixml file still works beside it)' {
        $smtpFile = Join-Path $TestDrive 'smtp.secret'
        $null = Set-AlteryxBackupSecret -Name SmtpPassword -Secret (ConvertTo-SecureString 'Round-Trip-77c2' -AsPlainText -Force) -UserName 'relay@example.com' -Path $smtpFile
        $mongoFile = Join-Path $TestDrive 'mongo.cred.xml'
        ConvertTo-SecureString 'Clixml-Mongo-19ab' -AsPlainText -Force | Export-Clixml -LiteralPath $mongoFile
        $config = Join-Path $TestDrive 'secret-config.json'
        [System.IO.File]::WriteAllText($config, (ConvertTo-Json -Depth 5 -InputObject ([ordered]@{
                        MongoDBConfiguration      = [ordered]@{ SelfManagedMongoDB = [ordered]@{ CredentialFile = $mongoFile } }
                        NotificationConfiguration = [ordered]@{ CredentialFile = $smtpFile }
                    })))
        $record = Join-Path $TestDrive 'secret-record.jsonl'
        $env:ALTERYXBACKUP_FAKE_RECORD = $record
        $env:ALTERYXBACKUP_FAKE_SCENARIO = 'events'
        $null = Invoke-AlteryxBackup Full -ConfigPath $config
        $call = @(Read-FakeRecord -Path $record)[0]
        $request = $call.stdin | ConvertFrom-Json
        $request.secrets.SmtpPassword | Should -BeExactly 'Round-Trip-77c2'
        $request.parameters.SmtpUsername | Should -Be 'relay@example.com'
        $request.secrets.MongoPassword | Should -BeExactly 'Clixml-Mongo-19ab'
        (($call.argv -join ' ') + ($call.env | ConvertTo-Json -Compress -Depth 5)) | Should -Not -Match 'Round-Trip-77c2'
    }

    It '-WhatIf writes nothing' {
        $file = Join-Path $TestDrive 'whatif.secret'
        Set-AlteryxBackupSecret -Name MongoPassword -Secret (ConvertTo-SecureString 'x' -AsPlainText -Force) -Path $file -WhatIf
        $file | Should -Not -Exist
        $global:SecretIcaclsCalls.Count | Should -Be 0
    }

    It 'refuses an empty secret' {
        { Set-AlteryxBackupSecret -Name MongoPassword -Secret (New-Object System.Security.SecureString) -Path (Join-Path $TestDrive 'empty.secret') } |
            Should -Throw -ErrorId 'SECRET_EMPTY,Set-AlteryxBackupSecret'
    }

    It 'without DPAPI (not Windows, no seam) says so and writes nothing' -Skip:([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        Disable-TestProtector
        $file = Join-Path $TestDrive 'nodpapi.secret'
        { Set-AlteryxBackupSecret -Name S3SecretAccessKey -Secret (ConvertTo-SecureString 'x' -AsPlainText -Force) -Path $file } |
            Should -Throw -ErrorId 'SECRET_PROTECTION_UNAVAILABLE,Set-AlteryxBackupSecret'
        $file | Should -Not -Exist
    }
}
