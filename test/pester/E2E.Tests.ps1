# End to end: the module against the real core (dist/src/cli/main.js) on a
# simulated Alteryx host (dist/src/sim/sim-cli.js). Skipped, with the reason,
# only while those two files have not been built.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $e2eReady = Test-SimHostReady
    $skipReason = 'dist/src/cli/main.js or dist/src/sim/sim-cli.js is not built yet (npm run build)'
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $pwsh = Get-TestPwshPath
    Enter-SimHostSuite

    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
}

AfterAll {
    Exit-SimHostSuite
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'E2E prerequisites' -Tag 'E2E' {
    It 'has the built core and simulator' {
        if (-not $e2eReady) { Set-ItResult -Skipped -Because $skipReason; return }
        $coreMain | Should -Exist
        $simCli | Should -Exist
    } -TestCases @(@{ e2eReady = $e2eReady; skipReason = $skipReason; coreMain = $coreMain; simCli = $simCli })
}

Describe 'ConfigOnly backup on a simulated host' -Tag 'E2E' -Skip:(-not $e2eReady) {
    BeforeAll {
        $configPath = New-SimHost -Name 'configonly'
        $simDir = Split-Path -Parent $configPath
        $summary = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath -WarningAction SilentlyContinue
        $exitCode = $LASTEXITCODE
    }

    It 'returns Status Warning (plain-text secrets only), ExitCode 0 and an existing archive' {
        # Without SecurityConfiguration.EncryptSecretsTo the one warning is that the secrets are in plain text (issue 15).
        $summary.Status | Should -Be 'Warning'
        @($summary.Warnings | Where-Object { $_ -notmatch 'plain text' }) | Should -BeNullOrEmpty -Because ('errors: ' + (@($summary.Errors) -join ' | '))
        $summary.ExitCode | Should -Be 0
        $summary.BackupMode | Should -Be 'ConfigOnly'
        $summary.ArchivePath | Should -Exist
        [System.IO.Path]::GetFileName($summary.ArchivePath) | Should -Match '^ServerBackup_Config_\d{8}_\d{6}\.zip$'
        "$($summary.ArchivePath).sha256" | Should -Exist
        $exitCode | Should -Be 0
    }

    It 'returns the summary fields the issue names' {
        foreach ($name in @('Status', 'ExitCode', 'BackupMode', 'ArchivePath', 'ArchiveSHA256', 'DurationSeconds', 'Warnings', 'Errors')) {
            $summary.PSObject.Properties.Name | Should -Contain $name
        }
        $summary.ArchiveSHA256 | Should -Match '^[0-9a-f]{64}$'
    }

    It 'produces an archive that Test-BackupIntegrity passes' {
        $validation = Test-BackupIntegrity -ArchivePath $summary.ArchivePath -ConfigPath $configPath -ExpectedMode ConfigOnly
        $validation.OverallStatus | Should -BeTrue
        $LASTEXITCODE | Should -Be 0
    }

    It 'pipes into Test-BackupIntegrity through the ArchivePath property' {
        ($summary | Test-BackupIntegrity -ConfigPath $configPath).OverallStatus | Should -BeTrue
    }

    It 'leaves the service as it was' {
        (Test-AlteryxServiceState -ConfigPath $configPath).CurrentState | Should -Be 'Running'
        Get-SimServiceState -Dir $simDir | Should -Be 'Running'
    }

    It 'finds a damaged archive' {
        $copy = Join-Path $TestDrive ([System.IO.Path]::GetFileName($summary.ArchivePath))
        Copy-Item -LiteralPath $summary.ArchivePath -Destination $copy
        Copy-Item -LiteralPath "$($summary.ArchivePath).sha256" -Destination "$copy.sha256"
        $bytes = [System.IO.File]::ReadAllBytes($copy)
        $bytes[[int]($bytes.Length / 3)] = $bytes[[int]($bytes.Length / 3)] -bxor 0xFF
        [System.IO.File]::WriteAllBytes($copy, $bytes)
        $validation = $null
        try { $validation = Test-BackupIntegrity -ArchivePath $copy -ConfigPath $configPath } catch { $validation = $_.TargetObject }
        $validation | Should -Not -BeNullOrEmpty
        $validation.OverallStatus | Should -BeFalse
    }

    It 'runs -WhatIf without creating an archive' {
        $before = @(Get-ChildItem -LiteralPath (Split-Path -Parent $summary.ArchivePath) -Filter '*.zip').Count
        $plan = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath -WhatIf
        $LASTEXITCODE | Should -Be 0
        $plan | Should -Not -BeNullOrEmpty
        @(Get-ChildItem -LiteralPath (Split-Path -Parent $summary.ArchivePath) -Filter '*.zip').Count | Should -Be $before
    }
}

Describe 'Bad configuration' -Tag 'E2E' -Skip:(-not $e2eReady) {
    BeforeAll {
        $goodConfig = New-SimHost -Name 'badconfig'
        $config = Get-Content -LiteralPath $goodConfig -Raw | ConvertFrom-Json
        $config.BackupConfiguration | Add-Member -NotePropertyName 'NoSuchSetting' -NotePropertyValue 1
        $badConfig = Join-Path $TestDrive 'bad-config.json'
        [System.IO.File]::WriteAllText($badConfig, ($config | ConvertTo-Json -Depth 20), (New-Object System.Text.UTF8Encoding $false))
        $localBackups = $config.BackupConfiguration.LocalBackupPath
        $before = @(Get-ChildItem -LiteralPath $localBackups -Force -ErrorAction SilentlyContinue).Count
    }

    It 'throws CONFIG_INVALID naming the dotted path, with exit code 3' {
        $caught = $null
        try { $null = Invoke-AlteryxBackup ConfigOnly -ConfigPath $badConfig } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -Be 'CONFIG_INVALID,Invoke-AlteryxBackup'
        $caught.Exception.Message | Should -Match 'BackupConfiguration\.NoSuchSetting'
        $caught.Exception.Message | Should -Match 'bad-config\.json'
        $LASTEXITCODE | Should -Be 3
    }

    It 'creates nothing in the backup folder' {
        @(Get-ChildItem -LiteralPath $localBackups -Force -ErrorAction SilentlyContinue).Count | Should -Be $before
    }

    It 'throws for a missing file and for a file that is not JSON' {
        # The core may use a more specific code (CONFIG_NOT_FOUND); it is a CONFIG_* error with exit code 3 either way.
        { Invoke-AlteryxBackup ConfigOnly -ConfigPath (Join-Path $TestDrive 'missing.json') } | Should -Throw -ErrorId 'CONFIG_*,Invoke-AlteryxBackup'
        $LASTEXITCODE | Should -Be 3
        $notJson = Join-Path $TestDrive 'not-json.json'
        [System.IO.File]::WriteAllText($notJson, '{ this is not json', (New-Object System.Text.UTF8Encoding $false))
        { Invoke-AlteryxBackup ConfigOnly -ConfigPath $notJson } | Should -Throw -ErrorId 'CONFIG_*,Invoke-AlteryxBackup'
        $LASTEXITCODE | Should -Be 3
    }
}

Describe 'Scheduled-task script with the real core' -Tag 'E2E' -Skip:(-not $e2eReady) {
    It 'exits 6 for -BackupMode Foo' {
        & $pwsh -NoProfile -NonInteractive -File $TaskScript -BackupMode Foo 2>$null | Out-Null
        $LASTEXITCODE | Should -Be 6
    }

    It 'exits 0 after a ConfigOnly backup' {
        $configPath = New-SimHost -Name 'task'
        $out = & $pwsh -NoProfile -NonInteractive -File $TaskScript ConfigOnly -ConfigPath $configPath 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out | Out-String)
        @(Get-ChildItem -LiteralPath (Join-Path (Split-Path -Parent $configPath) 'backups') -Recurse -Filter 'ServerBackup_Config_*.zip').Count | Should -BeGreaterThan 0
    }

    It 'exits 3 for a bad configuration' {
        $bad = Join-Path $TestDrive 'task-bad.json'
        [System.IO.File]::WriteAllText($bad, '{"BackupConfiguration": 7}', (New-Object System.Text.UTF8Encoding $false))
        & $pwsh -NoProfile -NonInteractive -File $TaskScript ConfigOnly -ConfigPath $bad 2>$null | Out-Null
        $LASTEXITCODE | Should -Be 3
    }
}

