# Windows PowerShell 5.1 vs PowerShell 7: the bridge gives the core's result the
# same .NET types in both. ConvertFrom-Json on 5.1 (JavaScriptSerializer) leaves
# ISO-8601 dates as strings and returns Int32/Decimal; on 7 (Newtonsoft) dates
# are [datetime] and numbers Int64/Double. The suite runs on 7, so the 5.1 shape
# is built by hand here and fed to the same conversion the bridge applies.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
    $configPath = Join-Path $TestDrive 'backup-config.json'
}

AfterAll {
    foreach ($name in @('ALTERYXBACKUP_CORE', 'ALTERYXBACKUP_FAKE_SCENARIO', 'ALTERYXBACKUP_FAKE_RECORD')) { Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue }
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'Result types are the same on 5.1 and 7' {
    It 'through the bridge (PowerShell 7 parsing): dates are [datetime], whole numbers [long], fractions [double], other strings stay strings' -Skip {
        $env:ALTERYXBACKUP_CORE = $FakeCore
        $env:ALTERYXBACKUP_FAKE_SCENARIO = 'types'
        $env:ALTERYXBACKUP_FAKE_RECORD = Join-Path $TestDrive 'types.jsonl'
        $result = Test-AlteryxServiceState -ConfigPath $configPath
        $result.StartTime | Should -BeOfType [datetime]
        $result.StartTime.ToUniversalTime().ToString('o') | Should -Be '2026-11-27T02:00:00.1230000Z'
        $result.EndTime | Should -BeOfType [datetime]
        $result.Phases[0].StartTime | Should -BeOfType [datetime]
        $result.Label | Should -BeOfType [string]
        $result.SizeBytes | Should -BeOfType [long]
        $result.BigBytes | Should -BeOfType [long]
        $result.DurationSeconds | Should -BeOfType [double]
        $result.Phases[0].Seconds | Should -BeOfType [long]
    }

    It 'the 5.1 shape (strings, Int32, Decimal) comes out with the same types and values' {
        $as51 = [pscustomobject]@{
            StartTime       = '2026-11-27T02:00:00.123Z'
            EndTime         = '2026-11-27T02:10:05Z'
            Offset          = '2026-11-27T03:00:00+01:00'
            Label           = 'not a date: 2026-11-27'
            SizeBytes       = [int]123
            BigBytes        = [long]5000000000
            DurationSeconds = [decimal]12.5
            Phases          = @([pscustomobject]@{ Name = 'Archive'; StartTime = '2026-11-27T02:05:00.000Z'; Seconds = [int]3 })
            Flag            = $true
            Nothing         = $null
        }
        $converted = InModuleScope AlteryxBackup -Parameters @{ Value = $as51 } { param($Value) ConvertTo-AlteryxBackupEditionNeutral -Value $Value }
        $converted.StartTime | Should -BeOfType [datetime]
        $converted.StartTime.Kind | Should -Be ([System.DateTimeKind]::Utc)
        $converted.StartTime.ToString('o') | Should -Be '2026-11-27T02:00:00.1230000Z'
        $converted.Offset | Should -BeOfType [datetime]
        $converted.Offset.ToUniversalTime().Hour | Should -Be 2
        $converted.Label | Should -BeOfType [string]
        $converted.SizeBytes | Should -BeOfType [long]
        $converted.SizeBytes | Should -Be 123
        $converted.BigBytes | Should -BeOfType [long]
        $converted.DurationSeconds | Should -BeOfType [double]
        $converted.DurationSeconds | Should -Be 12.5
        $converted.Phases[0].StartTime | Should -BeOfType [datetime]
        $converted.Phases[0].Seconds | Should -BeOfType [long]
        $converted.Flag | Should -BeOfType [bool]
        $converted.Nothing | Should -BeNullOrEmpty
    }

    It 'the 7 shape is left as it is' {
        $as7 = '{"StartTime":"2026-11-27T02:00:00.123Z","SizeBytes":123,"DurationSeconds":12.5}' | ConvertFrom-Json
        $converted = InModuleScope AlteryxBackup -Parameters @{ Value = $as7 } { param($Value) ConvertTo-AlteryxBackupEditionNeutral -Value $Value }
        $converted.StartTime | Should -BeOfType [datetime]
        $converted.SizeBytes | Should -BeOfType [long]
        $converted.DurationSeconds | Should -BeOfType [double]
    }
}
