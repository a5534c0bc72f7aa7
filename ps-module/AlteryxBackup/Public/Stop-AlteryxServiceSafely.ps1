function Stop-AlteryxServiceSafely {
    <#
    .SYNOPSIS
    Stops AlteryxService after running workflows have finished.

    .DESCRIPTION
    Waits for running workflows (AlteryxEngineCmd processes) up to MaxWorkflowWait
    seconds, then stops AlteryxService and waits up to MaxServiceWait seconds for it
    to reach Stopped. A stop is never sent twice while the service is StopPending.
    With several nodes configured, Workers stop first, then Server UI nodes, then
    the Controller.

    At the workflow timeout the command kills the workflows only with
    -ForceStopWorkflows; otherwise it fails with exit code 2 and leaves the service
    running. -WhatIf describes the stop without contacting the service.

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

    .PARAMETER MaxWorkflowWait
    Seconds to wait for running workflows (AlteryxEngineCmd processes) to finish
    before stopping (0-86400); overrides ServiceConfiguration.MaxWorkflowWaitSeconds
    (default 3600).

    .PARAMETER ForceStopWorkflows
    Kill workflows that are still running when MaxWorkflowWait expires. Without it
    the command fails with exit code 2 and leaves the service running.

    .EXAMPLE
    Stop-AlteryxServiceSafely -MaxWorkflowWait 600

    Waits up to 10 minutes for workflows, then stops the service.

    .EXAMPLE
    Stop-AlteryxServiceSafely -ForceStopWorkflows -WhatIf

    Shows what would be stopped, without stopping anything.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The ServiceStateInfo object of the
    data model, with RequiresRollback true when this command stopped the service.

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
        [int]$MaxServiceWait,

        [ValidateRange(0, 86400)]
        [int]$MaxWorkflowWait,

        [switch]$ForceStopWorkflows
    )

    process {
        $target = 'AlteryxService'
        if ($PSBoundParameters.ContainsKey('ComputerName')) { $target = "AlteryxService on $ComputerName" }
        if ($PSBoundParameters.ContainsKey('ConfigPath')) { $target = "$target (configuration $ConfigPath)" }
        if ($PSCmdlet.ShouldProcess($target, 'Stop the service after running workflows finish')) {
            # A stopped service is what the caller asked for: no repair if node dies.
            Invoke-AlteryxBackupNode -Command $MyInvocation.MyCommand.Name -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -NoServiceRepair
        }
    }
}
