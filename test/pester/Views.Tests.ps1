# What an administrator sees (issue 16): each failure printed once, a readable
# -WhatIf plan with one "What if:" line per side effect, and format views.
# Runs the real core (dist/src/cli/main.js) and the simulated host
# (dist/src/sim/sim-cli.js); skipped, with the reason, until they are built.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $viewsReady = Test-SimHostReady
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Enter-SimHostSuite

    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
}

AfterAll {
    Exit-SimHostSuite
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

Describe 'Invoke-AlteryxBackup -WhatIf on a simulated multi-node host' -Skip:(-not $viewsReady) {
    BeforeAll {
        $configPath = New-SimHost -Name 'whatif' -Options @('--variant', 'multi-node')
        $simDir = Split-Path -Parent $configPath
        $config = Get-Content -LiteralPath $configPath -Raw | ConvertFrom-Json
        $local = $config.BackupConfiguration.LocalBackupPath
        $null = New-Item -ItemType Directory -Path $local -Force
        # Two old verified Full backups: retention would remove the older one (a newer verified one exists).
        foreach ($name in @('ServerBackup_Full_20200101_000000.zip', 'ServerBackup_Full_20200102_000000.zip')) {
            Set-Content -LiteralPath (Join-Path $local $name) -Value 'old archive' -NoNewline
            # A real hash: retention re-hashes the backup that justifies a removal (issue 11).
            $hash = (Get-FileHash -LiteralPath (Join-Path $local $name) -Algorithm SHA256).Hash.ToLowerInvariant()
            Set-Content -LiteralPath (Join-Path $local "$name.sha256") -Value ("{0}  {1}" -f $hash, $name) -NoNewline
        }

        # Everything on the host: every file with its size and write time, the services of all
        # nodes, and the journal of every stand-in command.
        function Get-HostSnapshot {
            $files = @(Get-ChildItem -LiteralPath $simDir -Recurse -Force -File | Sort-Object FullName | ForEach-Object {
                    '{0}|{1}|{2}' -f $_.FullName.Substring($simDir.Length), $_.Length, $_.LastWriteTimeUtc.Ticks
                })
            $services = @(foreach ($dir in @($simDir) + @(Get-ChildItem -LiteralPath (Join-Path $simDir 'nodes') -Directory | ForEach-Object { $_.FullName })) {
                    "$([System.IO.Path]::GetFileName($dir))=$((@(& node $simCli state $dir) | Select-Object -Last 1).Trim())"
                })
            [pscustomobject]@{ Files = $files; Services = $services }
        }
        $before = Get-HostSnapshot

        # A separate pwsh: "What if:" lines go to the host, which a runspace without a UI drops.
        $pwsh = Get-TestPwshPath
        $script = "Import-Module '$ModuleManifest'; `$plan = Invoke-AlteryxBackup Full -ConfigPath '$configPath' -WhatIf; '--- plan'; `$plan | Out-String -Width 120; '--- types'; `$plan.PSObject.TypeNames[0]"
        $output = @(& $pwsh -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { [string]$_ })
        $whatIf = @($output | Where-Object { $_ -like 'What if:*' })
        # -Confirm, answered Yes for the first node and No for the second, on stdin.
        $confirmScript = "Import-Module '$ModuleManifest'; Invoke-AlteryxBackup Full -ConfigPath '$configPath' -Confirm"
        $confirmOutput = @("Y`nN`n" | & $pwsh -NoProfile -Command $confirmScript 2>&1 | ForEach-Object { [string]$_ })
        $after = Get-HostSnapshot
        $planText = (($output -join "`n") -split '--- plan')[1]
    }

    It 'prints one "What if:" line per service stop, in stop order (Workers, ServerUI, Controller)' {
        $stops = @($whatIf | Where-Object { $_ -like '*"Stop AlteryxService"*' })
        $stops.Count | Should -Be 4 -Because ($output -join "`n")
        $stops[0] | Should -Match 'WORKER1'
        $stops[1] | Should -Match 'WORKER2'
        $stops[2] | Should -Match 'GALLERY1'
        $stops[3] | Should -Match 'ALTERYX-SIM-01'
        # Every stop comes before the dump, every start after it.
        $dumpAt = [array]::FindIndex([string[]]$whatIf, [Predicate[string]] { param($l) $l -like '*Dump embedded MongoDB*' })
        [array]::IndexOf([string[]]$whatIf, $stops[3]) | Should -BeLessThan $dumpAt
        [array]::FindIndex([string[]]$whatIf, [Predicate[string]] { param($l) $l -like '*"Start AlteryxService"*' }) | Should -BeGreaterThan $dumpAt
    }

    It 'names the dump (type, target folder, expected size), the archive and each destination' {
        $dump = @($whatIf | Where-Object { $_ -like '*Dump embedded MongoDB*' })
        $dump.Count | Should -Be 1
        $dump[0] | Should -Match 'about \d+(\.\d+)? MB'
        $dump[0] | Should -Match ([regex]::Escape($config.BackupConfiguration.TempDirectory) + '.AlteryxBackup_\d{8}_\d{6}_<pid>.MongoDB')
        $archive = @($whatIf | Where-Object { $_ -like '*"Write the archive*' })
        $archive.Count | Should -Be 1
        $archive[0] | Should -Match ([regex]::Escape($local) + '.ServerBackup_Full_\d{8}_\d{6}\.zip"')
        foreach ($destination in @($config.BackupConfiguration.NetworkBackupPaths)) {
            @($whatIf | Where-Object { $_ -like "*`"Copy the archive*`"*`"$destination`"*" }).Count | Should -Be 1 -Because $destination
        }
        @($whatIf | Where-Object { $_ -like '*RuntimeSettings.xml*' }).Count | Should -Be 1
    }

    It 'names the old backup retention would remove, and not the one it keeps' {
        @($whatIf | Where-Object { $_ -like '*"Remove old backup"*ServerBackup_Full_20200101_000000.zip*' }).Count | Should -Be 1
        @($whatIf | Where-Object { $_ -like '*ServerBackup_Full_20200102_000000.zip*' }).Count | Should -Be 0
    }

    It 'changes nothing on the host: same files, same service states' {
        $after.Services | Should -Be $before.Services
        @($after.Services | Where-Object { $_ -notlike '*=Running' }).Count | Should -Be 0
        $changed = @(Compare-Object -ReferenceObject $before.Files -DifferenceObject $after.Files | ForEach-Object { "$($_.SideIndicator) $($_.InputObject)" })
        $changed | Should -BeNullOrEmpty
    }

    It '-Confirm asks before each service stop, in order, and a No leaves everything as it was' {
        $text = $confirmOutput -join "`n"
        $asked = @([regex]::Matches($text, 'Performing the operation "Stop AlteryxService" on target "([^"]+)"') | ForEach-Object { $_.Groups[1].Value })
        $asked | Should -Be @('WORKER1 (Worker)', 'WORKER2 (Worker)') -Because $text
        $text | Should -Match "Not run: 'Stop AlteryxService on WORKER2 \(Worker\)' was declined"
        $text | Should -Not -Match 'Dump embedded MongoDB'
    }

    It 'returns the plan as AlteryxBackup.Plan, shown as a table of its steps without @{ blobs' {
        (($output -join "`n") -split '--- types')[1].Trim() | Should -Be 'AlteryxBackup.Plan'
        $planText | Should -Match '(?m)^\s+# Action\s+Target\s*$'
        $planText | Should -Match '(?m)^\s+1 Stop AlteryxService\s+WORKER1 \(Worker\)'
        $planText | Should -Not -Match '@\{'
    }
}

Describe 'Default views of the summary, its phases and destinations (Out-String -Width 120)' -Skip:(-not $viewsReady) {
    BeforeAll {
        $configPath = New-SimHost -Name 'views'
        $summary = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath -WarningAction SilentlyContinue
        $plan = Invoke-AlteryxBackup Full -ConfigPath $configPath -WhatIf
        # The header row of a rendered table, as column names.
        function Get-TableHeader {
            param([string]$Text)
            $lines = @($Text -split "`r?`n")
            for ($i = 1; $i -lt $lines.Count; $i++) {
                if ($lines[$i] -match '^[\s-]+$' -and $lines[$i] -match '-') { return @($lines[$i - 1].Trim() -split '\s+') }
            }
            @()
        }
    }

    It 'shows the summary as Status, Mode, Archive, Size, Downtime, Duration, Warnings, in that order' {
        $text = $summary | Out-String -Width 120
        $labels = @([regex]::Matches($text, '(?m)^(\w+)\s*:') | ForEach-Object { $_.Groups[1].Value })
        $labels | Should -Be @('Status', 'Mode', 'Archive', 'Size', 'Downtime', 'Duration', 'Warnings')
        # The run's own values (a busy host can add a warning; the view must show what the object holds).
        $summary.Status | Should -BeIn @('Success', 'Warning')
        $text | Should -Match ('(?m)^Status\s*: ' + $summary.Status + '\s*$')
        $text | Should -Match '(?m)^Mode\s*: ConfigOnly\s*$'
        $text | Should -Match ('(?m)^Archive\s*: ' + [regex]::Escape($summary.ArchivePath))
        $text | Should -Match '(?m)^Size\s*: \d+\.\d\d MB\s*$'
        $text | Should -Match '(?m)^Downtime\s*: none'
        $text | Should -Match ('(?m)^Warnings\s*: ' + @($summary.Warnings | Where-Object { $_ }).Count + '\s*$')
        $text | Should -Not -Match '@\{'
    }

    It 'keeps everything but the archive path within 80 columns, and Select-Object * still shows every property' {
        $long = @(($summary | Out-String -Width 120) -split "`r?`n" | Where-Object { $_.TrimEnd().Length -gt 80 -and $_ -notlike 'Archive*' })
        $long | Should -BeNullOrEmpty
        $all = ($summary | Select-Object * | Format-List | Out-String -Width 120)
        $all | Should -Match '(?m)^ExitCode\s*: 0'
        $all | Should -Match '(?m)^ArchiveSHA256\s*: [0-9a-f]{64}'
    }

    It 'shows the phases as a table: Phase, Status, Seconds, Reason' {
        $text = $summary.Phases | Out-String -Width 120
        Get-TableHeader $text | Should -Be @('Phase', 'Status', 'Seconds', 'Reason')
        $text | Should -Match '(?m)^Initialize\s+Succeeded\s+\d+\.\d\s+load configuration'
        $text | Should -Match '(?m)^StopService\s+Skipped\s+ConfigOnly never touches the service'
        $text | Should -Not -Match '@\{'
    }

    It 'shows the destinations as a table: Kind, Success, Verified, Attempts, Seconds, Destination' {
        $text = $summary.Destinations | Out-String -Width 120
        Get-TableHeader $text | Should -Be @('Kind', 'Success', 'Verified', 'Attempts', 'Seconds', 'Destination')
        @($summary.Destinations).Count | Should -BeGreaterThan 1
        foreach ($destination in @($summary.Destinations)) {
            $text | Should -Match ('(?m)^' + $destination.Kind + '\s+True\s+True\s+1\s+\d+\.\d ' + [regex]::Escape($destination.Destination))
        }
        $text | Should -Not -Match '@\{'
    }

    It 'shows the plan''s phases as a table: Phase, Run, Reason' {
        $plan.PSObject.TypeNames[0] | Should -Be 'AlteryxBackup.Plan'
        $text = $plan.Plan | Out-String -Width 120
        Get-TableHeader $text | Should -Be @('Phase', 'Run', 'Reason')
        $text | Should -Match '(?m)^StopService\s+True\s+stop AlteryxService: embedded MongoDB'
        $text | Should -Not -Match '@\{'
    }

    It 'a failed run''s summary (the ErrorRecord''s TargetObject) has the summary view too' {
        $bad = Join-Path $TestDrive 'not-a-folder.txt'
        Set-Content -LiteralPath $bad -Value 'x'
        $failed = $null
        try { $null = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath -NetworkBackupPath $bad -WarningAction SilentlyContinue -ErrorAction Stop }
        catch { $failed = $_ }
        $failed | Should -Not -BeNullOrEmpty
        $failed.FullyQualifiedErrorId | Should -Match '^DISTRIBUTION_FAILED'
        $failed.TargetObject.PSObject.TypeNames[0] | Should -Be 'AlteryxBackup.BackupSummary'
        $text = $failed.TargetObject | Out-String -Width 120
        $text | Should -Match '(?m)^Status\s*: Failed'
        (@($failed.TargetObject.Destinations) | Out-String -Width 120) | Should -Match '(?m)^Network\s+False'
    }

    It 'shows the plan''s steps as a table: #, Action, Target' {
        $text = $plan.Steps | Out-String -Width 120
        Get-TableHeader $text | Should -Be @('#', 'Action', 'Target')
        $text | Should -Match '(?m)^\s+1 Stop AlteryxService\s+ALTERYX-SIM-01\s*$'
        $text | Should -Not -Match '@\{'
    }
}

Describe 'Default views of the contract outputs (decorated hashtables, docs/output-types.md)' {
    BeforeAll {
        # Decorates a hashtable as docs/output-types.md specifies (what ConvertTo-AlteryxBackupResult
        # does): AlteryxBackup.<Thing> and AlteryxBackup.Result type names, one ScriptProperty per
        # key and a DefaultDisplayPropertySet.
        function New-DecoratedResult {
            param([string]$TypeName, [System.Collections.Specialized.OrderedDictionary]$Values)
            $table = @{}
            foreach ($k in @($Values.Keys)) { $table[$k] = $Values[$k] }
            $table.PSObject.TypeNames.Insert(0, 'AlteryxBackup.Result')
            $table.PSObject.TypeNames.Insert(0, "AlteryxBackup.$TypeName")
            foreach ($k in @($Values.Keys)) {
                $table.PSObject.Properties.Add((New-Object System.Management.Automation.PSScriptProperty $k, ([scriptblock]::Create("`$this['$k']"))))
            }
            $set = New-Object System.Management.Automation.PSPropertySet 'DefaultDisplayPropertySet', ([string[]]@($Values.Keys))
            $table.PSObject.Members.Add((New-Object System.Management.Automation.PSMemberSet 'PSStandardMembers', ([System.Management.Automation.PSMemberInfo[]]@($set))))
            $table
        }
        function Get-TableHeader {
            param([string]$Text)
            $lines = @($Text -split "`r?`n")
            for ($i = 1; $i -lt $lines.Count; $i++) {
                if ($lines[$i] -match '^[\s-]+$' -and $lines[$i] -match '-') { return @($lines[$i - 1].Trim() -split '\s+') }
            }
            @()
        }
        function Get-ListLabel {
            param([string]$Text)
            @([regex]::Matches($Text, '(?m)^(\w+)\s*:') | ForEach-Object { $_.Groups[1].Value })
        }
        $node = {
            param($HostName, $State)
            New-DecoratedResult 'ServiceStateInfo' ([ordered]@{
                    ServiceName = 'AlteryxService'; Host = $HostName; InitialState = 'Running'; CurrentState = $State; TargetState = 'Stopped'
                    HasActiveWorkflows = $false; WorkflowCheckCount = 1; WorkflowWaitSeconds = 0; StateChangeTimestamp = (Get-Date)
                    StateChangeSuccess = $true; StateChangeError = $null; RequiresRollback = $true
                })
        }
    }

    It 'ServiceStateInfo: a table of Host, Service, State, Target, Workflows, Restart, Error; one row per node' {
        $nodes = @((& $node 'WORKER1' 'Stopped'), (& $node 'ALTERYX-01' 'Stopped'))
        $text = $nodes | Out-String -Width 120
        Get-TableHeader $text | Should -Be @('Host', 'Service', 'State', 'Target', 'Workflows', 'Restart', 'Error')
        $text | Should -Match '(?m)^WORKER1\s+AlteryxService\s+Stopped\s+Stopped\s+False\s+True\s*$'
        $text | Should -Match '(?m)^ALTERYX-01\s+AlteryxService\s+Stopped'
        $text | Should -Not -Match '@\{|System\.Collections'
    }

    It 'ValidationResult: Valid, Size, Integrity, Manifest, Errors, Warnings, Archive' {
        $result = New-DecoratedResult 'ValidationResult' ([ordered]@{
                ArchivePath       = '/backups/ServerBackup_Full_20261127_010000.zip'
                ArchiveValidation = @{ ArchiveExists = $true; ArchiveSizeMB = 12.5; MeetsMinimumSize = $true; IntegrityVerified = $true; ChecksumGenerated = $true; ChecksumValue = ('b' * 64) }
                ContentValidation = @{ ManifestIncluded = $true; ExpectedFilesPresent = $false; MissingFiles = @('Config/Keys/a.key') }
                OverallStatus     = $false
                ValidationErrors  = @('Config/Keys/a.key is missing')
                ValidationWarnings = @()
            })
        $text = $result | Out-String -Width 120
        Get-ListLabel $text | Should -Be @('Valid', 'Size', 'Integrity', 'Manifest', 'Errors', 'Warnings', 'Archive')
        $text | Should -Match '(?m)^Valid\s*: False'
        $text | Should -Match '(?m)^Size\s*: 12\.50 MB\s*$'
        $text | Should -Match '(?m)^Manifest\s*: 1 file\(s\) missing'
        $text | Should -Match '(?m)^Errors\s*: Config/Keys/a\.key is missing'
        $text | Should -Not -Match '@\{|System\.Collections'
    }

    It 'RetentionResult: Mode, Scanned, Deleted, Freed, Files by name; DeletedFiles as a table' {
        $deleted = @(New-DecoratedResult 'DeletedFile' ([ordered]@{ FileName = 'ServerBackup_Full_20260101_010000.zip'; SizeMB = 3.25; Age = 330.2 }))
        $result = New-DecoratedResult 'RetentionResult' ([ordered]@{ BackupMode = 'Full'; RetentionDays = @{ Full = 30 }; FilesScanned = 4; FilesDeleted = 1; SpaceFreedMB = 3.25; DeletedFiles = $deleted })
        $text = $result | Out-String -Width 120
        Get-ListLabel $text | Should -Be @('Mode', 'Scanned', 'Deleted', 'Freed', 'Files')
        $text | Should -Match '(?m)^Files\s*: ServerBackup_Full_20260101_010000\.zip \(3\.25 MB, 330 days\)'
        $text | Should -Not -Match '@\{|System\.Collections'
        $table = $result.DeletedFiles | Out-String -Width 120
        Get-TableHeader $table | Should -Be @('SizeMB', 'AgeDays', 'FileName')
    }

    It 'CopyResult: Succeeded, Failed, one line per copy with its error, Source' {
        $ok = New-DecoratedResult 'DestinationResult' ([ordered]@{ Success = $true; Attempts = 1; FinalPath = '\\nas\alteryx\ServerBackup_Full_20261127_010000.zip'; Error = $null })
        $bad = New-DecoratedResult 'DestinationResult' ([ordered]@{ Success = $false; Attempts = 3; FinalPath = $null; Error = 'ENOSPC: no space left on device' })
        $result = New-DecoratedResult 'CopyResult' ([ordered]@{ SourcePath = '/backups/ServerBackup_Full_20261127_010000.zip'; DestinationResults = @{ '\\nas\alteryx' = $ok; '\\dr\alteryx' = $bad }; SuccessCount = 1; FailureCount = 1 })
        $text = $result | Out-String -Width 120
        Get-ListLabel $text | Should -Be @('Succeeded', 'Failed', 'Copies', 'Source')
        $text | Should -Match 'OK\s+\\\\nas\\alteryx'
        $text | Should -Match 'FAILED\s+\\\\dr\\alteryx'
        $text | Should -Match 'ENOSPC: no space left on device'
        $text | Should -Not -Match '@\{|System\.Collections'
        # The values alone, as a table.
        Get-TableHeader ($result.DestinationResults.Values | Out-String -Width 120) | Should -Be @('Kind', 'Success', 'Verified', 'Attempts', 'Seconds', 'Destination')
    }

    It 'the summary view reads Write-BackupSummary''s shape too (sizes in GB, warnings as a count)' {
        $summary = New-DecoratedResult 'BackupSummary' ([ordered]@{ BackupMode = 'Full'; Status = 'Warning'; DurationSeconds = 75; DurationFormatted = '1m 15s'; ArchiveSizeGB = 1.5; Warnings = 2; Errors = 0; LogFile = '/logs/x.log' })
        $text = $summary | Out-String -Width 120
        Get-ListLabel $text | Should -Be @('Status', 'Mode', 'Archive', 'Size', 'Downtime', 'Duration', 'Warnings')
        $text | Should -Match '(?m)^Size\s*: 1\.50 GB'
        $text | Should -Match '(?m)^Warnings\s*: 2\s*$'
    }

    It 'CatalogEntry (Get-AlteryxBackup): Time, Mode, SizeMB, Verified, Copies, FileName; copies that differ are flagged' {
        $copy = New-DecoratedResult 'CatalogLocation' ([ordered]@{ Location = '\\nas\alteryx\ALTERYX01'; Kind = 'Network'; Path = '\\nas\alteryx\ALTERYX01\ServerBackup_Full_20261127_010000.zip'; SHA256 = ('c' * 64); SizeBytes = 5242880; Verified = $true; Problem = $null })
        $entries = @(
            (New-DecoratedResult 'CatalogEntry' ([ordered]@{ FileName = 'ServerBackup_Full_20261127_010000.zip'; Mode = 'Full'; Timestamp = '2026-11-27T01:00:00.000Z'; Hostname = 'ALTERYX01'; SizeBytes = 5242880; SHA256 = ('c' * 64); ArchivePath = 'D:\Backups\ServerBackup_Full_20261127_010000.zip'; Locations = @($copy, $copy); Verified = $true; CopiesAgree = $true; Warnings = @() })),
            (New-DecoratedResult 'CatalogEntry' ([ordered]@{ FileName = 'ServerBackup_DB_20261126_010000.zip'; Mode = 'DatabaseOnly'; Timestamp = '2026-11-26T01:00:00.000Z'; Hostname = 'ALTERYX01'; SizeBytes = 1048576; SHA256 = $null; ArchivePath = $null; Locations = @($copy); Verified = $false; CopiesAgree = $false; Warnings = @('copies differ') }))
        )
        $text = $entries | Out-String -Width 120
        Get-TableHeader $text | Should -Be @('Time', 'Mode', 'SizeMB', 'Verified', 'Copies', 'FileName')
        $text | Should -Match '(?m)^2026-11-2\d \d\d:\d\d\s+Full\s+5\.00 True\s+2 ServerBackup_Full_20261127_010000\.zip'
        $text | Should -Match '(?m)DatabaseOnly\s+1\.00 DIFFER\s+1 ServerBackup_DB_20261126_010000\.zip'
        $text | Should -Not -Match '@\{|System\.Collections|System\.Object'
        $copies = $entries[0].Locations | Out-String -Width 120
        Get-TableHeader $copies | Should -Be @('Kind', 'Verified', 'SHA256', 'Location')
    }

    It 'RestoreResult (Restore-AlteryxBackup): Status, Mode, Documents, Files, Downtime, Duration, Warnings, Archive, SafetyCopy' {
        $file = New-DecoratedResult 'RestoreFile' ([ordered]@{ ArchivePath = 'Config/RuntimeSettings.xml'; TargetPath = 'C:\ProgramData\Alteryx\RuntimeSettings.xml'; Existed = $true; SHA256 = ('d' * 64); Verified = $true })
        $result = New-DecoratedResult 'RestoreResult' ([ordered]@{ Status = 'Success'; ExitCode = 0; ArchivePath = 'D:\Backups\ServerBackup_Full_20261127_010000.zip'; RestoreMode = 'Full'; Host = 'ALTERYX01'; SourceHost = 'ALTERYX01'; Phases = @(); DocumentsExpected = 2650; DocumentsRestored = 2650; Collections = @(); Files = @($file); SafetyCopyPath = 'D:\Temp\SafetyCopy_20261127'; DataFolderMovedTo = $null; RolledBack = $false; DowntimeSeconds = 42.5; DurationSeconds = 61; Warnings = @(); Errors = @(); LogPath = $null; Plan = $null })
        $text = $result | Out-String -Width 120
        Get-ListLabel $text | Should -Be @('Status', 'Mode', 'Documents', 'Files', 'Downtime', 'Duration', 'Warnings', 'Archive', 'SafetyCopy')
        $text | Should -Match '(?m)^Documents\s*: 2650 of 2650 restored'
        $text | Should -Match '(?m)^Downtime\s*: 42\.5s'
        $text | Should -Not -Match '@\{|System\.Collections|System\.Object'
        Get-TableHeader ($result.Files | Out-String -Width 120) | Should -Be @('Verified', 'Replaced', 'TargetPath')
    }
}