Describe 'node killed while the service is stopped' -Tag 'E2E' -Skip:(-not $e2eReady) {
    It 'throws NODE_DIED, exits 1, and the bridge''s repair brings the service back' {
        $configPath = New-SimHost -Name 'killed'
        $simDir = Split-Path -Parent $configPath
        $null = & node $simCli fault $simDir 'dumpSeconds=30'
        $tempDir = (Get-Content -LiteralPath $configPath -Raw | ConvertFrom-Json).BackupConfiguration.TempDirectory
        $null = New-Item -ItemType Directory -Force -Path $tempDir
        $markerFile = Join-Path $tempDir 'AlteryxBackup.state.json'
        $probe = @{ Killed = $false; StateAtKill = $null; Marker = $null; CommandLine = $null }
        # The event waited on: the run's state marker (src/service/state-marker.ts) names a dump
        # helper, i.e. the service is stopped and the dump is running; the marker's pid is the run's
        # node. (Not Get-Process -Name node: Node.js 24 names its main thread 'MainThread', which
        # Linux reports as the process name, nodejs/node pull requests 56416 and 61307.)
        $watcher = New-Object System.IO.FileSystemWatcher $tempDir, 'AlteryxBackup.state.json*'
        try {
            $run = Invoke-InFreshRunspace -TimeoutSeconds 240 -ScriptBlock {
                param($ConfigPath)
                Invoke-AlteryxBackup Full -ConfigPath $ConfigPath -WarningAction SilentlyContinue
            } -ArgumentList @($configPath) -WhileRunning {
                param($ps)
                $deadline = [DateTime]::UtcNow.AddSeconds(120)
                while ($ps.InvocationStateInfo.State -eq 'Running' -and [DateTime]::UtcNow -lt $deadline) {
                    $marker = $null
                    try { $marker = [System.IO.File]::ReadAllText($markerFile) | ConvertFrom-Json } catch { $marker = $null }
                    if ($null -ne $marker -and @($marker.helperPids).Count -gt 0) { $probe.Marker = $marker; break }
                    # Wakes on the marker's next write (atomic rename) or after 2 s if the event was missed.
                    $null = $watcher.WaitForChanged([System.IO.WatcherChangeTypes]::All, 2000)
                }
                if ($null -eq $probe.Marker) { return }
                $probe.StateAtKill = Get-SimServiceState -Dir $simDir
                $victim = Get-Process -Id ([int]$probe.Marker.pid) -ErrorAction SilentlyContinue
                if ($null -eq $victim) { return }
                $probe.CommandLine = $victim.CommandLine
                if ($victim.CommandLine -notlike '*main.js*Invoke-AlteryxBackup*') { return }
                Stop-Process -Id $victim.Id -Force
                $probe.Killed = $true
            }
        }
        finally { $watcher.Dispose() }
        $probe.Marker | Should -Not -BeNullOrEmpty -Because 'a Full backup writes the state marker with the dump helper while the service is stopped (30 s dump here)'
        $probe.StateAtKill | Should -Be 'Stopped'
        $probe.CommandLine | Should -BeLike '*main.js*Invoke-AlteryxBackup*' -Because "the marker's pid is the run's node"
        $probe.Killed | Should -BeTrue
        $run.TimedOut | Should -BeFalse
        $run.Failure | Should -Not -BeNullOrEmpty
        $run.Failure.FullyQualifiedErrorId | Should -Be 'NODE_DIED,Invoke-AlteryxBackup'
        $run.Failure.Exception.Message | Should -BeLike '*Repair-AlteryxBackupState: *'
        $run.LastExitCode | Should -Be 1
        Get-SimServiceState -Dir $simDir | Should -Be 'Running'
        $markerFile | Should -Not -Exist -Because 'the repair clears the marker once the service runs'
    }
}

