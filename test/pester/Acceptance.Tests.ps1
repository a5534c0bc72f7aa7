# CI for the admins' acceptance suite (ps-module/AlteryxBackup/Tests): run it
# against a healthy simulated host and a broken one, and assert exactly which
# checks fail.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ready = Test-SimHostReady
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $suite = Join-Path $RepoRoot 'ps-module/AlteryxBackup/Tests/AlteryxBackup.Acceptance.Tests.ps1'
    Enter-SimHostSuite
    function Invoke-Acceptance {
        param([string]$Config)
        $container = New-PesterContainer -Path $suite -Data @{ ConfigPath = $Config; ScheduledModes = @('Full', 'ConfigOnly') }
        $cfg = New-PesterConfiguration
        $cfg.Run.Container = $container
        $cfg.Run.PassThru = $true
        $cfg.Output.Verbosity = 'None'
        $r = Invoke-Pester -Configuration $cfg
        @{
            Passed = @($r.Passed | ForEach-Object { $_.ExpandedName })
            Failed = @($r.Failed | ForEach-Object { $_.ExpandedName })
        }
    }
    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
}

AfterAll {
    Exit-SimHostSuite
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'AlteryxBackup.Acceptance.Tests.ps1' -Tag 'E2E' -Skip:(-not $ready) {
    BeforeAll {
        $healthy = New-SimHost -Name 'healthy' -Options @('--seed', 'accept-ok', '--db-mb', '0.2')
        $null = Invoke-AlteryxBackup -ConfigPath $healthy -BackupMode ConfigOnly -Confirm:$false
        Start-Sleep -Seconds 1
        $null = Invoke-AlteryxBackup -ConfigPath $healthy -BackupMode Full -Confirm:$false

        $broken = New-SimHost -Name 'broken' -Options @('--seed', 'accept-bad', '--db-mb', '0.2')
        $summary = Invoke-AlteryxBackup -ConfigPath $broken -BackupMode Full -Confirm:$false
        $root = Split-Path -Parent $broken
        # One copy missing from network2, one tampered copy in network1, no ConfigOnly backup, the service stopped.
        Remove-Item -LiteralPath (Join-Path $root (Join-Path 'backups/network2' (Split-Path -Leaf $summary.ArchivePath)))
        $copy = Join-Path $root (Join-Path 'backups/network1' (Split-Path -Leaf $summary.ArchivePath))
        $bytes = [IO.File]::ReadAllBytes($copy)
        $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 1
        [IO.File]::WriteAllBytes($copy, $bytes)
        $null = & node $simCli state $root --set Stopped
    }

    It 'passes every check on a healthy host' {
        $r = Invoke-Acceptance -Config $healthy
        $r.Failed | Should -BeNullOrEmpty
        $r.Passed.Count | Should -Be 11
    }

    It 'fails only the exit-code check after a failed run on the healthy host' {
        # Runs after 'passes every check on a healthy host' (Pester keeps file order). An empty dump fails the run
        # (exit 5); the previous verified backups stay, so only the last run's check may fail.
        $root = Split-Path -Parent $healthy
        $null = & node $simCli fault $root dumpEmpty=true
        try {
            $failedRun = Invoke-AlteryxBackup -ConfigPath $healthy -BackupMode Full -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        }
        catch { $failedRun = $null }
        finally { $null = & node $simCli fault $root --clear }
        $log = Get-ChildItem -LiteralPath (Join-Path $root 'logs') -Filter 'BackupLog_Full_*.log' | Sort-Object LastWriteTime | Select-Object -Last 1
        Get-Content -Raw -LiteralPath $log.FullName | Should -Match 'Status: Failed \(exit code 5\)'
        $r = Invoke-Acceptance -Config $healthy
        $r.Failed | Should -Be @('ended with exit code 0')
        $r.Passed.Count | Should -Be 10
    }

    It 'fails exactly the checks a broken host breaks' {
        $r = Invoke-Acceptance -Config $broken
        $failed = @($r.Failed | Sort-Object)
        $expected = @(
            'AlteryxService is Running'
            'has a ConfigOnly backup younger than the maximum age'
            'retention keeps at least the minimum number of ConfigOnly backups'
            'the newest ConfigOnly backup has a copy in every destination, and the copies agree'
            'the newest ConfigOnly backup verifies'
            'the newest Full backup has a copy in every destination, and the copies agree'
            'the newest Full backup verifies'
        ) | Sort-Object
        $failed | Should -Be $expected
        $r.Passed | Should -Contain 'has a Full backup younger than the maximum age'
        $r.Passed | Should -Contain 'ended with exit code 0'
    }
}
