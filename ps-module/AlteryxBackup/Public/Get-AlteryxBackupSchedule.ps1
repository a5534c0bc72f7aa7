function Get-AlteryxBackupSchedule {
    <#
    .SYNOPSIS
    Lists the scheduled tasks that Register-AlteryxBackupSchedule created.

    .DESCRIPTION
    Reads the tasks under the Task Scheduler folder \AlteryxBackup\ and returns,
    for each, the backup mode, its state, what it runs, as whom, when, and its
    settings. Returns nothing when no task is registered.

    .PARAMETER BackupMode
    Only the task of this mode (Full, DatabaseOnly or ConfigOnly).

    .PARAMETER ConfigPath
    Only tasks that run with this configuration file (compared as an absolute
    path with the task's -ConfigPath argument). Default: every AlteryxBackup task.

    .EXAMPLE
    Get-AlteryxBackupSchedule | Format-Table BackupMode, State, RunAs, Schedule

    Lists every AlteryxBackup task.

    .OUTPUTS
    AlteryxBackup.Schedule: TaskName, TaskPath, BackupMode, State, Execute,
    Arguments, RunAs, RunLevel, Schedule, MultipleInstances, StartWhenAvailable,
    ExecutionTimeLimit.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode,

        [string]$ConfigPath
    )
    Assert-AlteryxBackupScheduledTasksAvailable -Cmdlet $PSCmdlet
    $query = @{ TaskPath = $script:ScheduleTaskPath; ErrorAction = 'SilentlyContinue' }
    if (-not [string]::IsNullOrEmpty($BackupMode)) { $query['TaskName'] = Get-AlteryxBackupScheduleTaskName -BackupMode $BackupMode }
    $configArgument = $null
    if (-not [string]::IsNullOrEmpty($ConfigPath)) {
        $configArgument = '-ConfigPath "' + [System.IO.Path]::GetFullPath($PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ConfigPath)) + '"'
    }
    foreach ($task in @(Get-ScheduledTask @query)) {
        if ($null -eq $task) { continue }
        if ($null -ne $configArgument -and -not ([string](@($task.Actions)[0].Arguments)).EndsWith($configArgument, [System.StringComparison]::OrdinalIgnoreCase)) { continue }
        $mode = ([string]$task.TaskName) -replace '^AlteryxBackup ', ''
        $action = @($task.Actions) | Select-Object -First 1
        $schedule = @()
        foreach ($trigger in @($task.Triggers)) {
            if ($null -eq $trigger) { continue }
            $text = [string]$trigger.StartBoundary
            if ($null -ne $trigger.PSObject.Properties['DaysOfWeek'] -and $null -ne $trigger.DaysOfWeek) { $text = "weekly ($($trigger.DaysOfWeek)) from $text" }
            elseif ($null -ne $trigger.PSObject.Properties['DaysInterval'] -and $null -ne $trigger.DaysInterval) { $text = "daily from $text" }
            $schedule += $text
        }
        [pscustomobject]@{
            PSTypeName         = 'AlteryxBackup.Schedule'
            TaskName           = [string]$task.TaskName
            TaskPath           = [string]$task.TaskPath
            BackupMode         = $mode
            State              = [string]$task.State
            Execute            = [string]$action.Execute
            Arguments          = [string]$action.Arguments
            RunAs              = [string]$task.Principal.UserId
            RunLevel           = [string]$task.Principal.RunLevel
            Schedule           = ($schedule -join '; ')
            MultipleInstances  = [string]$task.Settings.MultipleInstances
            StartWhenAvailable = [bool]$task.Settings.StartWhenAvailable
            ExecutionTimeLimit = [string]$task.Settings.ExecutionTimeLimit
        }
    }
}
