# What an administrator sees (issue 16): each failure printed once, a readable
# -WhatIf plan with one "What if:" line per side effect, and format views.
# Runs the real core (dist/src/cli/main.js) and the simulated host
# (dist/src/sim/sim-cli.js); skipped, with the reason, until they are built.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $coreMain = Join-Path $RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'cli' 'main.js')))
    $simCli = Join-Path $RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'sim' 'sim-cli.js')))
    $viewsReady = (Test-Path -LiteralPath $coreMain) -and (Test-Path -LiteralPath $simCli)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $simCli = Join-Path $RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'sim' 'sim-cli.js')))
    $savedCore = $env:ALTERYXBACKUP_CORE
    Remove-Item Env:ALTERYXBACKUP_CORE -ErrorAction SilentlyContinue
    $simHosts = New-Object System.Collections.Generic.List[string]

    function New-SimHost {
        param([string]$Name = 'sim', [string[]]$Options = @())
        $dir = Join-Path $TestDrive $Name
        $lines = @(& node $simCli create $dir @Options)
        if ($LASTEXITCODE -ne 0) { throw "sim-cli create failed with exit code $LASTEXITCODE" }
        $simHosts.Add($dir)
        ($lines | Where-Object { $_ -and $_.Trim() } | Select-Object -Last 1).Trim()
    }

    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
}

AfterAll {
    foreach ($dir in $simHosts) { $null = & node $simCli destroy $dir 2>&1 }
    if ($null -ne $savedCore) { $env:ALTERYXBACKUP_CORE = $savedCore }
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'A configuration with three errors is printed once' -Skip:(-not $viewsReady) {
    BeforeAll {
        # No host is needed: the configuration is refused before anything runs.
        $configPath = Join-Path $TestDrive 'three-errors.json'
        $config = [ordered]@{
            BackupConfiguration  = [ordered]@{ TempDirectory = '/tmp/ab-views/temp'; LocalBackupPath = '/tmp/ab-views/local'; LogDirectory = '/tmp/ab-views/logs'; RetentionDays = [ordered]@{ Full = -1 } }
            ServiceConfiguration = [ordered]@{ MaxServiceWaitSeconds = 'abc' }
            MongoDBConfiguration = [ordered]@{ Type = 'oracle' }
            AlteryxConfiguration = [ordered]@{ ProgramDataPath = '/tmp/ab-views/pd'; InstallPath = '/tmp/ab-views/ip'; ServiceName = 'AlteryxService'; Platform = 'Simulated'; SimulatedHostRoot = '/tmp/ab-views' }
        }
        Set-Content -LiteralPath $configPath -Value (ConvertTo-Json -InputObject $config -Depth 10) -Encoding UTF8
        $problems = @('RetentionDays.Full: must be >= 1', 'MaxServiceWaitSeconds: must be of type integer', 'MongoDBConfiguration.Type: must be one of')

        # Everything the console would show: errors, warnings, and Information
        # (the scheduled-task script shows Information too).
        $run = Invoke-InFreshRunspace -ScriptBlock {
            param($ConfigPath)
            $InformationPreference = 'Continue'
            $VerbosePreference = 'Continue'
            Invoke-AlteryxBackup Full -ConfigPath $ConfigPath -ErrorAction Continue
        } -ArgumentList @($configPath) -TimeoutSeconds 60
        $records = @($run.Errors)
        if ($null -ne $run.Caught) { $records = @($run.Failure) }
    }

    It 'gives exactly one record in the error stream, CONFIG_INVALID, exit code 3' {
        $records.Count | Should -Be 1
        $records[0].FullyQualifiedErrorId | Should -Match '^CONFIG_INVALID'
        $run.LastExitCode | Should -Be 3
    }

    It 'names each problem exactly once in the printed record' {
        $printed = ($records[0] | Out-String -Width 200)
        foreach ($problem in $problems) {
            ([regex]::Matches($printed, [regex]::Escape($problem))).Count | Should -Be 1 -Because "'$problem' in: $printed"
        }
    }

    It 'keeps the per-file details in the exception data, not in the message' {
        $data = @($records[0].Exception.Data['Details'])
        $data.Count | Should -Be 3
        foreach ($detail in $data) { $detail | Should -BeLike "$configPath*" }
        foreach ($problem in $problems) {
            ([regex]::Matches($records[0].Exception.Message, [regex]::Escape($problem))).Count | Should -Be 1
        }
    }

    It 'does not repeat the failure on the Information stream' {
        $shown = @($run.Information | ForEach-Object { [string]$_.MessageData })
        foreach ($problem in $problems) {
            @($shown | Where-Object { $_.Contains($problem) }).Count | Should -Be 0 -Because ($shown -join ' | ')
        }
        # It is still there for -Verbose and the log file.
        ($run.Verbose -join "`n") | Should -Match ([regex]::Escape($problems[0]))
    }
}
