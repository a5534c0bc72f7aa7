# Register-/Get-/Unregister-AlteryxBackupSchedule. The ScheduledTasks module
# exists only on Windows, so each of its cmdlets is stood in by a global test
# double that records its arguments and keeps a task table, shaped like the
# real objects (MSFT_ScheduledTask: TaskName, TaskPath, State, Actions.Execute/
# Arguments, Principal.UserId/RunLevel, Settings.*; see
# https://learn.microsoft.com/powershell/module/scheduledtasks/). Real
# Register-ScheduledTask refuses an existing name without -Force; so does the double.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force

    $global:FakeTaskCalls = New-Object System.Collections.Generic.List[object]
    $global:FakeTasks = @{}
    function global:Record-FakeTaskCall { param([string]$Name, [hashtable]$Bound) $global:FakeTaskCalls.Add([pscustomobject]@{ Name = $Name; Args = $Bound }) }
    function global:New-ScheduledTaskAction { param([string]$Execute, [string]$Argument, [string]$WorkingDirectory) Record-FakeTaskCall 'New-ScheduledTaskAction' $PSBoundParameters; [pscustomobject]@{ Execute = $Execute; Arguments = $Argument; WorkingDirectory = $WorkingDirectory } }
    function global:New-ScheduledTaskTrigger { param([switch]$Daily, [switch]$Weekly, [System.DayOfWeek[]]$DaysOfWeek, [datetime]$At) Record-FakeTaskCall 'New-ScheduledTaskTrigger' $PSBoundParameters; $t = [ordered]@{ StartBoundary = $At.ToString('s') }; if ($Weekly) { $t.DaysOfWeek = ($DaysOfWeek -join ',') } else { $t.DaysInterval = 1 }; [pscustomobject]$t }
    function global:New-ScheduledTaskPrincipal { param([string]$UserId, [string]$LogonType, [string]$RunLevel) Record-FakeTaskCall 'New-ScheduledTaskPrincipal' $PSBoundParameters; [pscustomobject]@{ UserId = $UserId; LogonType = $LogonType; RunLevel = $RunLevel } }
    function global:New-ScheduledTaskSettingsSet { param([string]$MultipleInstances, [switch]$StartWhenAvailable, [TimeSpan]$ExecutionTimeLimit) Record-FakeTaskCall 'New-ScheduledTaskSettingsSet' $PSBoundParameters; [pscustomobject]@{ MultipleInstances = $MultipleInstances; StartWhenAvailable = [bool]$StartWhenAvailable; ExecutionTimeLimit = [System.Xml.XmlConvert]::ToString($ExecutionTimeLimit) } }
    function global:Register-ScheduledTask {
        param([string]$TaskName, [string]$TaskPath, $Action, $Trigger, $Settings, $Principal, [string]$User, [string]$Password, [string]$RunLevel, [string]$Description, [switch]$Force)
        Record-FakeTaskCall 'Register-ScheduledTask' $PSBoundParameters
        $key = "$TaskPath$TaskName"
        if ($global:FakeTasks.ContainsKey($key) -and -not $Force) { throw "Cannot create a file when that file already exists. ($key)" }
        if ($null -eq $Principal) { $Principal = [pscustomobject]@{ UserId = $User; LogonType = 'Password'; RunLevel = $RunLevel } }
        $global:FakeTasks[$key] = [pscustomobject]@{ TaskName = $TaskName; TaskPath = $TaskPath; State = 'Ready'; Actions = @($Action); Triggers = @($Trigger); Principal = $Principal; Settings = $Settings }
        $global:FakeTasks[$key]
    }
    function global:Get-ScheduledTask {
        [CmdletBinding()] param([string]$TaskName, [string]$TaskPath)
        Record-FakeTaskCall 'Get-ScheduledTask' $PSBoundParameters
        $found = @($global:FakeTasks.Values | Where-Object { ($TaskPath -eq '' -or $_.TaskPath -eq $TaskPath) -and ($TaskName -eq '' -or $_.TaskName -eq $TaskName) } | Sort-Object TaskName)
        if ($found.Count -eq 0 -and $TaskName) { Write-Error "No MSFT_ScheduledTask objects found with property 'TaskName' equal to '$TaskName'." }
        $found
    }
    function global:Unregister-ScheduledTask {
        [CmdletBinding(SupportsShouldProcess = $true)] param([string]$TaskName, [string]$TaskPath)
        Record-FakeTaskCall 'Unregister-ScheduledTask' $PSBoundParameters
        $global:FakeTasks.Remove("$TaskPath$TaskName")
    }

    # A configuration in a folder with spaces, with its own timeouts.
    $configDir = Join-Path $TestDrive 'Program Data With Spaces'
    $null = New-Item -ItemType Directory -Path $configDir
    $configPath = Join-Path $configDir 'backup-config.json'
    Set-Content -LiteralPath $configPath -Value '{ "ServiceConfiguration": { "MaxServiceWaitSeconds": 600, "MaxWorkflowWaitSeconds": 300 }, "MongoDBConfiguration": { "DumpTimeoutSeconds": 1800 } }'
    $taskScript = [System.IO.Path]::GetFullPath((Join-Path $ModuleFolder (Join-Path '..' 'Invoke-AlteryxBackup.ps1')))
}

