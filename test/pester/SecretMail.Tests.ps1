# Set-AlteryxBackupSecret -> CredentialFile -> a real Invoke-AlteryxBackup (the built
# core, a simulated host) -> an email through npm smtp-server that requires AUTH with
# that password (issue 13, "Tests": the secret round-trips through the real backup).
#
# DPAPI exists only on Windows: here the module's test seam ($script:SecretProtector,
# Private/Protect-AlteryxBackupSecret.ps1) replaces ProtectedData with AES-256 under a
# key held in memory by this test, as Secret.Tests.ps1 does. Everything after that
# (the secret file's format, the CredentialFile reader, stdin to node, nodemailer's
# AUTH, the summary, the log, the manifest) is the real code.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ready = Test-SimHostReady
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Enter-SimHostSuite
    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
    Enable-TestProtector
    $smtp = $null
}

AfterAll {
    if ($null -ne $smtp) {
        try { $smtp.StandardInput.Close() } catch { $null = $_ }
        if (-not $smtp.WaitForExit(10000)) { $smtp.Kill() }
        $smtp.Dispose()
    }
    Disable-TestProtector
    Exit-SimHostSuite
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'Set-AlteryxBackupSecret round trip through a real backup and smtp-server' -Tag 'E2E' -Skip:(-not $ready) {
    BeforeAll {
        $user = 'backup-bot@example.com'
        $password = 'Smtp-RoundTrip-' + [guid]::NewGuid().ToString('N').Substring(0, 12)

        # smtp-server on 127.0.0.1 requiring AUTH with exactly these credentials (given on its stdin).
        $smtpRecord = Join-Path $TestDrive 'smtp.jsonl'
        $psi = New-Object System.Diagnostics.ProcessStartInfo
        $psi.FileName = (Get-Command node -CommandType Application | Select-Object -First 1).Source
        $psi.Arguments = '"' + (Join-Path $PSScriptRoot (Join-Path 'fixtures' 'smtp-capture.js')) + '" "' + $smtpRecord + '"'
        $psi.UseShellExecute = $false
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.WorkingDirectory = $RepoRoot
        $smtp = [System.Diagnostics.Process]::Start($psi)
        $smtp.StandardInput.WriteLine((ConvertTo-Json -Compress -InputObject ([ordered]@{ username = $user; password = $password })))
        $smtp.StandardInput.Flush()
        $portTask = $smtp.StandardOutput.ReadLineAsync()
        if (-not $portTask.Wait(60000)) { throw 'smtp-capture.js did not report its port within 60 s' }
        $port = [int](($portTask.Result | ConvertFrom-Json).port)

        # A simulated host whose configuration mails every run through that server.
        $configPath = New-SimHost -Name 'host'

        # The secret, stored the way an administrator would, next to the configuration.
        $secretOut = Set-AlteryxBackupSecret -Name SmtpPassword -Secret (ConvertTo-SecureString $password -AsPlainText -Force) -UserName $user -ConfigPath $configPath
        $secretFile = $secretOut.Path

        $config = Get-Content -LiteralPath $configPath -Raw | ConvertFrom-Json
        $config.NotificationConfiguration = [pscustomobject][ordered]@{
            Enabled        = $true
            SMTPServer     = '127.0.0.1'
            SMTPPort       = $port
            UseSSL         = $false
            CredentialFile = $secretFile
            FromAddress    = 'alteryx-backup@example.com'
            ToAddresses    = @('admins@example.com')
            OnlyOnFailure  = $false
            AttachLog      = $true
            LogLinesInBody = 50
        }
        [System.IO.File]::WriteAllText($configPath, (ConvertTo-Json -InputObject $config -Depth 20), (New-Object System.Text.UTF8Encoding $false))

        $summary = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath -WarningAction SilentlyContinue
        $exitCode = $LASTEXITCODE
        $events = @(Get-Content -LiteralPath $smtpRecord -ErrorAction SilentlyContinue | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json })
    }

    It 'stores the secret encrypted: the file holds no form of the plain text and is readable by its owner only' {
        $secretFile | Should -Be (Join-Path (Split-Path -Parent $configPath) 'SmtpPassword.secret')
        $secretOut.CredentialFileSetting | Should -Be 'NotificationConfiguration.CredentialFile'
        $bytes = [System.IO.File]::ReadAllBytes($secretFile)
        foreach ($form in @(
                [System.Text.Encoding]::UTF8.GetBytes($password),
                [System.Text.Encoding]::Unicode.GetBytes($password),
                [System.Text.Encoding]::UTF8.GetBytes([Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($password))),
                [System.Text.Encoding]::UTF8.GetBytes([Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($password))))) {
            [System.Text.Encoding]::Latin1.GetString($bytes).Contains([System.Text.Encoding]::Latin1.GetString($form)) | Should -BeFalse
        }
        $stored = [System.IO.File]::ReadAllText($secretFile) | ConvertFrom-Json
        $stored.Format | Should -Be 'AlteryxBackup.Secret'
        $stored.UserName | Should -Be $user
        [Convert]::FromBase64String($stored.Data).Length | Should -BeGreaterThan 16
        # Off Windows there is no icacls: the module falls back to chmod 600.
        if ($IsLinux) { [int](Get-Item -LiteralPath $secretFile).UnixFileMode | Should -Be 384 -Because 'mode 600' }
    }

    It 'the backup succeeds and reports the mail as sent' {
        $exitCode | Should -Be 0
        $summary.ExitCode | Should -Be 0
        $summary.Status | Should -BeIn @('Success', 'Warning')
        @($summary.Warnings | Where-Object { $_ -notmatch 'plain text' }) | Should -BeNullOrEmpty -Because ('errors: ' + (@($summary.Errors) -join ' | '))
        (Get-Content -LiteralPath $summary.LogPath -Raw) | Should -Match 'Notification email sent'
    }

    It 'smtp-server received the mail, authenticated as the stored user with the stored password' {
        $auth = @($events | Where-Object { $_.event -eq 'auth' })
        $auth.Count | Should -Be 1
        $auth[0].username | Should -Be $user
        $auth[0].ok | Should -BeTrue -Because 'the server accepts only the password given to Set-AlteryxBackupSecret'
        $mail = @($events | Where-Object { $_.event -eq 'mail' })
        $mail.Count | Should -Be 1
        $mail[0].authUser | Should -Be $user
        $mail[0].to | Should -Be @('admins@example.com')
        $mail[0].subject | Should -Match 'ConfigOnly'
        $mail[0].containsPassword | Should -BeFalse -Because 'the mail (body and attached log) never carries the password'
    }

    It 'the password is in no file the run wrote (log, manifest, archive entries, temp, state) nor in the summary' {
        $plainUtf8 = [System.Text.Encoding]::UTF8.GetBytes($password)
        $needle = [System.Text.Encoding]::Latin1.GetString($plainUtf8)
        $needle16 = [System.Text.Encoding]::Latin1.GetString([System.Text.Encoding]::Unicode.GetBytes($password))
        $scanned = 0
        $archives = New-Object System.Collections.Generic.List[string]
        foreach ($file in @(Get-ChildItem -LiteralPath $TestDrive -Recurse -File -Force)) {
            if ($file.FullName -eq $smtpRecord) { continue }
            if ($file.Extension -eq '.zip') { $archives.Add($file.FullName) }
            $text = [System.Text.Encoding]::Latin1.GetString([System.IO.File]::ReadAllBytes($file.FullName))
            $text.Contains($needle) | Should -BeFalse -Because "$($file.FullName) must not hold the password"
            $text.Contains($needle16) | Should -BeFalse -Because "$($file.FullName) must not hold the password"
            $scanned++
        }
        $scanned | Should -BeGreaterThan 5
        $archives.Count | Should -BeGreaterThan 0
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $manifestSeen = $false
        foreach ($archive in $archives) {
            $zip = [System.IO.Compression.ZipFile]::OpenRead($archive)
            try {
                foreach ($entry in $zip.Entries) {
                    $stream = $entry.Open()
                    $memory = New-Object System.IO.MemoryStream
                    try { $stream.CopyTo($memory) } finally { $stream.Dispose() }
                    $text = [System.Text.Encoding]::Latin1.GetString($memory.ToArray())
                    $text.Contains($needle) | Should -BeFalse -Because "$archive!$($entry.FullName) must not hold the password"
                    if ($entry.Name -eq 'BackupManifest.json') { $manifestSeen = $true }
                }
            }
            finally { $zip.Dispose() }
        }
        $manifestSeen | Should -BeTrue
        (ConvertTo-Json -InputObject $summary -Depth 20).Contains($password) | Should -BeFalse
    }
}
