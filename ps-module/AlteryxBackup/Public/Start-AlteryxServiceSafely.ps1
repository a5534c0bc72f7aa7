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
    Default: the module's current configuration (the last Initialize-BackupEnvironment),
    else config/backup-config.json of the checkout (<module>/../../config) when it
    exists, else <module>/config/backup-config.json.

    .PARAMETER ServiceName
    The Windows service to start. Default: AlteryxService; when not given, the
    configuration's AlteryxConfiguration.ServiceName.

    .PARAMETER MultiNodeInfo
    The MultiNodeInfo hashtable of data model section 3.2. When IsMultiNode is $true
    every node is started: the Controller, then Server UI nodes, then Workers; a failed
    node does not keep the others from starting, then the first error is thrown.
    $null (the default): the local service only.

    .PARAMETER ComputerName
    Act on this node only (a host name from AlteryxConfiguration.Nodes, or the local
    host). Default: the whole configured topology, in Alteryx's order.

    .PARAMETER MaxServiceWaitSeconds
    Seconds to wait for each service state change (1-86400). The contract's default is
    7200; when not given, ServiceConfiguration.MaxServiceWaitSeconds is used (default
    7200). Alias: MaxServiceWait.

    .EXAMPLE
    Start-AlteryxServiceSafely

    Starts the service and waits for it.

    .EXAMPLE
    Start-AlteryxServiceSafely -MaxServiceWaitSeconds 900 -ConfigPath 'C:\AlteryxBackup\config\backup-config.json'

    Starts the service of a specific configuration, waiting at most 15 minutes.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.ServiceStateInfo). The data
    model's ServiceStateInfo (section 3.1); with -MultiNodeInfo also Nodes (each
    node's state) and Sequence (the order the starts were sent in).

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

        [Alias('MaxServiceWait')]
        [ValidateRange(1, 86400)]
        [int]$MaxServiceWaitSeconds = 7200,

        [AlteryxBackupHashtableTransformation()]
        [hashtable]$MultiNodeInfo = $null,

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [ValidateNotNullOrEmpty()]
        [string]$ComputerName
    )

    process {
        $target = $ServiceName
        if ($null -ne $MultiNodeInfo -and [bool]$MultiNodeInfo['IsMultiNode']) { $target = "$ServiceName on every node (Controller, Server UI, Workers)" }
        elseif ($PSBoundParameters.ContainsKey('ComputerName')) { $target = "$ServiceName on $ComputerName" }
        if ($PSBoundParameters.ContainsKey('ConfigPath')) { $target = "$target (configuration $ConfigPath)" }
        if (-not $PSCmdlet.ShouldProcess($target, 'Start the service')) { return }
        $bound = @{}
        foreach ($key in @($PSBoundParameters.Keys)) { $bound[$key] = $PSBoundParameters[$key] }
        if ($bound.ContainsKey('MultiNodeInfo')) { $bound['MultiNodeInfo'] = ConvertTo-AlteryxBackupRequestValue -Value $MultiNodeInfo }
        $raw = $null
        try { $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $bound -ConfigPath $ConfigPath }
        catch { Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'ServiceStateInfo' -NestedType @{ Nodes = 'ServiceStateInfo' } }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'ServiceStateInfo' -NestedType @{ Nodes = 'ServiceStateInfo' } -LegacyTypeName 'AlteryxBackup.Start-AlteryxServiceSafely.Result'
    }
}
