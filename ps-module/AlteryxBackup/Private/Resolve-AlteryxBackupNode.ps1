function Get-AlteryxBackupDefaultConfigPath {
    <#
    .SYNOPSIS
    The configuration file used when -ConfigPath is not given.

    .DESCRIPTION
    In a checkout (ps-module\AlteryxBackup beside config\), the checkout's
    config\backup-config.json. Installed (the release bundle), always
    $env:ProgramData\AlteryxBackup\backup-config.json: never inside Program
    Files, so an upgrade of the module never touches it.

    .OUTPUTS
    System.String
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $checkoutConfig = [System.IO.Path]::Combine($script:ModuleRoot, '..', '..', 'config', 'backup-config.json')
    $installedCore = [System.IO.Path]::Combine($script:ModuleRoot, 'core')
    if (-not [System.IO.Directory]::Exists($installedCore) -and [System.IO.File]::Exists($checkoutConfig)) {
        return [System.IO.Path]::GetFullPath($checkoutConfig)
    }
    return [System.IO.Path]::Combine((Get-AlteryxBackupDataRoot), 'backup-config.json')
}

function Get-AlteryxBackupDataRoot {
    <#
    .SYNOPSIS
    $env:ProgramData\AlteryxBackup: the configuration, credential files and secrets of an installation.

    .OUTPUTS
    System.String
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $programData = $env:ProgramData
    if ([string]::IsNullOrEmpty($programData)) {
        # Not Windows: CommonApplicationData is /usr/share on Linux.
        $programData = [System.Environment]::GetFolderPath([System.Environment+SpecialFolder]::CommonApplicationData)
    }
    return [System.IO.Path]::Combine($programData, 'AlteryxBackup')
}

function Get-AlteryxBackupNodeCandidate {
    <#
    .SYNOPSIS
    Where node may be, in the order the bridge looks.

    .DESCRIPTION
    1. node\node.exe beside the module (the win-x64 release bundle ships it);
    2. AlteryxConfiguration.NodePath in the configuration file;
    3. node on PATH;
    4. $env:ALTERYXBACKUP_NODE.
    Returns objects with Source and Path (Path may not exist); a configured
    NodePath that does not exist is returned too, so it can be reported.

    .PARAMETER ConfigPath
    The configuration file (read only for AlteryxConfiguration.NodePath; an
    unreadable file is ignored here and reported by the core).
    #>
    [CmdletBinding()]
    param([string]$ConfigPath)

    $exeName = 'node'
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) { $exeName = 'node.exe' }
    [pscustomobject]@{ Source = 'the module folder'; Path = [System.IO.Path]::Combine($script:ModuleRoot, 'node', $exeName) }

    if (-not [string]::IsNullOrEmpty($ConfigPath) -and [System.IO.File]::Exists($ConfigPath)) {
        $configured = $null
        $json = Read-AlteryxBackupConfigFile -ConfigPath $ConfigPath
        if ($null -ne $json -and $json -is [System.Management.Automation.PSCustomObject]) {
            $alteryx = $json.PSObject.Properties['AlteryxConfiguration']
            if ($null -ne $alteryx -and $null -ne $alteryx.Value -and $null -ne $alteryx.Value.PSObject.Properties['NodePath']) {
                $configured = [string]$alteryx.Value.NodePath
            }
        }
        if (-not [string]::IsNullOrEmpty($configured)) {
            [pscustomobject]@{ Source = "AlteryxConfiguration.NodePath in $ConfigPath"; Path = $configured; Configured = $true }
        }
    }

    # Searching PATH costs tens of milliseconds per call: remember the answer while PATH
    # stays the same and the file found is still there (issue 14).
    $pathNow = [string]$env:PATH
    $onPathFile = $null
    $known = $script:NodeOnPathCache
    if ($null -ne $known -and [string]::Equals($known.SearchPath, $pathNow, [System.StringComparison]::Ordinal) -and [System.IO.File]::Exists($known.File)) {
        $onPathFile = $known.File
    }
    else {
        $onPath = @(Get-Command -Name 'node' -CommandType Application -ErrorAction SilentlyContinue) | Select-Object -First 1
        if ($null -ne $onPath) {
            $onPathFile = $onPath.Source
            $script:NodeOnPathCache = @{ SearchPath = $pathNow; File = $onPathFile }
        }
        else { $script:NodeOnPathCache = $null }
    }
    if ($null -ne $onPathFile) { [pscustomobject]@{ Source = 'PATH'; Path = $onPathFile } }

    if (-not [string]::IsNullOrEmpty($env:ALTERYXBACKUP_NODE)) {
        [pscustomobject]@{ Source = '$env:ALTERYXBACKUP_NODE'; Path = $env:ALTERYXBACKUP_NODE }
    }
}

