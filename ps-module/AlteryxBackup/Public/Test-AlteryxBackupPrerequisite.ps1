function Test-AlteryxBackupPrerequisite {
    <#
    .SYNOPSIS
    Checks that this server can run AlteryxBackup, and says how to fix what cannot.

    .DESCRIPTION
    Returns a checklist: one object per check, each with Name, Passed (bool),
    Detail (what was found) and Fix (what to do; empty when passed). Nothing is
    changed. The checks:
      Node.js            node found (module folder, AlteryxConfiguration.NodePath,
                         PATH, $env:ALTERYXBACKUP_NODE) and at least the tested major version;
      Administrator      the session is elevated (the service can only be
                         controlled by an administrator);
      Execution policy   a Group Policy (MachinePolicy/UserPolicy) AllSigned or
                         Restricted cannot be overridden by the scheduled task's
                         -ExecutionPolicy Bypass ("If a Group Policy is set, it
                         overrides the execution policy set locally",
                         https://learn.microsoft.com/powershell/module/microsoft.powershell.security/set-executionpolicy);
      Configuration      the configuration file exists and is valid JSON;
      Service            AlteryxService exists (asked through the core);
      AlteryxService.exe the Alteryx binary exists (Windows platform), and
                         mongodump for a self-managed MongoDB;
      Path <setting>     each configured folder exists and is writable, or its
                         nearest existing parent is (so it can be created);
      Free space         free space on the local backup drive against twice the
                         newest archive's size (staging plus the archive);
      Credential file    every configured CredentialFile is readable by the
                         account that runs the task;
      Node <host>        multi-node: `sc.exe \\<host> query <service>` answers.
                         A task running as SYSTEM reaches other hosts as the
                         computer account DOMAIN\<THISHOST>$.

    .PARAMETER ConfigPath
    The configuration file. Default: the module's default configuration
    ($env:ProgramData\AlteryxBackup\backup-config.json once installed).

    .PARAMETER TaskAccount
    The account the scheduled task will run as, for the credential-file and
    multi-node advice. Default: SYSTEM.

    .EXAMPLE
    Test-AlteryxBackupPrerequisite | Format-Table Name, Passed, Detail

    Prints the checklist for the default configuration.

    .EXAMPLE
    Test-AlteryxBackupPrerequisite -ConfigPath D:\AlteryxBackup\backup-config.json | Where-Object { -not $_.Passed } | Format-List Name, Detail, Fix

    Shows only what fails, with the fix for each.

    .OUTPUTS
    AlteryxBackup.PrerequisiteCheck objects: Name, Passed, Detail, Fix.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [string]$ConfigPath,
        [string]$TaskAccount = 'SYSTEM'
    )

    $item = {
        param([string]$Name, [bool]$Passed, [string]$Detail, [string]$Fix)
        if ($Passed) { $Fix = '' }
        [pscustomobject]@{ PSTypeName = 'AlteryxBackup.PrerequisiteCheck'; Name = $Name; Passed = $Passed; Detail = $Detail; Fix = $Fix }
    }
    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT

    if ([string]::IsNullOrEmpty($ConfigPath)) { $ConfigPath = Get-AlteryxBackupDefaultConfigPath }
    $ConfigPath = [System.IO.Path]::GetFullPath($PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ConfigPath))

    # --- Node.js ---
    $node = Resolve-AlteryxBackupNode -ConfigPath $ConfigPath
    $nodeOk = $null -eq $node.Error
    if ($nodeOk) { & $item 'Node.js' $true "v$($node.Version) at '$($node.Path)' ($($node.Source))" '' }
    else { & $item 'Node.js' $false $node.Error.Message ("Install the win-x64 release bundle (node\node.exe beside the module), or install Node.js $($script:MinimumNodeMajor) LTS, or set AlteryxConfiguration.NodePath to a Node.js $($script:MinimumNodeMajor) node.exe.") }

    # --- Administrator ---
    $isAdmin = Test-AlteryxBackupAdministrator
    & $item 'Administrator' $isAdmin $(if ($isAdmin) { 'The session is elevated.' } else { "$([Environment]::UserName) is not running elevated." }) 'Run PowerShell as Administrator; the scheduled task runs with RunLevel Highest. Controlling AlteryxService needs a local administrator.'

    # --- Execution policy ---
    $policies = @{}
    foreach ($entry in @(Get-ExecutionPolicy -List)) { $policies[[string]$entry.Scope] = [string]$entry.ExecutionPolicy }
    $gpoScope = $null
    foreach ($scope in @('MachinePolicy', 'UserPolicy')) {
        if (@('AllSigned', 'Restricted') -contains $policies[$scope]) { $gpoScope = $scope; break }
    }
    if ($null -ne $gpoScope) {
        & $item 'Execution policy' $false "Group Policy ($gpoScope) sets $($policies[$gpoScope]); -ExecutionPolicy Bypass on the task's command line cannot override a Group Policy." "Sign the module's scripts (*.ps1, *.psm1, *.psd1) with a code-signing certificate this server trusts (Set-AuthenticodeSignature), or have the Group Policy changed to RemoteSigned."
    }
    else {
        $effective = [string](Get-ExecutionPolicy)
        & $item 'Execution policy' $true "Effective policy $effective, no Group Policy AllSigned/Restricted; the task runs with -ExecutionPolicy Bypass." ''
    }

    # --- Configuration ---
    $config = $null
    $configError = $null
    if (-not [System.IO.File]::Exists($ConfigPath)) { $configError = "'$ConfigPath' does not exist." }
    else {
        try { $config = ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($ConfigPath)) -ErrorAction Stop }
        catch { $configError = "'$ConfigPath' is not valid JSON: $($_.Exception.Message)" }
    }
    & $item 'Configuration' ($null -eq $configError) $(if ($null -eq $configError) { "'$ConfigPath'" } else { $configError }) "Create it from config\backup-config.example.json in the module folder (the installer does), or pass -ConfigPath."
    $get = {
        param([string]$Dotted, $Default)
        $value = $config
        foreach ($segment in $Dotted.Split('.')) {
            if ($null -eq $value -or $null -eq $value.PSObject.Properties[$segment]) { return $Default }
            $value = $value.$segment
        }
        if ($null -eq $value) { return $Default }
        return $value
    }

    # --- Service ---
    $serviceName = [string](& $get 'AlteryxConfiguration.ServiceName' 'AlteryxService')
    if (-not $nodeOk -or $null -ne $configError) {
        & $item 'Service' $false 'Not checked: Node.js or the configuration is missing.' 'Fix the Node.js and Configuration items first.'
    }
    else {
        try {
            $state = Test-AlteryxServiceState -ConfigPath $ConfigPath -ErrorAction Stop
            $current = ''
            foreach ($property in @('CurrentState', 'State', 'Status')) {
                if ($null -ne $state -and $null -ne $state.PSObject.Properties[$property]) { $current = [string]$state.$property; break }
            }
            if ($current -eq 'NotFound') {
                & $item 'Service' $false "$serviceName does not exist on this machine." "Check that Alteryx Server is installed on this machine and that AlteryxConfiguration.ServiceName ('$serviceName') is the service's name (sc.exe query $serviceName)."
            }
            else {
                & $item 'Service' $true "$serviceName exists ($current)." ''
            }
        }
        catch {
            if ([string]$_.FullyQualifiedErrorId -like 'CONFIG_INVALID*') {
                & $item 'Service' $false "Not checked: the configuration is invalid. $($_.Exception.Message)" "Correct the configuration '$ConfigPath' (every error is listed in Detail; Initialize-BackupEnvironment shows them too)."
            }
            else {
                & $item 'Service' $false "$serviceName could not be queried: $($_.Exception.Message)" "Check that Alteryx Server is installed on this machine and that AlteryxConfiguration.ServiceName ('$serviceName') is the service's name (sc.exe query $serviceName)."
            }
        }
    }

    # --- Alteryx binaries ---
    $platform = [string](& $get 'AlteryxConfiguration.Platform' 'Windows')
    $installPath = [string](& $get 'AlteryxConfiguration.InstallPath' 'C:\Program Files\Alteryx')
    if ($platform -eq 'Windows') {
        $exe = [System.IO.Path]::Combine($installPath, 'bin', 'AlteryxService.exe')
        $exists = [System.IO.File]::Exists($exe)
        & $item 'AlteryxService.exe' $exists $(if ($exists) { "'$exe'" } else { "'$exe' does not exist." }) "Set AlteryxConfiguration.InstallPath to the Alteryx installation folder (the one that holds bin\AlteryxService.exe)."
    }
    else {
        & $item 'AlteryxService.exe' $true "Platform ${platform}: the simulated host's stand-in is used." ''
    }
    if ([string](& $get 'MongoDBConfiguration.Type' 'auto') -eq 'self-managed') {
        $mongodump = [string](& $get 'MongoDBConfiguration.SelfManagedMongoDB.MongoDumpPath' '')
        $found = $false
        if (-not [string]::IsNullOrEmpty($mongodump)) { $found = [System.IO.File]::Exists($mongodump) }
        else { $found = $null -ne (Get-Command -Name 'mongodump' -CommandType Application -ErrorAction SilentlyContinue) }
        & $item 'mongodump' $found $(if ($found) { "mongodump found ($mongodump)." } else { "mongodump not found ('$mongodump')." }) 'Install the MongoDB Database Tools and set MongoDBConfiguration.SelfManagedMongoDB.MongoDumpPath to mongodump.exe.'
    }

    # --- Paths ---
    $paths = New-Object System.Collections.Generic.List[object]
    foreach ($setting in @('TempDirectory', 'LocalBackupPath', 'LogDirectory')) {
        $value = [string](& $get "BackupConfiguration.$setting" '')
        if (-not [string]::IsNullOrEmpty($value)) { $paths.Add(@("BackupConfiguration.$setting", $value)) }
    }
    $index = 0
    foreach ($value in @(& $get 'BackupConfiguration.NetworkBackupPaths' @())) {
        $paths.Add(@("BackupConfiguration.NetworkBackupPaths[$index]", [string]$value))
        $index++
    }
    foreach ($pair in $paths) {
        $probe = Test-AlteryxBackupWritablePath -Path $pair[1]
        & $item "Path $($pair[0])" $probe.Passed $probe.Detail "Create '$($pair[1])' and give the task account ($TaskAccount) write access to it, or change $($pair[0]). Use UNC paths for shares: mapped drives are not visible to SYSTEM."
    }

    # --- Free space against the last backup ---
    $localPath = [string](& $get 'BackupConfiguration.LocalBackupPath' '')
    if (-not [string]::IsNullOrEmpty($localPath) -and [System.IO.Directory]::Exists($localPath)) {
        $last = @(Get-ChildItem -LiteralPath $localPath -Recurse -File -Filter 'ServerBackup_*.zip' -ErrorAction SilentlyContinue | Sort-Object LastWriteTimeUtc -Descending) | Select-Object -First 1
        $free = Get-AlteryxBackupFreeSpace -Path $localPath
        if ($null -eq $last) {
            & $item 'Free space' $true "No previous backup in '$localPath' to compare with; $([Math]::Round($free / 1GB, 2)) GB free." ''
        }
        else {
            $needed = 2 * $last.Length
            $ok = $free -ge $needed
            & $item 'Free space' $ok ("{0:N2} GB free on the drive of '{1}'; the newest backup {2} is {3:N2} GB, a new run needs about {4:N2} GB (staging plus archive)." -f ($free / 1GB), $localPath, $last.Name, ($last.Length / 1GB), ($needed / 1GB)) "Free space on that drive, lower BackupConfiguration.RetentionDays, or move LocalBackupPath/TempDirectory to a bigger drive."
        }
    }

    # --- Credential files ---
    foreach ($setting in @('MongoDBConfiguration.SelfManagedMongoDB.CredentialFile', 'NotificationConfiguration.CredentialFile', 'CloudConfiguration.AzureBlob.CredentialFile', 'CloudConfiguration.S3.CredentialFile')) {
        $file = [string](& $get $setting '')
        if ([string]::IsNullOrEmpty($file)) { continue }
        if (-not [System.IO.Path]::IsPathRooted($file)) { $file = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine([System.IO.Path]::GetDirectoryName($ConfigPath), $file)) }
        $readable = Test-AlteryxBackupReadableFile -Path $file -Account $TaskAccount
        & $item "Credential file $setting" $readable.Passed $readable.Detail "Store the secret with Set-AlteryxBackupSecret (DPAPI LocalMachine, readable by Administrators and SYSTEM), or write the Export-Clixml file as $TaskAccount on this machine; then point $setting at it."
    }

    # --- Multi-node ---
    $thisHost = [System.Environment]::MachineName
    foreach ($nodeEntry in @(& $get 'AlteryxConfiguration.Nodes' @())) {
        $hostName = [string]$nodeEntry.Hostname
        if ([string]::IsNullOrEmpty($hostName) -or $hostName -eq $thisHost -or [string]$nodeEntry.Role -eq 'Controller') { continue }
        if ($platform -ne 'Windows') {
            & $item "Node $hostName" $true "Platform ${platform}: the simulated node is reached through its folder." ''
            continue
        }
        $query = Invoke-AlteryxBackupScQuery -ComputerName $hostName -ServiceName $serviceName
        & $item "Node $hostName" $query.Passed $query.Detail "A task running as SYSTEM reaches $hostName as the computer account $([Environment]::UserDomainName)\$thisHost`$. Give $thisHost`$ the right to query, stop and start $serviceName on $hostName (or run the task with -Credential as a domain account that is an administrator on every node), and allow remote service management through its firewall."
    }
}
