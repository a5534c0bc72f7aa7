# ps-module/Invoke-AlteryxBackup.ps1, run the way a scheduled task runs it:
# a separate pwsh -File process whose exit code is all the scheduler sees.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $pwsh = Get-TestPwshPath
    $configPath = Join-Path $TestDrive 'backup-config.json'

    function Invoke-TaskScript {
        param([string[]]$Arguments, [hashtable]$Environment = @{})
        $saved = @{}
        foreach ($key in $Environment.Keys) {
            $saved[$key] = [Environment]::GetEnvironmentVariable($key)
            [Environment]::SetEnvironmentVariable($key, $Environment[$key])
        }
        try {
            $stderrFile = Join-Path $TestDrive ('stderr-{0}.txt' -f [guid]::NewGuid().ToString('N'))
            $stdout = & $pwsh -NoProfile -NonInteractive -File $TaskScript @Arguments 2>$stderrFile
            $code = $LASTEXITCODE
            [pscustomobject]@{
                ExitCode = $code
                Stdout   = ($stdout | Out-String)
                Stderr   = (Get-Content -LiteralPath $stderrFile -Raw -ErrorAction SilentlyContinue)
            }
        }
        finally {
            foreach ($key in $saved.Keys) { [Environment]::SetEnvironmentVariable($key, $saved[$key]) }
        }
    }
}

Describe 'Scheduled-task script' {
    It 'exits 6 for an invalid -BackupMode, naming the parameter and the valid values' {
        $run = Invoke-TaskScript -Arguments @('-BackupMode', 'Foo')
        $run.ExitCode | Should -Be 6
        $run.Stderr | Should -BeLike '*-BackupMode*Foo*'
        $run.Stderr | Should -BeLike '*Full, DatabaseOnly, ConfigOnly*'
    }

    It 'exits 6 for an invalid positional mode too' {
        (Invoke-TaskScript -Arguments @('Incremental')).ExitCode | Should -Be 6
    }

    It 'exits 0 and prints the summary when the backup succeeds' {
        $run = Invoke-TaskScript -Arguments @('ConfigOnly', '-ConfigPath', $configPath) -Environment @{
            ALTERYXBACKUP_CORE = $FakeCore; ALTERYXBACKUP_FAKE_SCENARIO = 'events'; ALTERYXBACKUP_FAKE_RECORD = (Join-Path $TestDrive 'task-ok.jsonl')
        }
        $run.ExitCode | Should -Be 0
        $run.Stdout | Should -Match 'Success'
        $run.Stdout | Should -Match 'success line'
    }

    It 'exits with the core''s exit code and writes the error to stderr on failure' {
        $run = Invoke-TaskScript -Arguments @('Full', '-ConfigPath', $configPath) -Environment @{
            ALTERYXBACKUP_CORE = $FakeCore; ALTERYXBACKUP_FAKE_SCENARIO = 'fail'; ALTERYXBACKUP_FAKE_EXIT = '4'; ALTERYXBACKUP_FAKE_CODE = 'STORAGE_ERROR'
        }
        $run.ExitCode | Should -Be 4
        $run.Stderr | Should -Match 'STORAGE_ERROR'
        $run.Stderr | Should -Match 'unknown key'
    }

    It 'exits 3 when a parameter fails the module''s validation' {
        $run = Invoke-TaskScript -Arguments @('Full', '-RetentionDays', '0', '-ConfigPath', $configPath) -Environment @{ ALTERYXBACKUP_CORE = $FakeCore }
        $run.ExitCode | Should -Be 3
        $run.Stderr | Should -Match 'RetentionDays'
    }

    It '-StopServiceForExternalDB takes a value that survives powershell.exe -File on 5.1: <Given> sends <Sent>' -ForEach @(
        @{ Given = @('-StopServiceForExternalDB:$false'); Sent = $false }
        @{ Given = @('-StopServiceForExternalDB', 'false'); Sent = $false }
        @{ Given = @('-StopServiceForExternalDB', 'true'); Sent = $true }
        @{ Given = @('-StopServiceForExternalDB', '1'); Sent = $true }
    ) {
        $record = Join-Path $TestDrive ('switch-{0}.jsonl' -f [guid]::NewGuid().ToString('N'))
        $run = Invoke-TaskScript -Arguments (@('Full', '-ConfigPath', $configPath) + $Given) -Environment @{
            ALTERYXBACKUP_CORE = $FakeCore; ALTERYXBACKUP_FAKE_SCENARIO = 'events'; ALTERYXBACKUP_FAKE_RECORD = $record
        }
        $run.ExitCode | Should -Be 0 -Because $run.Stderr
        $request = @(Read-FakeRecord -Path $record)[0].stdin | ConvertFrom-Json
        $request.parameters.StopServiceForExternalDB | Should -BeOfType [bool]
        $request.parameters.StopServiceForExternalDB | Should -Be $Sent
    }

    It '-StopServiceForExternalDB with a value that is not true/false exits 6 with a message' {
        $run = Invoke-TaskScript -Arguments @('Full', '-ConfigPath', $configPath, '-StopServiceForExternalDB', 'maybe') -Environment @{ ALTERYXBACKUP_CORE = $FakeCore }
        $run.ExitCode | Should -Be 6
        $run.Stderr | Should -Match "Invalid -StopServiceForExternalDB 'maybe'. Use true or false"
    }

    It 'silences progress (5.1 draws every Write-Progress call)' {
        (Get-Content -LiteralPath $TaskScript -Raw) | Should -Match "(?m)^\`$ProgressPreference = 'SilentlyContinue'"
    }

    It 'exits 1 when node dies' {
        $run = Invoke-TaskScript -Arguments @('Full', '-ConfigPath', $configPath) -Environment @{
            ALTERYXBACKUP_CORE = $FakeCore; ALTERYXBACKUP_FAKE_SCENARIO = 'die-after-restart'
        }
        $run.ExitCode | Should -Be 1
        $run.Stderr | Should -Match 'NODE_DIED'
    }

    It 'takes the same parameters as Invoke-AlteryxBackup' {
        Import-Module $ModuleManifest -Force
        $common = @([System.Management.Automation.PSCmdlet]::CommonParameters) + @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters)
        $moduleParameters = @((Get-Command Invoke-AlteryxBackup).Parameters.Keys | Where-Object { $common -notcontains $_ } | Sort-Object)
        $scriptParameters = @((Get-Command $TaskScript).Parameters.Keys | Where-Object { $common -notcontains $_ } | Sort-Object)
        $scriptParameters | Should -Be $moduleParameters
    }
}
