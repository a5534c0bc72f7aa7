# Acceptance checks for an Alteryx Server protected by AlteryxBackup, in the
# spirit of dbachecks: an administrator runs them on the server, or from
# monitoring, and reads which checks fail.
#
#   $c = New-PesterContainer -Path .\AlteryxBackup.Acceptance.Tests.ps1 -Data @{ ConfigPath = 'C:\AlteryxBackup\config\backup-config.json' }
#   Invoke-Pester -Container $c -Output Detailed
#
# Thresholds come from the parameters below; each defaults to the
# configuration's own values where it has one (RetentionDays, DefaultBackupMode).
param(
    # backup-config.json. Default: the module's configuration.
    [string]$ConfigPath,
    # The modes that are scheduled; each must have a recent backup. Default: DefaultBackupMode.
    [string[]]$ScheduledModes,
    # The newest backup of each scheduled mode must be younger than this.
    [double]$MaxBackupAgeHours = 26,
    # The last run's service downtime must stay under this.
    [double]$MaxDowntimeSeconds = 900,
    # Retention must keep at least this many backups of each scheduled mode.
    [int]$MinBackupsPerMode = 1,
    # Verify the newest backup of each mode in full (reads the archive).
    [bool]$VerifyNewest = $true
)

BeforeDiscovery {
    if (-not (Get-Module AlteryxBackup)) { Import-Module (Join-Path $PSScriptRoot '..\AlteryxBackup.psd1') }
    $configArgs = @{}
    if ($ConfigPath) { $configArgs['ConfigPath'] = $ConfigPath }
    $config = Initialize-BackupEnvironment @configArgs
    $modes = $ScheduledModes
    if (-not $modes) { $modes = @($config.BackupMode) }
    $modeCases = @($modes | ForEach-Object { @{ Mode = $_ } })
}

BeforeAll {
    if (-not (Get-Module AlteryxBackup)) { Import-Module (Join-Path $PSScriptRoot '..\AlteryxBackup.psd1') }
    $configArgs = @{}
    if ($ConfigPath) { $configArgs['ConfigPath'] = $ConfigPath }
    $config = Initialize-BackupEnvironment @configArgs
    $file = Get-Content -Raw -LiteralPath $config.ConfigPath | ConvertFrom-Json
    $catalog = @(Get-AlteryxBackup @configArgs -WarningAction SilentlyContinue)
    $expectedKinds = New-Object System.Collections.Generic.List[string]
    $expectedFolders = New-Object System.Collections.Generic.List[string]
    $expectedFolders.Add([string]$config.LocalBackupPath)
    foreach ($p in @($config.NetworkBackupPaths)) { if ($p) { $expectedFolders.Add([string]$p) } }
    if ($file.CloudConfiguration -and $file.CloudConfiguration.AzureBlob -and $file.CloudConfiguration.AzureBlob.Enabled) { $expectedKinds.Add('AzureBlob') }
    if ($file.CloudConfiguration -and $file.CloudConfiguration.S3 -and $file.CloudConfiguration.S3.Enabled) { $expectedKinds.Add('S3') }
    # The last run's log: the newest BackupLog_*.log that records a backup run. Not simply the newest file:
    # after Initialize-BackupEnvironment (this suite calls it too) the module's other commands, Get-AlteryxBackup
    # included, append to that session's BackupLog_<Mode>_<stamp>.log, which then holds no run at all.
    $lastLog = $null
    $lastLogText = $null
    $runRecord = 'Status:\s+\w+ \(exit code \d+\)|AlteryxBackup [^:\r\n]*: (Full|DatabaseOnly|ConfigOnly) backup of '
    $logs = @(Get-ChildItem -LiteralPath $config.LogDirectory -Filter 'BackupLog_*.log' -File -ErrorAction SilentlyContinue | Sort-Object LastWriteTime -Descending)
    foreach ($log in $logs) {
        $text = Get-Content -Raw -LiteralPath $log.FullName
        if ($text -match $runRecord) { $lastLog = $log; $lastLogText = $text; break }
    }
}

