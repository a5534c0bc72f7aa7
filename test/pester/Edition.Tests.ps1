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
    BeforeAll {
        # ConvertFrom-Json as Windows PowerShell 5.1 returns it (issue 13 point 7): ISO-8601
        # dates stay strings (-DateKind String), whole numbers Int32 (Int64 when too big),
        # fractions Decimal.
        function ConvertTo-As51 {
            param($Value)
            if ($null -eq $Value) { return $null }
            if ($Value -is [long]) { if ($Value -ge [int]::MinValue -and $Value -le [int]::MaxValue) { return [int]$Value } return $Value }
            if ($Value -is [double]) { return [decimal]$Value }
            if ($Value -is [System.Management.Automation.PSCustomObject]) {
                foreach ($p in @($Value.PSObject.Properties)) { $p.Value = ConvertTo-As51 -Value $p.Value }
                return $Value
            }
            if ($Value -is [array]) { return , @(foreach ($i in $Value) { ConvertTo-As51 -Value $i }) }
            return $Value
        }
        # What a contract cmdlet outputs for node's JSON: the bridge's edition conversion, then the contract shape.
        function ConvertTo-Output {
            param($Parsed)
            InModuleScope AlteryxBackup -Parameters @{ Value = $Parsed } {
                param($Value)
                $neutral = ConvertTo-AlteryxBackupEditionNeutral -Value $Value
                ConvertTo-AlteryxBackupResult -InputObject $neutral -TypeName 'BackupSummary' -NestedType @{ Phases = 'PhaseResult'; Destinations = 'DestinationResult' }
            }
        }
        # Every leaf as 'path = type: value', read through the properties a script uses ($r.Phases[0].StartTime).
        function Get-Leaf {
            param($Value, [string]$Path = '$r')
            if ($Value -is [hashtable]) {
                foreach ($k in @($Value.Keys | Sort-Object)) { Get-Leaf -Value $Value.$k -Path "$Path.$k" }
                return
            }
            if ($Value -is [array]) {
                "$Path = array[$($Value.Count)]"
                for ($i = 0; $i -lt $Value.Count; $i++) { Get-Leaf -Value $Value[$i] -Path "$Path[$i]" }
                return
            }
            if ($null -eq $Value) { "$Path = null"; return }
            $text = [string]$Value
            if ($Value -is [datetime]) { $text = $Value.ToUniversalTime().ToString('o') + ' ' + $Value.Kind }
            "$Path = $($Value.GetType().FullName): $text"
        }
        # A summary as the core writes it (Date.toISOString(); JSON.stringify writes 12.0 as 12).
        $script:SummaryJson = '{"BackupMode":"Full","Status":"Success","ExitCode":0,"StartTime":"2026-11-27T02:00:00.123Z","EndTime":"2026-11-27T02:10:05Z","DurationSeconds":605,' +
            '"TotalSizeBytes":123,"ArchiveSizeBytes":6000000000,"ArchiveSizeMB":12,"CompressionRatio":2.5,"AvailableSpaceMB":5000,"Label":"not a date: 2026-11-27",' +
            '"Phases":[{"Name":"Archive","StartTime":"2026-11-27T02:05:00.000Z","EndTime":"2026-11-27T02:06:00.5Z","DurationSeconds":60.5,"Status":"Success"}],' +
            '"Destinations":[{"Destination":"\\\\nas\\b","Success":true,"Attempts":1}],"Warnings":["only one"],"Errors":[]}'
    }

    It 'through the bridge (PowerShell 7 parsing): dates [datetime], *Bytes [long], sizes in MB [double], counts [int], one-item arrays stay arrays' {
        $env:ALTERYXBACKUP_CORE = $FakeCore
        $env:ALTERYXBACKUP_FAKE_SCENARIO = 'types'
        $env:ALTERYXBACKUP_FAKE_RECORD = Join-Path $TestDrive 'types.jsonl'
        $result = Test-AlteryxServiceState -ConfigPath $configPath
        $result.StartTime | Should -BeOfType [datetime]
        $result.StartTime.ToUniversalTime().ToString('o') | Should -Be '2026-11-27T02:00:00.1230000Z'
        $result.EndTime | Should -BeOfType [datetime]
        # One phase: $result.Phases is still an array (a bare $this['Phases'] getter unrolled it to the hashtable).
        , $result.Phases | Should -BeOfType [array]
        $result.Phases.Count | Should -Be 1
        $result.Phases[0].StartTime | Should -BeOfType [datetime]
        $result.Phases[0].Name | Should -Be 'Archive'
        , $result.Warnings | Should -BeOfType [array]
        $result.Warnings[0] | Should -Be 'only one'
        $result.Label | Should -BeOfType [string]
        $result.SizeBytes | Should -BeOfType [long]
        $result.BigBytes | Should -BeOfType [long]
        $result.BigBytes | Should -Be 5000000000
        $result.DurationSeconds | Should -BeOfType [double]
        $result.ArchiveSizeMB | Should -BeOfType [double]
        $result.AvailableSpaceMB | Should -BeOfType [long]
        $result.Phases[0].Seconds | Should -BeOfType [int]
    }

    It 'a contract summary parsed as 5.1 and as 7 gives the same output, leaf by leaf (types and values)' {
        $as7 = ConvertTo-Output -Parsed ($script:SummaryJson | ConvertFrom-Json)
        $as51 = ConvertTo-Output -Parsed (ConvertTo-As51 -Value ($script:SummaryJson | ConvertFrom-Json -DateKind String))
        $leaves7 = @(Get-Leaf -Value $as7)
        $leaves51 = @(Get-Leaf -Value $as51)
        $leaves51 | Should -Be $leaves7
        # and what they are (the documented types, docs/output-types.md):
        $leaves7 | Should -Contain '$r.StartTime = System.DateTime: 2026-11-27T02:00:00.1230000Z Utc'
        $leaves7 | Should -Contain '$r.Phases = array[1]'
        $leaves7 | Should -Contain '$r.Phases[0].EndTime = System.DateTime: 2026-11-27T02:06:00.5000000Z Utc'
        $leaves7 | Should -Contain '$r.Phases[0].DurationSeconds = System.Double: 60.5'
        $leaves7 | Should -Contain '$r.DurationSeconds = System.Int32: 605'
        $leaves7 | Should -Contain '$r.ExitCode = System.Int32: 0'
        $leaves7 | Should -Contain '$r.TotalSizeBytes = System.Int64: 123'
        $leaves7 | Should -Contain '$r.ArchiveSizeBytes = System.Int64: 6000000000'
        $leaves7 | Should -Contain '$r.ArchiveSizeMB = System.Double: 12'
        $leaves7 | Should -Contain '$r.CompressionRatio = System.Double: 2.5'
        $leaves7 | Should -Contain '$r.AvailableSpaceMB = System.Int64: 5000'
        $leaves7 | Should -Contain '$r.Label = System.String: not a date: 2026-11-27'
        $leaves7 | Should -Contain '$r.Destinations = array[1]'
        $leaves7 | Should -Contain '$r.Destinations[0].Attempts = System.Int32: 1'
        $leaves7 | Should -Contain '$r.Destinations[0].Success = System.Boolean: True'
        $leaves7 | Should -Contain '$r.Warnings = array[1]'
        $leaves7 | Should -Contain '$r.Errors = array[0]'
        $as7.Phases[0].PSObject.TypeNames[0] | Should -Be 'AlteryxBackup.PhaseResult'
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
