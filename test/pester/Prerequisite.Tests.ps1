# Test-AlteryxBackupPrerequisite and the bridge's node discovery. Each failing
# item is produced on purpose and its Fix text asserted. The machine facts that
# Linux cannot produce (a Group Policy execution policy, a non-elevated
# Windows session, sc.exe answering "Access is denied" from another node) are
# stood in by mocks of the one function or command that reads them; the rest
# (no node, a node too old, no service, an unreadable credential file, a path
# that cannot be created) are real: real files, a real simulated host.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force

    # A simulated host, created by this checkout, for the service checks.
    $simParent = Join-Path ([System.IO.Path]::GetTempPath()) ('axb-prereq-' + [guid]::NewGuid().ToString('N'))
    $simRoot = Join-Path $simParent 'host'
    $simCli = Join-Path $RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'sim' 'sim-cli.js')))
    $created = & node $simCli create $simRoot --db-mb 0.2 --no-start 2>&1
    if ($LASTEXITCODE -ne 0) { throw "sim create failed: $created" }
    $simConfig = Join-Path $simRoot 'backup-config.json'

    # A node that answers --version with an old version.
    $oldNode = Join-Path $TestDrive 'old-node'
    Set-Content -LiteralPath $oldNode -Value "#!/bin/sh`nif [ `"`$1`" = `"--version`" ]; then echo v20.11.1; exit 0; fi`nexit 1`n" -NoNewline
    & chmod +x $oldNode

    function New-TestConfig {
        param([hashtable]$Alteryx = @{}, [hashtable]$Backup = @{}, [hashtable]$Notification = $null)
        $config = Get-Content -LiteralPath $simConfig -Raw | ConvertFrom-Json
        foreach ($key in $Alteryx.Keys) { $config.AlteryxConfiguration | Add-Member -NotePropertyName $key -NotePropertyValue $Alteryx[$key] -Force }
        foreach ($key in $Backup.Keys) { $config.BackupConfiguration | Add-Member -NotePropertyName $key -NotePropertyValue $Backup[$key] -Force }
        if ($null -ne $Notification) {
            foreach ($key in $Notification.Keys) { $config.NotificationConfiguration | Add-Member -NotePropertyName $key -NotePropertyValue $Notification[$key] -Force }
        }
        $path = Join-Path $TestDrive ('config-{0}.json' -f [guid]::NewGuid().ToString('N'))
        Set-Content -LiteralPath $path -Value (ConvertTo-Json -InputObject $config -Depth 20)
        return $path
    }
    function Get-Check {
        param([object[]]$Checks, [string]$Name)
        $found = @($Checks | Where-Object { $_.Name -eq $Name })
        if ($found.Count -ne 1) { throw "expected one check '$Name', got $($found.Count): $(($Checks | ForEach-Object Name) -join ', ')" }
        return $found[0]
    }
}

AfterAll {
    if (Test-Path -LiteralPath (Join-Path $simRoot 'sim')) { $null = & node $simCli destroy $simRoot 2>&1 }
    Remove-Item -LiteralPath $simParent -Recurse -Force -ErrorAction SilentlyContinue
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'Test-AlteryxBackupPrerequisite on a healthy simulated host' {
    It 'passes node, configuration, service and paths, each with Name, Passed, Detail and an empty Fix' {
        $checks = @(Test-AlteryxBackupPrerequisite -ConfigPath $simConfig)
        foreach ($name in @('Node.js', 'Configuration', 'Service', 'Path BackupConfiguration.TempDirectory', 'Path BackupConfiguration.LocalBackupPath', 'Path BackupConfiguration.LogDirectory')) {
            $check = Get-Check $checks $name
            $check.Passed | Should -BeTrue -Because "$name`: $($check.Detail)"
            $check.Fix | Should -Be ''
        }
        (Get-Check $checks 'Node.js').Detail | Should -Match '^v2[4-9]\.'
        (Get-Check $checks 'Service').Detail | Should -Match 'AlteryxService exists \(Stopped\)'
        $checks[0].PSObject.TypeNames[0] | Should -Be 'AlteryxBackup.PrerequisiteCheck'
    }
}