Describe 'Full and DatabaseOnly backups on a simulated host' -Tag 'E2E' -Skip:(-not $e2eReady) {
    BeforeAll {
        $configPath = New-SimHost -Name 'full'
        $simDir = Split-Path -Parent $configPath
        $run = Invoke-InFreshRunspace -TimeoutSeconds 300 -ScriptBlock {
            param($ConfigPath)
            Invoke-AlteryxBackup Full -ConfigPath $ConfigPath -Verbose
        } -ArgumentList @($configPath)
        $summary = $run.Output | Select-Object -First 1
    }

    It 'returns Status Warning (plain-text secrets only) with an archive that verifies' {
        $run.Failure | Should -BeNullOrEmpty
        $run.LastExitCode | Should -Be 0
        # Without SecurityConfiguration.EncryptSecretsTo the one warning is that the secrets are in plain text (issue 15).
        $summary.Status | Should -Be 'Warning'
        @($summary.Warnings | Where-Object { $_ -notmatch 'plain text' }) | Should -BeNullOrEmpty -Because ('errors: ' + (@($summary.Errors) -join ' | '))
        $summary.ExitCode | Should -Be 0
        [System.IO.Path]::GetFileName($summary.ArchivePath) | Should -Match '^ServerBackup_Full_\d{8}_\d{6}\.zip$'
        (Test-BackupIntegrity -ArchivePath $summary.ArchivePath -ConfigPath $configPath -ExpectedMode Full).OverallStatus | Should -BeTrue
    }

    It 'stopped the service only for the dump and left it Running' {
        [double]$summary.DowntimeSeconds | Should -BeGreaterThan 0
        Get-SimServiceState -Dir $simDir | Should -Be 'Running'
    }

    It 'never shows the controller token or the MongoDB passwords in output, streams or the log' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $secrets = New-Object System.Collections.Generic.List[string]
        $zip = [System.IO.Compression.ZipFile]::OpenRead($summary.ArchivePath)
        try {
            foreach ($entry in $zip.Entries) {
                if ($entry.Name -ne 'ControllerToken.txt' -and $entry.Name -ne 'MongoPasswords.txt') { continue }
                $reader = New-Object System.IO.StreamReader $entry.Open()
                try { $content = $reader.ReadToEnd() } finally { $reader.Dispose() }
                foreach ($line in ($content -split "`r?`n")) {
                    $value = ($line -replace '^\s*(Non-Admin|Admin)\s*:\s*', '').Trim()
                    if ($value.Length -ge 6) { $secrets.Add($value) }
                }
            }
        }
        finally { $zip.Dispose() }
        $secrets.Count | Should -BeGreaterThan 1 -Because 'the archive must hold the token and the passwords'
        $seen = @(
            ($run.Output | ConvertTo-Json -Depth 20)
            ($run.Verbose -join "`n")
            (($run.Information | ForEach-Object { [string]$_.MessageData }) -join "`n")
            ($run.Warning -join "`n")
            (Get-Content -LiteralPath $summary.LogPath -Raw)
        ) -join "`n"
        $seen.Length | Should -BeGreaterThan 100
        foreach ($secret in $secrets) { $seen.Contains($secret) | Should -BeFalse -Because 'secrets must never be shown or logged' }
    }

    It 'runs DatabaseOnly with a DB archive' {
        $db = Invoke-AlteryxBackup DatabaseOnly -ConfigPath $configPath -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -Be 0
        $db.Status | Should -Be 'Success' -Because ('warnings: ' + (@($db.Warnings) -join ' | '))
        [System.IO.Path]::GetFileName($db.ArchivePath) | Should -Match '^ServerBackup_DB_\d{8}_\d{6}\.zip$'
        Get-SimServiceState -Dir $simDir | Should -Be 'Running'
    }
}
