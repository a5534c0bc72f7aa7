function Test-AlteryxServiceState {
    <#
    .SYNOPSIS
    Reports the state of AlteryxService and of running workflows.

    .DESCRIPTION
    Queries the configured AlteryxService (AlteryxConfiguration.ServiceName) on the
    configured host, real or simulated, and counts running AlteryxEngineCmd workflow
    processes. For a multi-node configuration (AlteryxConfiguration.Nodes) every
    node is reported. Changes nothing.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

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
    System.Management.Automation.PSCustomObject. The ServiceStateInfo object of the
    data model (ServiceName, InitialState, CurrentState, HasActiveWorkflows, ...).

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [ValidateNotNullOrEmpty()]
        [string]$ComputerName
    )

    process {
        Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath
    }
}
