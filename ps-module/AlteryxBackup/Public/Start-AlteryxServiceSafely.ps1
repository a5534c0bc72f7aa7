function Start-AlteryxServiceSafely {
    <#
    .SYNOPSIS
    Starts AlteryxService and waits until it is Running.

    .DESCRIPTION
    Starts AlteryxService and waits up to MaxServiceWait seconds for it to reach
    Running. With several nodes configured, the Controller starts first, then Server
    UI nodes, then Workers. -WhatIf describes the start without contacting the
    service.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER ComputerName
    Act on this node only (a host name from AlteryxConfiguration.Nodes, or the local
    host). Default: the whole configured topology, in Alteryx's order.

    .PARAMETER MaxServiceWait
    Seconds to wait for each service state change (1-86400); overrides
    ServiceConfiguration.MaxServiceWaitSeconds (default 7200).

    .EXAMPLE
    Start-AlteryxServiceSafely

    Starts the service and waits for it.

    .EXAMPLE
    Start-AlteryxServiceSafely -MaxServiceWait 900 -ConfigPath 'C:\AlteryxBackup\config\backup-config.json'

    Starts the service of a specific configuration, waiting at most 15 minutes.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The ServiceStateInfo object of the
    data model.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [ValidateNotNullOrEmpty()]
        [string]$ComputerName,

        [ValidateRange(1, 86400)]
        [int]$MaxServiceWait
    )

    process {
        $target = 'AlteryxService'
        if ($PSBoundParameters.ContainsKey('ComputerName')) { $target = "AlteryxService on $ComputerName" }
        if ($PSBoundParameters.ContainsKey('ConfigPath')) { $target = "$target (configuration $ConfigPath)" }
        if ($PSCmdlet.ShouldProcess($target, 'Start the service')) {
            Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath
        }
    }
}