function Get-AlteryxBackupNodeVersion {
    <#
    .SYNOPSIS
    Runs `node --version` once per node file (cached by path and write time) and returns the version, or $null.

    .PARAMETER Path
    The node executable.

    .PARAMETER CachedOnly
    Never start node: return the version known from an earlier call in this
    process, or $null.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Path, [switch]$CachedOnly)
    if ($null -eq $script:NodeVersionCache) { $script:NodeVersionCache = @{} }
    $stamp = ''
    try { $stamp = [System.IO.File]::GetLastWriteTimeUtc($Path).Ticks.ToString() } catch { $stamp = '' }
    $key = $Path + '|' + $stamp
    if ($script:NodeVersionCache.ContainsKey($key)) { return $script:NodeVersionCache[$key] }
    # Also remembered per process (AppDomain), so a fresh runspace or a re-import starts no second `node --version`.
    $domainKey = 'AlteryxBackup.NodeVersion|' + $key
    $known = [System.AppDomain]::CurrentDomain.GetData($domainKey)
    if ($known -is [System.Version]) {
        $script:NodeVersionCache[$key] = $known
        return $known
    }
    if ($CachedOnly) { return $null }
    $version = $null
    try {
        $psi = New-Object System.Diagnostics.ProcessStartInfo
        $psi.FileName = $Path
        $psi.Arguments = '--version'
        $psi.UseShellExecute = $false
        $psi.CreateNoWindow = $true
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($psi)
        $errTask = $process.StandardError.ReadToEndAsync()
        $text = $process.StandardOutput.ReadToEnd()
        if (-not $process.WaitForExit(15000)) { try { $process.Kill() } catch { } }
        $null = $errTask.Wait(2000)
        $match = [regex]::Match($text, '^\s*v?(\d+)\.(\d+)\.(\d+)')
        if ($process.ExitCode -eq 0 -and $match.Success) {
            $version = New-Object System.Version ([int]$match.Groups[1].Value), ([int]$match.Groups[2].Value), ([int]$match.Groups[3].Value)
        }
        $process.Dispose()
    }
    catch { $version = $null }
    $script:NodeVersionCache[$key] = $version
    if ($null -ne $version) { [System.AppDomain]::CurrentDomain.SetData($domainKey, $version) }
    return $version
}

function Resolve-AlteryxBackupNode {
    <#
    .SYNOPSIS
    Finds the node the bridge runs, and refuses one older than the tested major version.

    .DESCRIPTION
    Takes the first candidate of Get-AlteryxBackupNodeCandidate that exists (a
    configured NodePath that does not exist is an error, not skipped), runs
    `node --version` and refuses a major version below
    $script:MinimumNodeMajor. Returns Path, Version, Source and Error (Id and
    Message, or $null).

    .PARAMETER ConfigPath
    The configuration file (for AlteryxConfiguration.NodePath).

    .PARAMETER NoVersionRun
    Do not start `node --version` when this process does not know the
    candidate's version yet: return it with Version $null. The bridge uses
    this on its fast path, because the core refuses an old node itself
    (NODE_TOO_OLD) and the bridge checks the version when node ends without
    a result (issue 14: one process start less per PowerShell session).
    #>
    [CmdletBinding()]
    param([string]$ConfigPath, [switch]$NoVersionRun)

    $minimum = $script:MinimumNodeMajor
    $advice = "Install the win-x64 release bundle (it carries node\node.exe), or Node.js $minimum LTS, or set AlteryxConfiguration.NodePath to a Node.js $minimum node.exe."
    $looked = New-Object System.Collections.Generic.List[string]
    foreach ($candidate in @(Get-AlteryxBackupNodeCandidate -ConfigPath $ConfigPath)) {
        $exists = [System.IO.File]::Exists($candidate.Path)
        if (-not $exists) {
            if ($null -ne $candidate.PSObject.Properties['Configured']) {
                return [pscustomobject]@{
                    Path = $candidate.Path; Version = $null; Source = $candidate.Source
                    Error = [pscustomobject]@{ Id = 'NODE_NOT_FOUND'; Message = "Node.js was not found at '$($candidate.Path)' ($($candidate.Source)). Correct NodePath or remove it. $advice" }
                }
            }
            $looked.Add("$($candidate.Source): $($candidate.Path)")
            continue
        }
        $version = Get-AlteryxBackupNodeVersion -Path $candidate.Path -CachedOnly:$NoVersionRun
        if ($null -eq $version -and $NoVersionRun) {
            return [pscustomobject]@{ Path = $candidate.Path; Version = $null; Source = $candidate.Source; Error = $null }
        }
        if ($null -eq $version) {
            return [pscustomobject]@{
                Path = $candidate.Path; Version = $null; Source = $candidate.Source
                Error = [pscustomobject]@{ Id = 'NODE_NOT_RUNNABLE'; Message = "'$($candidate.Path)' ($($candidate.Source)) did not answer 'node --version'. $advice" }
            }
        }
        if ($version.Major -lt $minimum) {
            return [pscustomobject]@{
                Path = $candidate.Path; Version = $version; Source = $candidate.Source
                Error = [pscustomobject]@{ Id = 'NODE_TOO_OLD'; Message = "Node.js v$version at '$($candidate.Path)' ($($candidate.Source)) is older than Node.js $minimum, the version AlteryxBackup is tested on. $advice" }
            }
        }
        return [pscustomobject]@{ Path = $candidate.Path; Version = $version; Source = $candidate.Source; Error = $null }
    }
    $where = ''
    if ($looked.Count -gt 0) { $where = ' Looked at: ' + ($looked -join '; ') + '.' }
    return [pscustomobject]@{
        Path = $null; Version = $null; Source = $null
        Error = [pscustomobject]@{ Id = 'NODE_NOT_FOUND'; Message = "Node.js was not found (node\node.exe beside the module, AlteryxConfiguration.NodePath, PATH, `$env:ALTERYXBACKUP_NODE).$where $advice" }
    }
}