Describe 'Alteryx Server backups' -Tag 'AlteryxBackup', 'Acceptance' {
    Context 'Backups of <Mode>' -ForEach $modeCases {
        BeforeAll {
            $newest = $catalog | Where-Object { $_.Mode -eq $Mode } | Select-Object -First 1
        }

        It 'has a <Mode> backup younger than the maximum age' {
            $newest | Should -Not -BeNullOrEmpty -Because "a $Mode backup is scheduled"
            $age = ((Get-Date) - ([datetime]$newest.Timestamp)).TotalHours
            $age | Should -BeLessThan $MaxBackupAgeHours -Because "the newest $Mode backup ($($newest.FileName)) must be younger than $MaxBackupAgeHours hours"
        }

        It 'the newest <Mode> backup verifies' {
            $newest | Should -Not -BeNullOrEmpty
            if ($VerifyNewest) {
                $checked = Get-AlteryxBackup @configArgs -BackupMode $Mode -Latest -Verify -WarningAction SilentlyContinue
                $checked.Verified | Should -BeTrue -Because (@($checked.Warnings) -join ' ')
            }
            else {
                $newest.Verified | Should -BeTrue -Because (@($newest.Warnings) -join ' ')
            }
        }

        It 'the newest <Mode> backup has a copy in every destination, and the copies agree' {
            $newest | Should -Not -BeNullOrEmpty
            foreach ($folder in $expectedFolders) {
                $found = @($newest.Locations | Where-Object { $_.Path -and ([string]$_.Path).StartsWith($folder) })
                $found.Count | Should -BeGreaterThan 0 -Because "a copy must be in $folder"
            }
            foreach ($kind in $expectedKinds) {
                @($newest.Locations | Where-Object { $_.Kind -eq $kind }).Count | Should -BeGreaterThan 0 -Because "a copy must be in $kind"
            }
            $newest.CopiesAgree | Should -BeTrue -Because (@($newest.Warnings) -join ' ')
        }

        It 'retention keeps at least the minimum number of <Mode> backups' {
            @($catalog | Where-Object { $_.Mode -eq $Mode }).Count | Should -BeGreaterOrEqual $MinBackupsPerMode
        }
    }

    Context 'The last run' {
        It 'ended with exit code 0' {
            $lastLog | Should -Not -BeNullOrEmpty -Because "a run writes BackupLog_*.log in $($config.LogDirectory)"
            # A run records 'Status: <Status> (exit code N)' (Invoke-AlteryxBackup, Write-BackupSummary). Exit code 0
            # is success; Status Warning with exit code 0 passes (the exit codes 0-6 have no 'warning' code).
            $codes = [regex]::Matches($lastLogText, 'Status:\s+\w+ \(exit code (\d+)\)')
            if ($codes.Count -gt 0) {
                [int]$codes[$codes.Count - 1].Groups[1].Value | Should -Be 0 -Because "$($lastLog.Name) records the run's exit code"
            }
            else {
                # Logs written before the exit code was recorded.
                $lastLogText | Should -Match 'backup completed\.' -Because "$($lastLog.Name) must end with a completed backup"
                $lastLogText | Should -Not -Match '\[ERROR\]' -Because "$($lastLog.Name) has errors"
            }
        }

        It 'kept the service downtime under the limit' {
            $lastLog | Should -Not -BeNullOrEmpty
            $m = [regex]::Matches($lastLogText, 'downtime ([0-9.]+) s')
            if ($m.Count -gt 0) {
                [double]$m[$m.Count - 1].Groups[1].Value | Should -BeLessThan $MaxDowntimeSeconds
            }
        }
    }

    Context 'The server' {
        It 'AlteryxService is Running' {
            (Test-AlteryxServiceState @configArgs).CurrentState | Should -Be 'Running'
        }
    }
}
