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
    Default: the module's current configuration (the last Initialize-BackupEnvironment),
    else config/backup-config.json of the checkout (<module>/../../config) when it
    exists, else <module>/config/backup-config.json.

    .PARAMETER ServiceName
    The Windows service to stop. Default: AlteryxService; when not given, the
    configuration's AlteryxConfiguration.ServiceName.

    .PARAMETER ComputerName
    Act on this node only (a host name from AlteryxConfiguration.Nodes, or the local
    host). Default: the whole configured topology, in Alteryx's order.

    .PARAMETER MaxServiceWaitSeconds
    Seconds to wait for each service state change (1-86400). The contract's default is
    7200; when not given, ServiceConfiguration.MaxServiceWaitSeconds is used (whose
    default is 7200). Alias: MaxServiceWait.

    .PARAMETER MaxWorkflowWaitSeconds
    Seconds to wait for running workflows (AlteryxEngineCmd processes) to finish
    before stopping (0-86400). The contract's default is 3600; when not given,
    ServiceConfiguration.MaxWorkflowWaitSeconds is used (default 3600). Alias:
    MaxWorkflowWait.

    .PARAMETER ForceStop
    $true: kill workflows still running when MaxWorkflowWaitSeconds expires. $false
    (the contract's default): fail with exit code 2 and leave the service running.
    When neither this nor -ForceStopWorkflows is given, ServiceConfiguration.ForceStopWorkflows
    applies.

    .PARAMETER MultiNodeInfo
    The MultiNodeInfo hashtable of data model section 3.2 (Initialize-BackupEnvironment
    returns it as .MultiNodeInfo). When IsMultiNode is $true every node is stopped:
    Workers, then Server UI nodes, then the Controller (Alteryx's order); if one fails,
    the nodes already stopped are started again and the error is thrown. $null (the
    default): the local service only.

    .PARAMETER ForceStopWorkflows
    The older switch form of -ForceStop $true.

    .EXAMPLE
    Stop-AlteryxServiceSafely -MaxWorkflowWaitSeconds 600 -ForceStop $false

    Waits up to 10 minutes for workflows, then stops the service.

    .EXAMPLE
    Stop-AlteryxServiceSafely -ForceStopWorkflows -WhatIf

    Shows what would be stopped, without stopping anything.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.ServiceStateInfo). The data
    model's ServiceStateInfo (section 3.1), RequiresRollback true when this command
    stopped the service; with -MultiNodeInfo also Nodes (each node's state) and
    Sequence (the order the stops were sent in).

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2 service
    timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6 invalid
    backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType([hashtable])]
    param(
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$ServiceName = 'AlteryxService',

        [Alias('MaxWorkflowWait')]
        [ValidateRange(0, 86400)]
        [int]$MaxWorkflowWaitSeconds = 3600,

        [Alias('MaxServiceWait')]
        [ValidateRange(1, 86400)]
        [int]$MaxServiceWaitSeconds = 7200,

        [bool]$ForceStop = $false,

        [AlteryxBackupHashtableTransformation()]
        [hashtable]$MultiNodeInfo = $null,

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [ValidateNotNullOrEmpty()]
        [string]$ComputerName,

        [switch]$ForceStopWorkflows
    )

    process {
        $target = $ServiceName
        if ($null -ne $MultiNodeInfo -and [bool]$MultiNodeInfo['IsMultiNode']) { $target = "$ServiceName on every node (Workers, Server UI, Controller)" }
        elseif ($PSBoundParameters.ContainsKey('ComputerName')) { $target = "$ServiceName on $ComputerName" }
        if ($PSBoundParameters.ContainsKey('ConfigPath')) { $target = "$target (configuration $ConfigPath)" }
        if (-not $PSCmdlet.ShouldProcess($target, 'Stop the service after running workflows finish')) { return }
        # Only what the caller gave is sent: unset waits come from the configuration.
        $bound = @{}
        foreach ($key in @($PSBoundParameters.Keys)) { $bound[$key] = $PSBoundParameters[$key] }
        if ($bound.ContainsKey('MultiNodeInfo')) { $bound['MultiNodeInfo'] = ConvertTo-AlteryxBackupRequestValue -Value $MultiNodeInfo }
        $raw = $null
        # A stopped service is what the caller asked for: no repair if node dies.
        try { $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $bound -ConfigPath $ConfigPath -NoServiceRepair }
        catch { Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'ServiceStateInfo' -NestedType @{ Nodes = 'ServiceStateInfo' } }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'ServiceStateInfo' -NestedType @{ Nodes = 'ServiceStateInfo' } -LegacyTypeName 'AlteryxBackup.Stop-AlteryxServiceSafely.Result'
    }
}
