# Small probes behind Test-AlteryxBackupPrerequisite, one per function so that
# tests can replace the ones that depend on the machine (elevation, sc.exe).

function Test-AlteryxBackupAdministrator {
    <#
    .SYNOPSIS
    True when the session is elevated (Windows: the Administrators role; elsewhere: uid 0).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $principal = New-Object System.Security.Principal.WindowsPrincipal ([System.Security.Principal.WindowsIdentity]::GetCurrent())
        return [bool]$principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
    }
    $id = Get-Command -Name 'id' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -eq $id) { return $false }
    return ((& $id.Source '-u') -eq '0')
}

function Test-AlteryxBackupWritablePath {
    <#
    .SYNOPSIS
    Whether a folder is writable (a probe file is created and deleted), or, when it does not exist, whether its nearest existing parent is.

    .PARAMETER Path
    The folder.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Path)
    $probeIn = {
        param([string]$Folder)
        $probe = [System.IO.Path]::Combine($Folder, ('.alteryxbackup-probe-' + [guid]::NewGuid().ToString('N')))
        try {
            [System.IO.File]::WriteAllText($probe, 'probe')
            [System.IO.File]::Delete($probe)
            return $null
        }
        catch { return $_.Exception.Message }
    }
    if ($Path.StartsWith('\\') -and [System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) {
        return [pscustomobject]@{ Passed = $false; Detail = "'$Path' is a UNC path, which this platform cannot open." }
    }
    if ([System.IO.Directory]::Exists($Path)) {
        $problem = & $probeIn $Path
        if ($null -eq $problem) { return [pscustomobject]@{ Passed = $true; Detail = "'$Path' exists and is writable." } }
        return [pscustomobject]@{ Passed = $false; Detail = "'$Path' exists but is not writable: $problem" }
    }
    $parent = $Path
    while (-not [string]::IsNullOrEmpty($parent) -and -not [System.IO.Directory]::Exists($parent)) {
        if ([System.IO.File]::Exists($parent)) {
            return [pscustomobject]@{ Passed = $false; Detail = "'$Path' cannot be created: '$parent' is a file." }
        }
        $parent = [System.IO.Path]::GetDirectoryName($parent)
    }
    if ([string]::IsNullOrEmpty($parent)) {
        return [pscustomobject]@{ Passed = $false; Detail = "'$Path' does not exist and no parent of it exists (a missing drive or share)." }
    }
    $problem = & $probeIn $parent
    if ($null -eq $problem) { return [pscustomobject]@{ Passed = $true; Detail = "'$Path' does not exist yet; it can be created in '$parent'." } }
    return [pscustomobject]@{ Passed = $false; Detail = "'$Path' does not exist and cannot be created: '$parent' is not writable ($problem)." }
}

function Get-AlteryxBackupFreeSpace {
    <#
    .SYNOPSIS
    Free bytes on the drive (mount) that holds a folder.

    .PARAMETER Path
    An existing folder.
    #>
    [CmdletBinding()]
    [OutputType([long])]
    param([Parameter(Mandatory = $true)][string]$Path)
    $full = [System.IO.Path]::GetFullPath($Path)
    $best = $null
    foreach ($drive in [System.IO.DriveInfo]::GetDrives()) {
        try { if (-not $drive.IsReady) { continue } } catch { continue }
        $rootName = $drive.RootDirectory.FullName
        $comparison = [System.StringComparison]::Ordinal
        if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) { $comparison = [System.StringComparison]::OrdinalIgnoreCase }
        if ($full.StartsWith($rootName, $comparison) -and ($null -eq $best -or $rootName.Length -gt $best.RootDirectory.FullName.Length)) { $best = $drive }
    }
    if ($null -eq $best) { return [long]0 }
    return [long]$best.AvailableFreeSpace
}

function Test-AlteryxBackupReadableFile {
    <#
    .SYNOPSIS
    Whether a credential file can be opened for reading here, and (Windows) whether its ACL lets the task account read it.

    .PARAMETER Path
    The credential file.

    .PARAMETER Account
    The account the scheduled task runs as (SYSTEM by default).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Path, [string]$Account = 'SYSTEM')
    if (-not [System.IO.File]::Exists($Path)) {
        return [pscustomobject]@{ Passed = $false; Detail = "'$Path' does not exist or is not a file." }
    }
    try {
        $stream = [System.IO.File]::Open($Path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, [System.IO.FileShare]::Read)
        $stream.Dispose()
    }
    catch {
        return [pscustomobject]@{ Passed = $false; Detail = "'$Path' cannot be read by $([Environment]::UserName): $($_.Exception.Message)" }
    }
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT -and $Account -eq 'SYSTEM') {
        # SYSTEM (S-1-5-18) or Administrators (S-1-5-32-544) must hold a read grant on the file.
        $readers = @()
        try {
            $acl = Get-Acl -LiteralPath $Path
            foreach ($rule in $acl.Access) {
                if ($rule.AccessControlType -ne 'Allow') { continue }
                if (($rule.FileSystemRights -band [System.Security.AccessControl.FileSystemRights]::ReadData) -eq 0) { continue }
                try { $readers += $rule.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value } catch { }
            }
        }
        catch { $readers = @() }
        if ($readers -notcontains 'S-1-5-18' -and $readers -notcontains 'S-1-5-32-544') {
            return [pscustomobject]@{ Passed = $false; Detail = "'$Path' grants no read access to SYSTEM or Administrators." }
        }
    }
    return [pscustomobject]@{ Passed = $true; Detail = "'$Path' is readable." }
}

function Invoke-AlteryxBackupScQuery {
    <#
    .SYNOPSIS
    Runs `sc.exe \\<ComputerName> query <ServiceName>` and reports whether it answered.

    .DESCRIPTION
    sc.exe syntax: "sc [ServerName] query [ServiceName]", ServerName in UNC
    form (\\myserver): https://learn.microsoft.com/windows-server/administration/windows-commands/sc-query

    .PARAMETER ComputerName
    The other node.

    .PARAMETER ServiceName
    The service on it.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ComputerName, [Parameter(Mandatory = $true)][string]$ServiceName)
    $sc = Get-Command -Name 'sc.exe' -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -eq $sc) { return [pscustomobject]@{ Passed = $false; Detail = 'sc.exe was not found.' } }
    $output = (& sc.exe "\\$ComputerName" 'query' $ServiceName 2>&1 | Out-String).Trim()
    $code = $LASTEXITCODE
    if ($code -eq 0) { return [pscustomobject]@{ Passed = $true; Detail = "sc.exe \\$ComputerName query $ServiceName answered." } }
    return [pscustomobject]@{ Passed = $false; Detail = "sc.exe \\$ComputerName query $ServiceName failed (exit $code): $output" }
}
