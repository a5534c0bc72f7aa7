function Write-Log {
    <#
    .SYNOPSIS
    Writes one timestamped line to the console and to the run's log file.

    .DESCRIPTION
    CONTRACTS.md section 14. Writes "yyyy-MM-dd HH:mm:ss [LEVEL] Message" (the format
    of the module's own log lines) to the console and appends it to -LogPath, by
    default the current run's log: the LogFilePath of the last
    Initialize-BackupEnvironment in this session. ERROR, WARNING and SUCCESS lines are
    shown in red, yellow and green; DEBUG lines only with -Verbose. No output.

    A failed file write (folder missing and not creatable, access denied, disk full)
    is reported on the console as a warning and never thrown, so logging can never
    stop a backup script. Without -LogPath and without a session, the line goes to
    the console only. Do not log secrets: Write-Log writes exactly what it is given.

    .PARAMETER Message
    The text of the line.

    .PARAMETER Level
    DEBUG, INFO (the default), WARNING, ERROR or SUCCESS.

    .PARAMETER LogPath
    The log file to append to; created with its folder when missing. Default: the
    session's LogFilePath (Initialize-BackupEnvironment).

    .EXAMPLE
    Write-Log -Message 'Starting the Full backup' -Level INFO

    Appends the line to the current run's log and shows it.

    .EXAMPLE
    Write-Log 'Copy to \\backup01 failed' -Level WARNING -LogPath 'D:\Logs\custom.log'

    Writes a warning line to a specific log.

    .OUTPUTS
    None.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [AllowEmptyString()]
        [string]$Message,

        [Parameter(Position = 1)]
        [ValidateSet('DEBUG', 'INFO', 'WARNING', 'ERROR', 'SUCCESS')]
        [string]$Level = 'INFO',

        [string]$LogPath
    )

    process {
        $line = '{0} [{1}] {2}' -f (Get-Date).ToString('yyyy-MM-dd HH:mm:ss', [System.Globalization.CultureInfo]::InvariantCulture), $Level.ToUpperInvariant(), $Message
        $target = $LogPath
        if ([string]::IsNullOrEmpty($target) -and $null -ne $script:AlteryxBackupSession) { $target = [string]$script:AlteryxBackupSession.LogFilePath }

        switch ($Level.ToUpperInvariant()) {
            'DEBUG' { Write-Verbose $line }
            'ERROR' { Write-Host $line -ForegroundColor Red }
            'WARNING' { Write-Host $line -ForegroundColor Yellow }
            'SUCCESS' { Write-Host $line -ForegroundColor Green }
            default { Write-Host $line }
        }

        if ([string]::IsNullOrEmpty($target)) { return }
        try {
            $full = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($target)
            $folder = [System.IO.Path]::GetDirectoryName($full)
            if (-not [string]::IsNullOrEmpty($folder) -and -not [System.IO.Directory]::Exists($folder)) { $null = [System.IO.Directory]::CreateDirectory($folder) }
            # UTF-8 without a BOM, like the module's own log lines.
            [System.IO.File]::AppendAllText($full, $line + [Environment]::NewLine, (New-Object System.Text.UTF8Encoding $false))
        }
        catch {
            Write-Warning "Write-Log could not write to '$target': $($_.Exception.Message)"
        }
    }
}
