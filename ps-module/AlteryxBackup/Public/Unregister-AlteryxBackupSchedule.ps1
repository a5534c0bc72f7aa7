function Unregister-AlteryxBackupSchedule {
    <#
    .SYNOPSIS
    Removes the scheduled tasks that Register-AlteryxBackupSchedule created.

    .DESCRIPTION
    Removes the task of one backup mode, or every task under \AlteryxBackup\
    when -BackupMode is not given. Configuration, logs and backups are not
    touched. Supports -WhatIf and -Confirm.

    .PARAMETER BackupMode
    Only the task of this mode (Full, DatabaseOnly or ConfigOnly).

    .PARAMETER ConfigPath
    Only tasks that run with this configuration file (compared as an absolute
    path with the task's -ConfigPath argument). Default: every AlteryxBackup task.

    .EXAMPLE
    Unregister-AlteryxBackupSchedule -BackupMode Full

    Removes the Full backup task.

    .EXAMPLE
    Unregister-AlteryxBackupSchedule -WhatIf

    Lists the tasks that would be removed.

    .OUTPUTS
    None.
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode,

        [string]$ConfigPath
    )
    Assert-AlteryxBackupScheduledTasksAvailable -Cmdlet $PSCmdlet
    $query = @{ TaskPath = $script:ScheduleTaskPath; ErrorAction = 'SilentlyContinue' }
    if (-not [string]::IsNullOrEmpty($BackupMode)) { $query['TaskName'] = Get-AlteryxBackupScheduleTaskName -BackupMode $BackupMode }
    $tasks = @(Get-ScheduledTask @query | Where-Object { $null -ne $_ })
    if (-not [string]::IsNullOrEmpty($ConfigPath)) {
        $configArgument = '-ConfigPath "' + [System.IO.Path]::GetFullPath($PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ConfigPath)) + '"'
        $tasks = @($tasks | Where-Object { ([string](@($_.Actions)[0].Arguments)).EndsWith($configArgument, [System.StringComparison]::OrdinalIgnoreCase) })
    }
    if ($tasks.Count -eq 0) {
        Write-Warning "No AlteryxBackup scheduled task$(if ($BackupMode) { " for $BackupMode" }) is registered."
        return
    }
    foreach ($task in $tasks) {
        if ($PSCmdlet.ShouldProcess("$($task.TaskPath)$($task.TaskName)", 'Unregister scheduled task')) {
            Unregister-ScheduledTask -TaskName $task.TaskName -TaskPath $task.TaskPath -Confirm:$false -ErrorAction Stop
        }
    }
}
