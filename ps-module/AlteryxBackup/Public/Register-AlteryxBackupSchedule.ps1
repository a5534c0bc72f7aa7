function Register-AlteryxBackupSchedule {
    <#
    .SYNOPSIS
    Registers (or updates) the Windows scheduled task that runs a backup mode.

    .DESCRIPTION
    Creates the task '\AlteryxBackup\AlteryxBackup <Mode>' with the ScheduledTasks
    module. One task per mode: registering the same mode again updates that task
    (Register-ScheduledTask -Force), it never adds a second one.

    The task runs
      powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "<module>\Invoke-AlteryxBackup.ps1" -BackupMode <Mode> -ConfigPath "<config>"
    with both paths quoted (they may contain spaces), as SYSTEM (or the given
    account) with RunLevel Highest, MultipleInstances IgnoreNew (a run still
    going when the next is due is not doubled), StartWhenAvailable (a run missed
    while the server was off starts when it is back) and an ExecutionTimeLimit
    derived from the configured timeouts (MaxWorkflowWaitSeconds +
    2 x MaxServiceWaitSeconds + DumpTimeoutSeconds + 2 hours; 2 hours for
    ConfigOnly). The task's exit code is the backup's (0-6).

    .PARAMETER BackupMode
    Full, DatabaseOnly or ConfigOnly.

    .PARAMETER Daily
    Run every day at -At.

    .PARAMETER Weekly
    Run every week on -DaysOfWeek at -At.

    .PARAMETER DaysOfWeek
    The days for -Weekly, e.g. Sunday or Monday, Thursday.

    .PARAMETER At
    The time of day, e.g. 2am or '02:30'.

    .PARAMETER RunAs
    SYSTEM (the default): no password is stored. Network destinations are then
    reached as the computer account (DOMAIN\HOST$).

    .PARAMETER Credential
    Run as this account instead (it must be a local administrator). Its password
    is handed to the Task Scheduler only.

    .PARAMETER ConfigPath
    The configuration the task uses. Default: the module's default configuration
    ($env:ProgramData\AlteryxBackup\backup-config.json once installed). Stored
    as an absolute path.

    .EXAMPLE
    Register-AlteryxBackupSchedule -BackupMode Full -Daily -At 2am

    Runs a Full backup every night at 02:00 as SYSTEM.

    .EXAMPLE
    Register-AlteryxBackupSchedule -BackupMode ConfigOnly -Weekly -DaysOfWeek Sunday -At '03:30' -WhatIf

    Shows the task that would be registered and changes nothing.

    .OUTPUTS
    AlteryxBackup.Schedule: the registered task (see Get-AlteryxBackupSchedule).
    #>
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'System')]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode,

        [switch]$Daily,

        [switch]$Weekly,

        [System.DayOfWeek[]]$DaysOfWeek,

        [Parameter(Mandatory = $true)]
        [datetime]$At,

        [Parameter(ParameterSetName = 'System')]
        [ValidateSet('SYSTEM')]
        [string]$RunAs = 'SYSTEM',

        [Parameter(Mandatory = $true, ParameterSetName = 'Credential')]
        [System.Management.Automation.PSCredential]$Credential,

        [string]$ConfigPath
    )

    $fail = {
        param([string]$Id, [string]$Message, $Target)
        $exception = New-Object System.ArgumentException $Message
        $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord $exception, $Id, ([System.Management.Automation.ErrorCategory]::InvalidArgument), $Target))
    }
    if ($Daily -eq $Weekly) { & $fail 'SCHEDULE_INVALID' 'Give exactly one of -Daily or -Weekly.' $null }
    if ($Weekly -and ($null -eq $DaysOfWeek -or $DaysOfWeek.Count -eq 0)) { & $fail 'SCHEDULE_INVALID' '-Weekly needs -DaysOfWeek (e.g. -DaysOfWeek Sunday).' $null }
    if ($Daily -and $null -ne $DaysOfWeek -and $DaysOfWeek.Count -gt 0) { & $fail 'SCHEDULE_INVALID' '-DaysOfWeek goes with -Weekly, not -Daily.' $DaysOfWeek }

    if ([string]::IsNullOrEmpty($ConfigPath)) { $ConfigPath = Get-AlteryxBackupDefaultConfigPath }
    $ConfigPath = [System.IO.Path]::GetFullPath($PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ConfigPath))
    $script = Get-AlteryxBackupTaskScript
    foreach ($path in @($ConfigPath, $script)) {
        if ($path.Contains('"')) { & $fail 'SCHEDULE_INVALID' "The path '$path' contains a double quote, which a task's command line cannot carry." $path }
    }
    if (-not [System.IO.File]::Exists($ConfigPath)) {
        Write-Warning "The configuration '$ConfigPath' does not exist yet; the task will fail until it does."
    }

    $taskName = Get-AlteryxBackupScheduleTaskName -BackupMode $BackupMode
    $arguments = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "{0}" -BackupMode {1} -ConfigPath "{2}"' -f $script, $BackupMode, $ConfigPath
    $limit = Get-AlteryxBackupTaskTimeLimit -ConfigPath $ConfigPath -BackupMode $BackupMode
    $account = 'NT AUTHORITY\SYSTEM'
    if ($PSCmdlet.ParameterSetName -eq 'Credential') { $account = $Credential.UserName }
    $when = 'daily'
    if ($Weekly) { $when = 'weekly on ' + (($DaysOfWeek | ForEach-Object { [string]$_ }) -join ', ') }
    $description = "$taskName, $when at $($At.ToString('HH:mm')) as $account (time limit $limit): powershell.exe $arguments"

    if (-not $PSCmdlet.ShouldProcess("$($script:ScheduleTaskPath)$taskName", "Register scheduled task: $description")) {
        return
    }
    Assert-AlteryxBackupScheduledTasksAvailable -Cmdlet $PSCmdlet

    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $arguments -WorkingDirectory ([System.IO.Path]::GetDirectoryName($script))
    if ($Daily) { $trigger = New-ScheduledTaskTrigger -Daily -At $At }
    else { $trigger = New-ScheduledTaskTrigger -Weekly -DaysOfWeek $DaysOfWeek -At $At }
    $settings = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -StartWhenAvailable -ExecutionTimeLimit $limit
    $existing = @(Get-ScheduledTask -TaskName $taskName -TaskPath $script:ScheduleTaskPath -ErrorAction SilentlyContinue)

    $register = @{
        TaskName    = $taskName
        TaskPath    = $script:ScheduleTaskPath
        Action      = $action
        Trigger     = $trigger
        Settings    = $settings
        Description = "AlteryxBackup $BackupMode backup (registered by Register-AlteryxBackupSchedule)."
        Force       = $true
    }
    if ($PSCmdlet.ParameterSetName -eq 'Credential') {
        # The User parameter set: the password goes to the Task Scheduler and nowhere else.
        $register['User'] = $Credential.UserName
        $register['Password'] = $Credential.GetNetworkCredential().Password
        $register['RunLevel'] = 'Highest'
    }
    else {
        $register['Principal'] = New-ScheduledTaskPrincipal -UserId $account -LogonType ServiceAccount -RunLevel Highest
    }
    try { $null = Register-ScheduledTask @register -ErrorAction Stop }
    finally { $register.Clear() }

    $verb = 'Registered'
    if ($existing.Count -gt 0) { $verb = 'Updated' }
    Write-Verbose "$verb $description"
    Get-AlteryxBackupSchedule -BackupMode $BackupMode
}
