function Write-AlteryxBackupEventLog {
    <#
    .SYNOPSIS
    Writes one Application event log entry for a backup run (Windows only).

    .DESCRIPTION
    Scheduled-task monitoring keys on these entries: source AlteryxBackup,
    event id 1000 success, 1001 success with warnings, 1002 failure. The source
    is registered on first use (that needs administrator rights, which a
    scheduled task running as SYSTEM has). A failure to write is a warning and
    never changes the backup's result. Does nothing off Windows. Does not start node.

    .PARAMETER EventId
    1000, 1001 or 1002.

    .PARAMETER Message
    The entry's text. Never holds a secret: it is built from the summary and
    error message, which the core has already redacted.

    .OUTPUTS
    None.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [ValidateSet(1000, 1001, 1002)] [int]$EventId,
        [Parameter(Mandatory = $true)] [string]$Message
    )

    if ($env:OS -ne 'Windows_NT') { return }
    $entryType = 'Information'
    if ($EventId -eq 1001) { $entryType = 'Warning' }
    elseif ($EventId -eq 1002) { $entryType = 'Error' }
    try {
        if (-not [System.Diagnostics.EventLog]::SourceExists('AlteryxBackup')) {
            [System.Diagnostics.EventLog]::CreateEventSource('AlteryxBackup', 'Application')
        }
        [System.Diagnostics.EventLog]::WriteEntry('AlteryxBackup', $Message, [System.Diagnostics.EventLogEntryType]$entryType, $EventId)
    }
    catch {
        Write-Warning "Could not write event $EventId to the Application event log (source AlteryxBackup): $($_.Exception.Message)"
    }
}
