function Test-AlteryxServiceState {
    <#
    .SYNOPSIS
    Reports the state of AlteryxService and of running workflows.

    .DESCRIPTION
    Queries AlteryxService (or -ServiceName) on the configured host, real or
    simulated, and counts running AlteryxEngineCmd workflow processes
    (WorkflowProcessCount). A service that does not exist is an error
    (SERVICE_NOT_FOUND, exit code 3), not a state. Changes nothing.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: the module's current configuration (the last Initialize-BackupEnvironment),
    else config/backup-config.json of the checkout (<module>/../../config) when it
    exists, else <module>/config/backup-config.json.

    .PARAMETER ServiceName
    The Windows service to query (CONTRACTS.md section 2). Default: AlteryxService;
    when not given, the configuration's AlteryxConfiguration.ServiceName is used
    (AlteryxService unless changed).

    .PARAMETER ComputerName
    Report only this node (a host name from AlteryxConfiguration.Nodes). Default:
    the local controller.

    .EXAMPLE
    Test-AlteryxServiceState

    Shows whether AlteryxService is Running, Stopped, StopPending, StartPending,
    Paused or Disabled.

    .EXAMPLE
    Test-AlteryxServiceState -ConfigPath 'C:\AlteryxBackup\config\backup-config.json' | Select-Object CurrentState, HasActiveWorkflows

    Checks the host described by a specific configuration file.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.ServiceStateInfo). ServiceName,
    CurrentState, HasActiveWorkflows, WorkflowProcessCount (CONTRACTS.md section 2) and
    the rest of the data model's ServiceStateInfo (InitialState, StartType, Host, ...).

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$ServiceName = 'AlteryxService',

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [ValidateNotNullOrEmpty()]
        [string]$ComputerName
    )

    process {
        $raw = $null
        try { $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath }
        catch { Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'ServiceStateInfo' }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'ServiceStateInfo' -LegacyTypeName 'AlteryxBackup.Test-AlteryxServiceState.Result'
    }
}
