function Read-AlteryxBackupConfigFile {
    <#
    .SYNOPSIS
    The configuration file parsed with ConvertFrom-Json, read once per change of the file.

    .DESCRIPTION
    The bridge reads a few settings on the PowerShell side before it starts node
    (AlteryxConfiguration.NodePath, credential files, certificate thumbprints).
    Each cmdlet call used to parse the file once per setting; an admin script
    that calls ten contract functions paid that thirty times (issue 14). The
    parsed object is kept per full path, with the file's last write time and
    length, and parsed again as soon as either changes.

    The object is shared between callers: read it, never change it. Returns
    $null when the file does not exist or is not valid JSON; node reports a
    broken configuration itself (CONFIG_INVALID, with every error).

    .PARAMETER ConfigPath
    The resolved, absolute configuration file path.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ConfigPath)

    if ($null -eq $script:ConfigFileCache) { $script:ConfigFileCache = @{} }
    $info = New-Object System.IO.FileInfo $ConfigPath
    if (-not $info.Exists) { return $null }
    $stamp = '{0}|{1}' -f $info.LastWriteTimeUtc.Ticks, $info.Length
    $cached = $script:ConfigFileCache[$info.FullName]
    if ($null -ne $cached -and $cached.Stamp -eq $stamp) { return $cached.Value }
    $value = $null
    try { $value = ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($info.FullName)) -ErrorAction Stop }
    catch { return $null }
    $script:ConfigFileCache[$info.FullName] = @{ Stamp = $stamp; Value = $value }
    return $value
}
