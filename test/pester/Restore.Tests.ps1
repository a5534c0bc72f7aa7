# Restore-AlteryxBackup and Get-AlteryxBackup through Import-Module, against the
# real core on simulated hosts: the catalog piped into a -WhatIf restore prints the
# plan and changes nothing; a full restore onto a second host succeeds.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ready = Test-SimHostReady
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Enter-SimHostSuite
    function Get-TreeHash {
        param([string]$Dir)
        Get-ChildItem -LiteralPath (Join-Path $Dir 'ProgramData') -Recurse -File |
            Where-Object { $_.Name -ne 'mongod.lock' } |
            Sort-Object FullName |
            ForEach-Object { '{0} {1}' -f $_.FullName.Substring($Dir.Length), (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }
    }
    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
}

AfterAll {
    Exit-SimHostSuite
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'Restore-AlteryxBackup through the module' -Tag 'E2E' -Skip:(-not $ready) {
    BeforeAll {
        $configA = New-SimHost -Name 'a' -Options @('--seed', 'pester-a', '--db-mb', '0.3')
        $configB = New-SimHost -Name 'b' -Options @('--seed', 'pester-b', '--db-mb', '0.2')
        $rootA = Split-Path -Parent $configA
        $rootB = Split-Path -Parent $configB
        $summary = Invoke-AlteryxBackup -ConfigPath $configA -BackupMode Full -Confirm:$false
        # The backup reaches host B's local folder, as a copy from a share would.
        $localB = Join-Path $rootB (Join-Path 'backups' 'local')
        Copy-Item -LiteralPath $summary.ArchivePath, ($summary.ArchivePath + '.sha256') -Destination $localB
    }

    It 'Get-AlteryxBackup | Select-Object -First 1 | Restore-AlteryxBackup -WhatIf prints the plan and changes nothing' {
        Mock -ModuleName AlteryxBackup Write-AlteryxBackupEventLog { }
        $before = Get-TreeHash -Dir $rootB
        $eventsBefore = (Get-Content -LiteralPath (Join-Path $rootB (Join-Path 'sim' 'events.jsonl'))).Count
        $entry = Get-AlteryxBackup -ConfigPath $configB | Select-Object -First 1
        $entry.Mode | Should -Be 'Full'
        $entry.Verified | Should -BeTrue
        $info = Get-AlteryxBackup -ConfigPath $configB | Select-Object -First 1 | Restore-AlteryxBackup -ConfigPath $configB -WhatIf 6>&1 4>&1 -Verbose
        $text = ($info | ForEach-Object { "$_" }) -join "`n"
        $text | Should -Match 'What if: stop AlteryxService'
        $text | Should -Match 'What if: replace .*RuntimeSettings\.xml'
        $text | Should -Match 'What if: restore the database .* collections, \d+ documents expected'
        $text | Should -Match 'PreRestore_\d{8}_\d{6}'
        (Get-TreeHash -Dir $rootB) | Should -Be $before
        # Only reads happened (AlteryxService getversion): no stop, no restore, no setserversecret.
        $newEvents = @(Get-Content -LiteralPath (Join-Path $rootB (Join-Path 'sim' 'events.jsonl')) | Select-Object -Skip $eventsBefore | ForEach-Object { $_ | ConvertFrom-Json })
        @($newEvents | Where-Object { -not ($_.event -eq 'command' -and $_.command -eq 'getversion') }).Count | Should -Be 0
        (@(& node $simCli state $rootB) | Select-Object -Last 1).Trim() | Should -Be 'Running'
        # -WhatIf notifies nobody.
        Should -Invoke -ModuleName AlteryxBackup Write-AlteryxBackupEventLog -Times 0 -Exactly
    }

    It 'restores in full through Import-Module: Success, the token and the keys are host A''s, Running' {
        Mock -ModuleName AlteryxBackup Write-AlteryxBackupEventLog { }
        $r = Get-AlteryxBackup -ConfigPath $configB -BackupMode Full -Latest | Restore-AlteryxBackup -ConfigPath $configB -Confirm:$false
        $LASTEXITCODE | Should -Be 0
        # The backup's event log entry: 1000 success (1001 with warnings), naming the restore and the archive.
        $expectedId = 1000
        if (@($r.Warnings).Count -gt 0) { $expectedId = 1001 }
        $archive = $r.ArchivePath
        Should -Invoke -ModuleName AlteryxBackup Write-AlteryxBackupEventLog -Times 1 -Exactly -ParameterFilter { $EventId -eq $expectedId -and $Message -like "AlteryxBackup: Full restore of $archive finished with status Success (exit code 0).*" }
        $r.Status | Should -Be 'Success'
        $r.DocumentsRestored | Should -Be $r.DocumentsExpected
        $hostA = Get-Content -Raw -LiteralPath (Join-Path $rootA (Join-Path 'sim' 'host.json')) | ConvertFrom-Json
        $hostB = Get-Content -Raw -LiteralPath (Join-Path $rootB (Join-Path 'sim' 'host.json')) | ConvertFrom-Json
        $hostB.serverSecret | Should -Be $hostA.serverSecret
        $keyA = Join-Path $rootA 'ProgramData/Alteryx/Keys/StorageKeys.dat'
        $keyB = Join-Path $rootB 'ProgramData/Alteryx/Keys/StorageKeys.dat'
        (Get-FileHash $keyB).Hash | Should -Be (Get-FileHash $keyA).Hash
        (@(& node $simCli state $rootB) | Select-Object -Last 1).Trim() | Should -Be 'Running'
        Test-Path -LiteralPath $r.LogPath | Should -BeTrue
        (Split-Path -Leaf $r.LogPath) | Should -Match '^RestoreLog_\d{8}_\d{6}(_\d+)?\.log$'
    }

    It 'a corrupt archive fails with ARCHIVE_CORRUPT and exit 4' {
        $zip = Get-ChildItem -LiteralPath (Join-Path $rootB 'backups/local') -Filter '*.zip' | Select-Object -First 1
        $bad = Join-Path $TestDrive $zip.Name
        $bytes = [IO.File]::ReadAllBytes($zip.FullName)
        $bytes[[int]($bytes.Length / 3)] = $bytes[[int]($bytes.Length / 3)] -bxor 0xff
        [IO.File]::WriteAllBytes($bad, $bytes)
        Mock -ModuleName AlteryxBackup Write-AlteryxBackupEventLog { }
        { Restore-AlteryxBackup -ConfigPath $configB -ArchivePath $bad -Confirm:$false } | Should -Throw -ErrorId 'ARCHIVE_CORRUPT*'
        $LASTEXITCODE | Should -Be 4
        $name = $zip.Name
        Should -Invoke -ModuleName AlteryxBackup Write-AlteryxBackupEventLog -Times 1 -Exactly -ParameterFilter { $EventId -eq 1002 -and $Message -like "AlteryxBackup: restore of $name failed with status Failed (exit code 4, ARCHIVE_CORRUPT): *" }
    }
}