Describe 'No service, produced on purpose' {
    It 'no service: Service fails and names the service to check' {
        $config = New-TestConfig -Alteryx @{ ServiceName = 'NoSuchAlteryxService' }
        $service = Get-Check @(Test-AlteryxBackupPrerequisite -ConfigPath $config) 'Service'
        $service.Passed | Should -BeFalse
        $service.Detail | Should -Match 'NoSuchAlteryxService does not exist'
        $service.Fix | Should -Match "AlteryxConfiguration.ServiceName \('NoSuchAlteryxService'\) is the service's name \(sc.exe query NoSuchAlteryxService\)"
    }
}

Describe 'Each failing item, produced on purpose' {
    BeforeEach {
        # The service query (a node start each) is covered above; keep these fast.
        Mock -ModuleName AlteryxBackup Test-AlteryxServiceState { [pscustomobject]@{ CurrentState = 'Running' } }
    }

    It 'no node: Node.js fails and says how to get Node.js 24' {
        $savedPath = $env:PATH
        $env:PATH = (Join-Path $TestDrive 'empty-bin')
        try { $checks = @(Test-AlteryxBackupPrerequisite -ConfigPath $simConfig) }
        finally { $env:PATH = $savedPath }
        $node = Get-Check $checks 'Node.js'
        $node.Passed | Should -BeFalse
        $node.Detail | Should -Match 'Node.js was not found'
        $node.Fix | Should -Match 'win-x64 release bundle \(node\\node.exe beside the module\)'
        $node.Fix | Should -Match 'Node.js 24 LTS'
        $node.Fix | Should -Match 'AlteryxConfiguration.NodePath'
        (Get-Check $checks 'Service').Detail | Should -Match 'Not checked'
    }

    It 'a node that is too old (AlteryxConfiguration.NodePath): Node.js fails with its version' {
        $config = New-TestConfig -Alteryx @{ NodePath = $oldNode }
        $node = Get-Check @(Test-AlteryxBackupPrerequisite -ConfigPath $config) 'Node.js'
        $node.Passed | Should -BeFalse
        $node.Detail | Should -Match 'Node.js v20.11.1 at .*old-node.*\(AlteryxConfiguration.NodePath in .*\) is older than Node.js 24'
        $node.Fix | Should -Match 'set AlteryxConfiguration.NodePath to a Node.js 24 node.exe'
    }

    It 'an unreadable credential file: fails and points at Set-AlteryxBackupSecret' {
        $unreadable = Join-Path $TestDrive 'smtp.cred.xml'
        $null = New-Item -ItemType Directory -Path $unreadable   # a folder: opening it for reading fails, even as root
        $config = New-TestConfig -Notification @{ CredentialFile = $unreadable }
        $cred = Get-Check @(Test-AlteryxBackupPrerequisite -ConfigPath $config) 'Credential file NotificationConfiguration.CredentialFile'
        $cred.Passed | Should -BeFalse
        $cred.Detail | Should -Match 'smtp.cred.xml'
        $cred.Fix | Should -Match 'Set-AlteryxBackupSecret \(DPAPI LocalMachine, readable by Administrators and SYSTEM\)'
        $cred.Fix | Should -Match 'Export-Clixml file as SYSTEM'
    }

    It 'a path that cannot be created: fails and says to create it and grant the task account write access' {
        $blocker = Join-Path $TestDrive 'a-file'
        Set-Content -LiteralPath $blocker -Value 'x'
        $config = New-TestConfig -Backup @{ TempDirectory = (Join-Path $blocker 'temp') }
        $path = Get-Check @(Test-AlteryxBackupPrerequisite -ConfigPath $config) 'Path BackupConfiguration.TempDirectory'
        $path.Passed | Should -BeFalse
        $path.Detail | Should -Match "cannot be created: '.*a-file' is a file"
        $path.Fix | Should -Match 'give the task account \(SYSTEM\) write access to it, or change BackupConfiguration.TempDirectory'
    }

    It 'a Group Policy AllSigned: fails and says to sign the scripts (Bypass cannot override it)' {
        Mock -ModuleName AlteryxBackup Get-ExecutionPolicy -ParameterFilter { $List } -MockWith {
            foreach ($pair in @(@('MachinePolicy', 'AllSigned'), @('UserPolicy', 'Undefined'), @('Process', 'Undefined'), @('CurrentUser', 'Undefined'), @('LocalMachine', 'RemoteSigned'))) {
                [pscustomobject]@{ Scope = $pair[0]; ExecutionPolicy = $pair[1] }
            }
        }
        $policy = Get-Check @(Test-AlteryxBackupPrerequisite -ConfigPath $simConfig) 'Execution policy'
        $policy.Passed | Should -BeFalse
        $policy.Detail | Should -Match 'Group Policy \(MachinePolicy\) sets AllSigned; -ExecutionPolicy Bypass .* cannot override'
        $policy.Fix | Should -Match 'Sign the module''s scripts .* \(Set-AuthenticodeSignature\)'
    }

    It 'not elevated: Administrator fails and says to run as Administrator' {
        Mock -ModuleName AlteryxBackup Test-AlteryxBackupAdministrator { $false }
        $admin = Get-Check @(Test-AlteryxBackupPrerequisite -ConfigPath $simConfig) 'Administrator'
        $admin.Passed | Should -BeFalse
        $admin.Fix | Should -Match 'Run PowerShell as Administrator'
    }

    It 'multi-node on Windows: sc.exe \\node query is run for each other node, and a refusal explains the HOST$ account' {
        $config = New-TestConfig -Alteryx @{ Platform = 'Windows'; Nodes = @(@{ Hostname = 'CTRL01'; Role = 'Controller' }, @{ Hostname = 'WRK01'; Role = 'Worker' }) }
        # sc.exe does not exist on Linux: a global stand-in lets Pester mock it.
        function global:sc.exe { }
        # [SC] OpenSCManager FAILED 5 = ERROR_ACCESS_DENIED (https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-openscmanagerw)
        Mock -ModuleName AlteryxBackup sc.exe { $global:LASTEXITCODE = 5; '[SC] OpenSCManager FAILED 5:'; ''; 'Access is denied.' }
        $checks = @(Test-AlteryxBackupPrerequisite -ConfigPath $config)
        Should -Invoke -ModuleName AlteryxBackup sc.exe -Times 1 -Exactly -ParameterFilter { $args[0] -eq '\\WRK01' -and $args[1] -eq 'query' -and $args[2] -eq 'AlteryxService' }
        $worker = Get-Check $checks 'Node WRK01'
        $worker.Passed | Should -BeFalse
        $worker.Detail | Should -Match 'FAILED 5'
        $worker.Fix | Should -Match ([regex]::Escape("as the computer account $([Environment]::UserDomainName)\$([Environment]::MachineName)`$"))
        @($checks | Where-Object Name -eq 'Node CTRL01').Count | Should -Be 0
        Remove-Item -Path 'Function:\sc.exe'
    }
}

