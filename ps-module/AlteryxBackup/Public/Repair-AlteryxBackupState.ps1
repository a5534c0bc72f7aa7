function Repair-AlteryxBackupState {
    <#
    .SYNOPSIS
    Starts AlteryxService again after a backup run was killed while the service was stopped.

    .DESCRIPTION
    A backup run that stops AlteryxService first writes a state marker
    (AlteryxBackup.state.json in TempDirectory) naming every node it stopped. If the
    run is killed (power loss, Stop-Process, a closed console) before it starts the
    service again, the marker stays behind. This command reads it and, unless that run
    is still alive, ends any dump it left running, starts every recorded node in
    Alteryx's order (Controller, then Server UI nodes, then Workers) and removes the
    marker. Without a marker there is nothing to do and nothing is touched.

    The module runs the same repair itself when node dies under it; run this command
    after anything else killed a run (the log's last lines say the service was
    stopped and never started). -WhatIf reads the marker and says what would be
    started, touching nothing.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json) of the killed run. Relative
    paths and PowerShell drives are resolved to an absolute path before the request is
    sent. Default: the module's current configuration (the last
    Initialize-BackupEnvironment), else config/backup-config.json of the checkout
    (<module>/../../config) when it exists, else <module>/config/backup-config.json.

    .PARAMETER TempDirectory
    The TempDirectory of the killed run, where its marker is; overrides
    BackupConfiguration.TempDirectory.

    .PARAMETER LogDirectory
    Folder for this command's log lines; overrides BackupConfiguration.LogDirectory.

    .EXAMPLE
    Repair-AlteryxBackupState -WhatIf

    Shows whether a killed run left the service stopped, and which nodes would be
    started.

    .EXAMPLE
    Repair-AlteryxBackupState -ConfigPath 'C:\AlteryxBackup\config\backup-config.json'

    Starts again the nodes a killed run stopped, and removes its marker.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.RepairResult): outcome
    (no-marker, run-still-active, other-host, corrupt-marker, repaired, or under
    -WhatIf would-repair), message, and the nodes started with the order used.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success (also: nothing to repair), 1 general
    error, 2 service timeout, 3 validation failure. On failure the command throws a
    terminating error whose FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType([hashtable])]
    param(
        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [ValidateNotNullOrEmpty()]
        [string]$TempDirectory,

        [ValidateNotNullOrEmpty()]
        [string]$LogDirectory
    )

    process {
        $whatIfOnly = $false
        if (-not $PSCmdlet.ShouldProcess('AlteryxService nodes recorded in the state marker', 'Start them again and remove the marker')) {
            if (-not $WhatIfPreference) { return }
            $whatIfOnly = $true
        }
        $raw = $null
        try { $raw = Invoke-AlteryxBackupCommand -Command $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ConfigPath $ConfigPath -WhatIfRequest:$whatIfOnly -NoServiceRepair }
        catch { Resolve-AlteryxBackupFailure -ErrorRecord $_ -Cmdlet $PSCmdlet -TypeName 'RepairResult' }
        ConvertTo-AlteryxBackupResult -InputObject $raw -TypeName 'RepairResult'
    }
}
