# Shared by Register-, Get- and Unregister-AlteryxBackupSchedule.
# ScheduledTasks cmdlet syntax (Register-ScheduledTask, New-ScheduledTaskAction,
# New-ScheduledTaskTrigger, New-ScheduledTaskPrincipal, New-ScheduledTaskSettingsSet,
# Get-/Unregister-ScheduledTask): https://learn.microsoft.com/powershell/module/scheduledtasks/
# (MicrosoftDocs/windows-powershell-docs, docset/winserver2019-ps/scheduledtasks/*.md).

$script:ScheduleTaskPath = '\AlteryxBackup\'

function Get-AlteryxBackupScheduleTaskName {
    <#
    .SYNOPSIS
    The task name for a backup mode: 'AlteryxBackup <Mode>' (one task per mode).

    .PARAMETER BackupMode
    Full, DatabaseOnly or ConfigOnly.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][string]$BackupMode)
    return "AlteryxBackup $BackupMode"
}

function Assert-AlteryxBackupScheduledTasksAvailable {
    <#
    .SYNOPSIS
    Throws a clear error when the ScheduledTasks module (Windows 8 / Server 2012 and later) is missing.

    .PARAMETER Cmdlet
    The calling cmdlet, to throw through.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet]$Cmdlet)
    foreach ($name in @('Register-ScheduledTask', 'Get-ScheduledTask', 'Unregister-ScheduledTask', 'New-ScheduledTaskAction', 'New-ScheduledTaskTrigger', 'New-ScheduledTaskPrincipal', 'New-ScheduledTaskSettingsSet')) {
        if ($null -eq (Get-Command -Name $name -ErrorAction SilentlyContinue)) {
            $exception = New-Object System.PlatformNotSupportedException "The ScheduledTasks module is not available here ($name is missing). Scheduling needs Windows Server 2012 or later."
            $Cmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord $exception, 'SCHEDULED_TASKS_UNAVAILABLE', ([System.Management.Automation.ErrorCategory]::NotInstalled), $name))
        }
    }
}

function Get-AlteryxBackupTaskScript {
    <#
    .SYNOPSIS
    The scheduled-task entry script Invoke-AlteryxBackup.ps1: beside the module once installed, one folder up in a checkout.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $installed = [System.IO.Path]::Combine($script:ModuleRoot, 'Invoke-AlteryxBackup.ps1')
    if ([System.IO.File]::Exists($installed)) { return $installed }
    return [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($script:ModuleRoot, '..', 'Invoke-AlteryxBackup.ps1'))
}

function Get-AlteryxBackupConfigSetting {
    <#
    .SYNOPSIS
    One setting of the configuration file by dotted name, else the schema's default.

    .PARAMETER ConfigPath
    The configuration file (may be missing or unreadable: defaults are returned then).

    .PARAMETER Name
    Dotted name, e.g. ServiceConfiguration.MaxServiceWaitSeconds.
    #>
    [CmdletBinding()]
    param([string]$ConfigPath, [Parameter(Mandatory = $true)][string]$Name)
    $segments = $Name.Split('.')
    if (-not [string]::IsNullOrEmpty($ConfigPath)) {
        # $null when the file is missing or not JSON: the schema default then.
        $value = Read-AlteryxBackupConfigFile -ConfigPath $ConfigPath
        foreach ($segment in $segments) {
            if ($null -eq $value -or $null -eq $value.PSObject.Properties[$segment]) { $value = $null; break }
            $value = $value.$segment
        }
        if ($null -ne $value) { return $value }
    }
    $schemaPath = [System.IO.Path]::Combine($script:ModuleRoot, 'config', 'backup-config.schema.json')
    if (-not [System.IO.File]::Exists($schemaPath)) { $schemaPath = [System.IO.Path]::Combine($script:ModuleRoot, '..', '..', 'config', 'backup-config.schema.json') }
    if (-not [System.IO.File]::Exists($schemaPath)) { return $null }
    $node = ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($schemaPath))
    foreach ($segment in $segments) {
        if ($null -eq $node -or $null -eq $node.PSObject.Properties['properties'] -or $null -eq $node.properties.PSObject.Properties[$segment]) { return $null }
        $node = $node.properties.$segment
    }
    if ($null -ne $node.PSObject.Properties['default']) { return $node.default }
    return $null
}

function Get-AlteryxBackupTaskTimeLimit {
    <#
    .SYNOPSIS
    The task's ExecutionTimeLimit, from the configured timeouts.

    .DESCRIPTION
    Full and DatabaseOnly: MaxWorkflowWaitSeconds + MaxServiceWaitSeconds (stop)
    + DumpTimeoutSeconds + MaxServiceWaitSeconds (start) + 2 hours for the
    archive, its verification and the copies. ConfigOnly never touches the
    service or the database: 2 hours. With the defaults (3600, 7200, 14400):
    Full = 3600 + 7200 + 14400 + 7200 + 7200 s = 11 hours.

    .PARAMETER ConfigPath
    The configuration file.

    .PARAMETER BackupMode
    Full, DatabaseOnly or ConfigOnly.
    #>
    [CmdletBinding()]
    [OutputType([TimeSpan])]
    param([string]$ConfigPath, [Parameter(Mandatory = $true)][string]$BackupMode)
    $margin = 7200
    if ($BackupMode -eq 'ConfigOnly') { return [TimeSpan]::FromSeconds($margin) }
    $workflow = [double](Get-AlteryxBackupConfigSetting -ConfigPath $ConfigPath -Name 'ServiceConfiguration.MaxWorkflowWaitSeconds')
    $service = [double](Get-AlteryxBackupConfigSetting -ConfigPath $ConfigPath -Name 'ServiceConfiguration.MaxServiceWaitSeconds')
    $dump = [double](Get-AlteryxBackupConfigSetting -ConfigPath $ConfigPath -Name 'MongoDBConfiguration.DumpTimeoutSeconds')
    return [TimeSpan]::FromSeconds($workflow + $service + $dump + $service + $margin)
}