AfterAll {
    foreach ($name in @('Record-FakeTaskCall', 'New-ScheduledTaskAction', 'New-ScheduledTaskTrigger', 'New-ScheduledTaskPrincipal', 'New-ScheduledTaskSettingsSet', 'Register-ScheduledTask', 'Get-ScheduledTask', 'Unregister-ScheduledTask')) {
        Remove-Item -Path "Function:\$name" -ErrorAction SilentlyContinue
    }
    Remove-Variable -Name FakeTaskCalls, FakeTasks -Scope Global -ErrorAction SilentlyContinue
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'Register-AlteryxBackupSchedule' {
    BeforeEach {
        $global:FakeTaskCalls.Clear()
        $global:FakeTasks.Clear()
    }

    It 'registers powershell.exe with the exact, quoted action line, SYSTEM with RunLevel Highest, IgnoreNew, StartWhenAvailable and a time limit from the configured timeouts' {
        $schedule = Register-AlteryxBackupSchedule -BackupMode Full -Daily -At '02:00' -ConfigPath $configPath
        $action = @($global:FakeTaskCalls | Where-Object Name -eq 'New-ScheduledTaskAction')[0].Args
        $action['Execute'] | Should -Be 'powershell.exe'
        $action['Argument'] | Should -BeExactly ('-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "' + $taskScript + '" -BackupMode Full -ConfigPath "' + $configPath + '"')
        $configPath | Should -Match ' '

        $principal = @($global:FakeTaskCalls | Where-Object Name -eq 'New-ScheduledTaskPrincipal')[0].Args
        $principal['UserId'] | Should -Be 'NT AUTHORITY\SYSTEM'
        $principal['LogonType'] | Should -Be 'ServiceAccount'
        $principal['RunLevel'] | Should -Be 'Highest'

        $settings = @($global:FakeTaskCalls | Where-Object Name -eq 'New-ScheduledTaskSettingsSet')[0].Args
        $settings['MultipleInstances'] | Should -Be 'IgnoreNew'
        $settings['StartWhenAvailable'].IsPresent | Should -BeTrue
        # 300 workflows + 600 stop + 1800 dump + 600 start + 7200 margin
        $settings['ExecutionTimeLimit'] | Should -Be ([TimeSpan]::FromSeconds(10500))

        $trigger = @($global:FakeTaskCalls | Where-Object Name -eq 'New-ScheduledTaskTrigger')[0].Args
        $trigger['Daily'].IsPresent | Should -BeTrue
        $trigger['At'].Hour | Should -Be 2

        $register = @($global:FakeTaskCalls | Where-Object Name -eq 'Register-ScheduledTask')[0].Args
        $register['TaskName'] | Should -Be 'AlteryxBackup Full'
        $register['TaskPath'] | Should -Be '\AlteryxBackup\'
        $register.ContainsKey('Password') | Should -BeFalse

        $schedule.BackupMode | Should -Be 'Full'
        $schedule.RunAs | Should -Be 'NT AUTHORITY\SYSTEM'
        $schedule.RunLevel | Should -Be 'Highest'
        $schedule.MultipleInstances | Should -Be 'IgnoreNew'
        $schedule.StartWhenAvailable | Should -BeTrue
        $schedule.ExecutionTimeLimit | Should -Be 'PT2H55M'
        $schedule.PSObject.TypeNames[0] | Should -Be 'AlteryxBackup.Schedule'
    }

    It 'uses the schema defaults when the configuration sets no timeouts (11 hours for Full), and 2 hours for ConfigOnly' {
        $bare = Join-Path $TestDrive 'bare.json'
        Set-Content -LiteralPath $bare -Value '{}'
        $null = Register-AlteryxBackupSchedule -BackupMode DatabaseOnly -Daily -At '01:00' -ConfigPath $bare
        @($global:FakeTaskCalls | Where-Object Name -eq 'New-ScheduledTaskSettingsSet')[0].Args['ExecutionTimeLimit'] | Should -Be ([TimeSpan]::FromHours(11))
        $null = Register-AlteryxBackupSchedule -BackupMode ConfigOnly -Daily -At '01:00' -ConfigPath $bare
        @($global:FakeTaskCalls | Where-Object Name -eq 'New-ScheduledTaskSettingsSet')[1].Args['ExecutionTimeLimit'] | Should -Be ([TimeSpan]::FromHours(2))
    }

    It 'a second registration of the same mode updates the task (Register-ScheduledTask -Force), never a duplicate' {
        $null = Register-AlteryxBackupSchedule -BackupMode Full -Daily -At '02:00' -ConfigPath $configPath
        $second = Register-AlteryxBackupSchedule -BackupMode Full -Weekly -DaysOfWeek Sunday, Wednesday -At '03:30' -ConfigPath $configPath
        $global:FakeTasks.Count | Should -Be 1
        @($global:FakeTaskCalls | Where-Object Name -eq 'Register-ScheduledTask' | ForEach-Object { $_.Args['Force'].IsPresent }) | Should -Be @($true, $true)
        $second.Schedule | Should -Match 'weekly \(Sunday,Wednesday\)'
        @(Get-AlteryxBackupSchedule).Count | Should -Be 1
        $null = Register-AlteryxBackupSchedule -BackupMode ConfigOnly -Daily -At '04:00' -ConfigPath $configPath
        @(Get-AlteryxBackupSchedule | ForEach-Object BackupMode) | Should -Be @('ConfigOnly', 'Full')
        @(Get-AlteryxBackupSchedule -ConfigPath $configPath).Count | Should -Be 2
        @(Get-AlteryxBackupSchedule -ConfigPath (Join-Path $TestDrive 'other.json')).Count | Should -Be 0
    }

    It '-WhatIf registers nothing and creates no task object' {
        $null = Register-AlteryxBackupSchedule -BackupMode Full -Daily -At '02:00' -ConfigPath $configPath -WhatIf
        $global:FakeTasks.Count | Should -Be 0
        @($global:FakeTaskCalls | Where-Object { $_.Name -ne 'Get-ScheduledTask' }).Count | Should -Be 0
    }

    It '-Credential registers that account with RunLevel Highest and hands its password only to Register-ScheduledTask' {
        $secure = ConvertTo-SecureString 'Tr1cky pass"word' -AsPlainText -Force
        $credential = New-Object System.Management.Automation.PSCredential ('CONTOSO\svc-backup', $secure)
        $schedule = Register-AlteryxBackupSchedule -BackupMode Full -Daily -At '02:00' -Credential $credential -ConfigPath $configPath
        $register = @($global:FakeTaskCalls | Where-Object Name -eq 'Register-ScheduledTask')[0].Args
        $register['User'] | Should -Be 'CONTOSO\svc-backup'
        $register['Password'] | Should -Be 'Tr1cky pass"word'
        $register['RunLevel'] | Should -Be 'Highest'
        $action = @($global:FakeTaskCalls | Where-Object Name -eq 'New-ScheduledTaskAction')[0].Args
        $action['Argument'] | Should -Not -Match 'Tr1cky'
        $schedule.RunAs | Should -Be 'CONTOSO\svc-backup'
    }

    It 'refuses both or neither of -Daily/-Weekly, and -Weekly without days' {
        { Register-AlteryxBackupSchedule -BackupMode Full -At '02:00' -ConfigPath $configPath } | Should -Throw -ErrorId 'SCHEDULE_INVALID,Register-AlteryxBackupSchedule'
        { Register-AlteryxBackupSchedule -BackupMode Full -Daily -Weekly -At '02:00' -ConfigPath $configPath } | Should -Throw -ErrorId 'SCHEDULE_INVALID,Register-AlteryxBackupSchedule'
        { Register-AlteryxBackupSchedule -BackupMode Full -Weekly -At '02:00' -ConfigPath $configPath } | Should -Throw '*-DaysOfWeek*'
        $global:FakeTasks.Count | Should -Be 0
    }

    It 'refuses an invalid mode at binding' {
        { Register-AlteryxBackupSchedule -BackupMode Weekly -Daily -At '02:00' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Register-AlteryxBackupSchedule'
    }
}

Describe 'Unregister-AlteryxBackupSchedule' {
    BeforeEach {
        $global:FakeTaskCalls.Clear()
        $global:FakeTasks.Clear()
        $null = Register-AlteryxBackupSchedule -BackupMode Full -Daily -At '02:00' -ConfigPath $configPath
        $null = Register-AlteryxBackupSchedule -BackupMode ConfigOnly -Daily -At '03:00' -ConfigPath $configPath
    }

    It 'removes one mode, then the rest; -WhatIf removes nothing' {
        Unregister-AlteryxBackupSchedule -BackupMode Full -WhatIf
        $global:FakeTasks.Count | Should -Be 2
        Unregister-AlteryxBackupSchedule -BackupMode Full -Confirm:$false
        @($global:FakeTasks.Keys) | Should -Be @('\AlteryxBackup\AlteryxBackup ConfigOnly')
        Unregister-AlteryxBackupSchedule -Confirm:$false
        $global:FakeTasks.Count | Should -Be 0
        Unregister-AlteryxBackupSchedule -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
        $warned | Should -Match 'No AlteryxBackup scheduled task'
    }
}

Describe 'Without the ScheduledTasks module' {
    It 'says what is missing' {
        Remove-Item -Path 'Function:\Register-ScheduledTask'
        try {
            { Register-AlteryxBackupSchedule -BackupMode Full -Daily -At '02:00' -ConfigPath $configPath } | Should -Throw -ErrorId 'SCHEDULED_TASKS_UNAVAILABLE,Register-AlteryxBackupSchedule'
        }
        finally {
            function global:Register-ScheduledTask { param([string]$TaskName, [string]$TaskPath, $Action, $Trigger, $Settings, $Principal, [string]$User, [string]$Password, [string]$RunLevel, [string]$Description, [switch]$Force) }
        }
    }
}