Describe 'The bridge finds node: module folder, NodePath, PATH, $env:ALTERYXBACKUP_NODE' {
    It 'refuses a node older than 24 that cannot run the core (no result line) with NODE_TOO_OLD and exit code 1' {
        $config = New-TestConfig -Alteryx @{ NodePath = $oldNode }
        { Test-AlteryxServiceState -ConfigPath $config } | Should -Throw -ErrorId 'NODE_TOO_OLD,Test-AlteryxServiceState'
        $LASTEXITCODE | Should -Be 1
        $message = $null
        try { Test-AlteryxServiceState -ConfigPath $config } catch { $message = $_.Exception.Message }
        $message | Should -Match 'v20.11.1 .* older than Node.js 24, the version AlteryxBackup is tested on'
    }

    It 'a real older node runs the core, which refuses it first thing: NODE_TOO_OLD, exit code 1, nothing done' {
        # This machine's system node is Node.js 20 (the suite itself runs on the pinned Node 24).
        $systemNode = '/usr/bin/node'
        $version = $null
        if (Test-Path -LiteralPath $systemNode) { $version = [string](& $systemNode --version) }
        if ($version -notmatch '^v(1[4-9]|2[0-3])\.') { Set-ItResult -Skipped -Because "no Node.js 14-23 at $systemNode (found '$version')"; return }
        $config = New-TestConfig -Alteryx @{ NodePath = $systemNode }
        $message = $null
        try { Test-AlteryxServiceState -ConfigPath $config } catch { $message = $_.Exception.Message; $_.FullyQualifiedErrorId | Should -Be 'NODE_TOO_OLD,Test-AlteryxServiceState' }
        $LASTEXITCODE | Should -Be 1
        $message | Should -Match ([regex]::Escape("Node.js $version at '$systemNode' (the node that ran the core) is older than Node.js 24, the version AlteryxBackup is tested on"))
    }

    It 'a configured NodePath that does not exist is an error, not skipped' {
        $config = New-TestConfig -Alteryx @{ NodePath = (Join-Path $TestDrive 'nowhere/node') }
        { Test-AlteryxServiceState -ConfigPath $config } | Should -Throw -ErrorId 'NODE_NOT_FOUND,Test-AlteryxServiceState'
    }

    It 'looks in the order module folder, NodePath, PATH, environment' {
        $config = New-TestConfig -Alteryx @{ NodePath = $oldNode }
        $env:ALTERYXBACKUP_NODE = '/from/env/node'
        try {
            $sources = @(InModuleScope AlteryxBackup -Parameters @{ Config = $config } { param($Config) Get-AlteryxBackupNodeCandidate -ConfigPath $Config } | ForEach-Object Source)
        }
        finally { Remove-Item Env:ALTERYXBACKUP_NODE }
        $sources[0] | Should -Be 'the module folder'
        $sources[1] | Should -Match '^AlteryxConfiguration.NodePath'
        $sources[2] | Should -Be 'PATH'
        $sources[3] | Should -Be '$env:ALTERYXBACKUP_NODE'
    }

    It 'a node\node beside the module wins over PATH' {
        $fakeModuleRoot = Join-Path $TestDrive 'module-root'
        $null = New-Item -ItemType Directory -Path (Join-Path $fakeModuleRoot 'node')
        Copy-Item -LiteralPath $oldNode -Destination (Join-Path $fakeModuleRoot (Join-Path 'node' 'node'))
        $found = InModuleScope AlteryxBackup -Parameters @{ Root = $fakeModuleRoot } {
            param($Root)
            $saved = $script:ModuleRoot
            $script:ModuleRoot = $Root
            try { Resolve-AlteryxBackupNode -ConfigPath '' } finally { $script:ModuleRoot = $saved }
        }
        $found.Source | Should -Be 'the module folder'
        $found.Error.Id | Should -Be 'NODE_TOO_OLD'
    }

    It 'the installed default configuration is ProgramData\AlteryxBackup\backup-config.json, not the module folder' {
        $fakeModuleRoot = Join-Path $TestDrive 'installed\AlteryxBackup\1.0.0'
        $null = New-Item -ItemType Directory -Path (Join-Path $fakeModuleRoot 'core') -Force
        $savedProgramData = $env:ProgramData
        $env:ProgramData = Join-Path $TestDrive 'ProgramData'
        try {
            $default = InModuleScope AlteryxBackup -Parameters @{ Root = $fakeModuleRoot } {
                param($Root)
                $saved = $script:ModuleRoot
                $script:ModuleRoot = $Root
                try { Get-AlteryxBackupDefaultConfigPath } finally { $script:ModuleRoot = $saved }
            }
        }
        finally { $env:ProgramData = $savedProgramData }
        $default | Should -Be ([System.IO.Path]::Combine($TestDrive, 'ProgramData', 'AlteryxBackup', 'backup-config.json'))
    }
}
