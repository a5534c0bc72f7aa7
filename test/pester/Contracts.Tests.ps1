# The 14 functions of ../shared/spec/CONTRACTS.md, checked from that document, not from the code:
# parameter names, types, defaults and mandatory flags; output property names; the functions
# that never throw; bad input to each (clear error or failed result, $LASTEXITCODE, nothing
# half-written); and examples/Backup-WithContracts.ps1, a Full backup written with the contract
# functions only, run against a simulated Alteryx host (test/README.md).
#
# Limits: no MongoDB server runs here, so the host is the embedded variant (the dump is the
# simulated AlteryxService emongodump); Windows' administrator check is replaced by the
# simulated host's notAdministrator fault.

BeforeDiscovery {
    # name, type, mandatory ('yes' / 'no'), default as written in CONTRACTS.md ($null = none given)
    $contract = @(
        @{ F = 'Initialize-BackupEnvironment'; P = 'BackupMode'; T = 'string'; M = $false; D = "'Full'"; Set = @('Full', 'DatabaseOnly', 'ConfigOnly') }
        @{ F = 'Initialize-BackupEnvironment'; P = 'ConfigPath'; T = 'string'; M = $false; D = "'.\config\backup-config.json'" }
        @{ F = 'Initialize-BackupEnvironment'; P = 'ParameterOverrides'; T = 'hashtable'; M = $false; D = '@{}' }
        @{ F = 'Test-AlteryxServiceState'; P = 'ServiceName'; T = 'string'; M = $false; D = "'AlteryxService'" }
        @{ F = 'Stop-AlteryxServiceSafely'; P = 'ServiceName'; T = 'string'; M = $false; D = "'AlteryxService'" }
        @{ F = 'Stop-AlteryxServiceSafely'; P = 'MaxWorkflowWaitSeconds'; T = 'int'; M = $false; D = '3600' }
        @{ F = 'Stop-AlteryxServiceSafely'; P = 'MaxServiceWaitSeconds'; T = 'int'; M = $false; D = '7200' }
        @{ F = 'Stop-AlteryxServiceSafely'; P = 'ForceStop'; T = 'bool'; M = $false; D = '$false' }
        @{ F = 'Stop-AlteryxServiceSafely'; P = 'MultiNodeInfo'; T = 'hashtable'; M = $false; D = '$null' }
        @{ F = 'Start-AlteryxServiceSafely'; P = 'ServiceName'; T = 'string'; M = $false; D = "'AlteryxService'" }
        @{ F = 'Start-AlteryxServiceSafely'; P = 'MaxServiceWaitSeconds'; T = 'int'; M = $false; D = '7200' }
        @{ F = 'Start-AlteryxServiceSafely'; P = 'MultiNodeInfo'; T = 'hashtable'; M = $false; D = '$null' }
        @{ F = 'Invoke-MongoDBBackup'; P = 'MongoType'; T = 'string'; M = $true; D = $null; Set = @('embedded', 'self-managed') }
        @{ F = 'Invoke-MongoDBBackup'; P = 'BackupPath'; T = 'string'; M = $true; D = $null }
        @{ F = 'Invoke-MongoDBBackup'; P = 'MongoConfig'; T = 'hashtable'; M = $false; D = '@{}' }
        @{ F = 'Backup-CriticalFiles'; P = 'TempDirectory'; T = 'string'; M = $true; D = $null }
        @{ F = 'Backup-CriticalFiles'; P = 'FilesRegistry'; T = 'hashtable'; M = $true; D = $null }
        @{ F = 'Backup-CriticalFiles'; P = 'CalculateChecksums'; T = 'bool'; M = $false; D = '$true' }
        @{ F = 'Export-ControllerSettings'; P = 'TempDirectory'; T = 'string'; M = $true; D = $null }
        @{ F = 'Export-ControllerSettings'; P = 'AlteryxServicePath'; T = 'string'; M = $false; D = "'C:\Program Files\Alteryx\bin\AlteryxService.exe'" }
        @{ F = 'New-BackupManifest'; P = 'BackupConfig'; T = 'hashtable'; M = $true; D = $null }
        @{ F = 'New-BackupManifest'; P = 'BackupResults'; T = 'hashtable'; M = $true; D = $null }
        @{ F = 'New-BackupManifest'; P = 'StartTime'; T = 'datetime'; M = $true; D = $null }
        @{ F = 'New-BackupManifest'; P = 'EndTime'; T = 'datetime'; M = $true; D = $null }
        @{ F = 'Compress-BackupArchive'; P = 'SourcePath'; T = 'string'; M = $true; D = $null }
        @{ F = 'Compress-BackupArchive'; P = 'DestinationPath'; T = 'string'; M = $true; D = $null }
        @{ F = 'Compress-BackupArchive'; P = 'BackupMode'; T = 'string'; M = $true; D = $null }
        @{ F = 'Compress-BackupArchive'; P = 'CompressionLevel'; T = 'string'; M = $false; D = "'Optimal'"; Set = @('Optimal', 'Fastest', 'NoCompression') }
        @{ F = 'Compress-BackupArchive'; P = 'CalculateChecksum'; T = 'bool'; M = $false; D = '$true' }
        @{ F = 'Copy-BackupToDestinations'; P = 'SourcePath'; T = 'string'; M = $true; D = $null }
        @{ F = 'Copy-BackupToDestinations'; P = 'Destinations'; T = 'string[]'; M = $true; D = $null }
        @{ F = 'Copy-BackupToDestinations'; P = 'MaxRetries'; T = 'int'; M = $false; D = '3' }
        @{ F = 'Copy-BackupToDestinations'; P = 'RetryDelaySec'; T = 'int'; M = $false; D = '30' }
        @{ F = 'Test-BackupIntegrity'; P = 'ArchivePath'; T = 'string'; M = $true; D = $null }
        @{ F = 'Test-BackupIntegrity'; P = 'MinimumSizeMB'; T = 'double'; M = $true; D = $null }
        @{ F = 'Test-BackupIntegrity'; P = 'ExpectedChecksum'; T = 'string'; M = $false; D = '$null' }
        @{ F = 'Remove-OldBackups'; P = 'BackupPath'; T = 'string'; M = $true; D = $null }
        @{ F = 'Remove-OldBackups'; P = 'RetentionDays'; T = 'hashtable'; M = $true; D = $null }
        @{ F = 'Remove-OldBackups'; P = 'BackupMode'; T = 'string'; M = $true; D = $null }
        @{ F = 'Write-BackupSummary'; P = 'BackupState'; T = 'hashtable'; M = $true; D = $null }
        @{ F = 'Write-BackupSummary'; P = 'LogPath'; T = 'string'; M = $true; D = $null }
        @{ F = 'Write-Log'; P = 'Message'; T = 'string'; M = $true; D = $null }
        @{ F = 'Write-Log'; P = 'Level'; T = 'string'; M = $false; D = "'INFO'"; Set = @('DEBUG', 'INFO', 'WARNING', 'ERROR', 'SUCCESS') }
        @{ F = 'Write-Log'; P = 'LogPath'; T = 'string'; M = $false; D = $null }
    )
    $functions = @($contract | ForEach-Object { $_.F } | Select-Object -Unique | ForEach-Object { @{ F = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
    $script:Types = @{ string = [string]; int = [int]; bool = [bool]; hashtable = [hashtable]; datetime = [datetime]; double = [double]; 'string[]' = [string[]] }
    # CONTRACTS.md: the output property names of each function.
    $script:Outputs = @{
        'Initialize-BackupEnvironment' = @('BackupMode', 'TempDirectory', 'LocalBackupPath', 'NetworkBackupPaths', 'LogDirectory', 'LogFilePath', 'RetentionDays', 'MaxServiceWait', 'MaxWorkflowWait', 'ForceStopWorkflows', 'StopServiceForExternalDB', 'MongoType', 'MongoConfig', 'IncludeKeys', 'IncludeConfigFile', 'IncludeMongoPasswords', 'IncludeMetadata', 'VerifyArchive', 'CalculateChecksums', 'MinimumSizeMB')
        'Test-AlteryxServiceState'     = @('ServiceName', 'CurrentState', 'HasActiveWorkflows', 'WorkflowProcessCount')
        'Stop-AlteryxServiceSafely'    = @('ServiceName', 'InitialState', 'CurrentState', 'TargetState', 'HasActiveWorkflows', 'WorkflowCheckCount', 'WorkflowWaitSeconds', 'StateChangeTimestamp', 'StateChangeSuccess', 'StateChangeError', 'RequiresRollback')
        'Start-AlteryxServiceSafely'   = @('ServiceName', 'InitialState', 'CurrentState', 'TargetState', 'StateChangeTimestamp', 'StateChangeSuccess', 'StateChangeError', 'RequiresRollback')
        'Invoke-MongoDBBackup'         = @('Success', 'BackupPath', 'BackupSizeMB', 'CollectionCount', 'DurationSeconds', 'Error')
        'Backup-CriticalFiles'         = @('Success', 'FilesBackedUp', 'TotalSizeBytes', 'BackedUpFiles', 'Warnings', 'Errors')
        'Export-ControllerSettings'    = @('Success', 'ControllerToken', 'MongoPasswords', 'ServiceAccountUser', 'ExportedFiles')
        'Compress-BackupArchive'       = @('Success', 'ArchiveFileName', 'ArchiveFullPath', 'ArchiveSizeMB', 'CompressionRatio', 'SHA256', 'DurationSeconds')
        'Copy-BackupToDestinations'    = @('SourcePath', 'DestinationResults', 'SuccessCount', 'FailureCount')
        'Test-BackupIntegrity'         = @('ArchiveValidation', 'ContentValidation', 'DistributionValidation', 'ServiceValidation', 'OverallStatus', 'ValidationErrors', 'ValidationWarnings')
        'Remove-OldBackups'            = @('BackupMode', 'RetentionDays', 'FilesScanned', 'FilesDeleted', 'SpaceFreedMB', 'DeletedFiles')
        'Write-BackupSummary'          = @('BackupMode', 'Status', 'StartTime', 'EndTime', 'DurationSeconds', 'DurationFormatted', 'FilesBackedUp', 'TotalSizeGB', 'ArchiveSizeGB', 'CompressionRatio', 'DestinationsCopied', 'DestinationsFailed', 'Warnings', 'Errors', 'LogFile')
    }
    function Get-ParameterDefault {
        param([string]$Function, [string]$Parameter)
        $ast = (Get-Command $Function).ScriptBlock.Ast
        $p = $ast.Body.ParamBlock.Parameters | Where-Object { $_.Name.VariablePath.UserPath -eq $Parameter }
        if ($null -eq $p -or $null -eq $p.DefaultValue) { return $null }
        return $p.DefaultValue.Extent.Text
    }
}

Describe 'CONTRACTS.md signature of <F> -<P>' -ForEach $contract {
    It 'exists with the contract''s type' {
        $cmd = Get-Command $F
        $cmd.Parameters.Keys | Should -Contain $P
        $cmd.Parameters[$P].ParameterType | Should -Be $Types[$T]
    }

    It 'is mandatory exactly when the contract says so (in the contract''s parameter set)' {
        $attributes = @((Get-Command $F).Parameters[$P].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $mandatory = @($attributes | Where-Object { $_.Mandatory }).Count -gt 0
        $mandatory | Should -Be $M
    }

    It 'has the contract''s default' {
        $actual = Get-ParameterDefault -Function $F -Parameter $P
        if ($null -eq $D) { $actual | Should -BeNullOrEmpty }
        else { $actual | Should -Be $D }
    }

    It 'validates the contract''s set of values' -Skip:($null -eq $Set) {
        $validate = (Get-Command $F).Parameters[$P].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        @($validate.ValidValues) | Should -Be $Set
    }
}

Describe 'CONTRACTS.md: <F> is exported with help' -ForEach $functions {
    It 'is exported by the module' {
        (Get-Command -Module AlteryxBackup).Name | Should -Contain $F
    }
}

Describe 'The contract functions on a simulated host' {
    BeforeAll {
        $script:HostRoot = Join-Path ([System.IO.Path]::GetTempPath()) ('contracts-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $simCli = Join-Path $RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'sim' 'sim-cli.js')))
        $created = @(& node $simCli create $HostRoot --db-mb 2)
        $script:ConfigPath = $created[-1]
        $script:ProgramData = Join-Path $HostRoot (Join-Path 'ProgramData' 'Alteryx')
        $script:ServiceExe = Join-Path $HostRoot (Join-Path 'Program Files' (Join-Path 'Alteryx' (Join-Path 'bin' 'AlteryxService')))
        function Set-SimFault { param([string[]]$Assignment) $null = & node $simCli fault $HostRoot @Assignment }
        function Get-SimState { (& node $simCli state $HostRoot --json | ConvertFrom-Json).state }

        # The example admin script: every contract function, in the contract's order.
        $example = Join-Path $RepoRoot (Join-Path 'examples' 'Backup-WithContracts.ps1')
        $script:Run = & $example -ConfigPath $ConfigPath -ProgramDataPath $ProgramData -AlteryxServicePath $ServiceExe -PassThru 6>$null
        $script:RunExit = $LASTEXITCODE
    }
    AfterAll {
        $simCli = Join-Path $RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'sim' 'sim-cli.js')))
        if ($null -ne $HostRoot -and (Test-Path -LiteralPath $HostRoot)) { $null = & node $simCli destroy $HostRoot --remove }
    }

    Context 'examples/Backup-WithContracts.ps1 (a Full backup with the contract functions only)' {
        It 'succeeds with exit code 0' {
            $Run.State.Errors | Should -BeNullOrEmpty
            $Run.State.Status | Should -Be 'Success'
            $RunExit | Should -Be 0
        }

        It 'called all 14 functions but Write-Log for a result, in the contract''s order' {
            @($Run.Results.Keys) | Should -Be @('Initialize-BackupEnvironment', 'Test-AlteryxServiceState', 'Stop-AlteryxServiceSafely', 'Invoke-MongoDBBackup', 'Start-AlteryxServiceSafely', 'Backup-CriticalFiles', 'Export-ControllerSettings', 'New-BackupManifest', 'Compress-BackupArchive', 'Test-BackupIntegrity', 'Copy-BackupToDestinations', 'Remove-OldBackups', 'Write-BackupSummary')
        }

        It 'uses nothing but the contract functions of the module' {
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($example, [ref]$null, [ref]$null)
            $used = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true) | ForEach-Object { $_.GetCommandName() } | Where-Object { $_ } | Select-Object -Unique)
            $moduleCommands = @((Get-Command -Module AlteryxBackup).Name)
            $contractNames = @($Outputs.Keys) + @('New-BackupManifest', 'Write-Log')
            foreach ($name in $used) {
                if ($moduleCommands -contains $name) { $contractNames | Should -Contain $name -Because "$name is a module command outside the contract" }
            }
        }

        It 'produced an archive that verifies' {
            $archive = $Run.Results['Compress-BackupArchive'].ArchiveFullPath
            $archive | Should -Exist
            $Run.Results['Test-BackupIntegrity'].OverallStatus | Should -BeTrue
            $again = Test-BackupIntegrity -ArchivePath $archive -MinimumSizeMB 0.001 -ExpectedChecksum $Run.Results['Compress-BackupArchive'].SHA256
            $again.OverallStatus | Should -BeTrue
            $again['ArchiveValidation']['IntegrityVerified'] | Should -BeTrue
        }

        It 'left the service Running' {
            Get-SimState | Should -Be 'Running'
            $Run.Results['Start-AlteryxServiceSafely'].CurrentState | Should -Be 'Running'
            $Run.Results['Stop-AlteryxServiceSafely'].CurrentState | Should -Be 'Stopped'
        }

        It '<_> returns the contract''s property names, read as $r.Name and $r[''Name'']' -ForEach @('Initialize-BackupEnvironment', 'Test-AlteryxServiceState', 'Stop-AlteryxServiceSafely', 'Start-AlteryxServiceSafely', 'Invoke-MongoDBBackup', 'Backup-CriticalFiles', 'Export-ControllerSettings', 'Compress-BackupArchive', 'Copy-BackupToDestinations', 'Test-BackupIntegrity', 'Remove-OldBackups', 'Write-BackupSummary') {
            $result = $Run.Results[$_]
            $result | Should -BeOfType [hashtable]
            $result.PSObject.TypeNames[0] | Should -BeLike 'AlteryxBackup.*'
            foreach ($name in $Outputs[$_]) {
                $result.ContainsKey($name) | Should -BeTrue -Because "$_ must return $name"
                $dotted = $result.$name
                $indexed = $result[$name]
                if ($null -eq $indexed) { $dotted | Should -BeNullOrEmpty } else { @($dotted).Count | Should -Be @($indexed).Count }
            }
        }

        It 'returns the data model''s types' {
            $config = $Run.Results['Initialize-BackupEnvironment']
            $config.RetentionDays | Should -BeOfType [hashtable]
            $config.RetentionDays.Full | Should -BeOfType [int]
            $config.MongoType | Should -BeIn @('embedded', 'self-managed')
            $config.Checklist.OverallStatus | Should -BeTrue
            $config.Checklist.DiskSpaceCheck.AvailableSpaceMB | Should -BeGreaterThan 0
            $config.Checklist.PrivilegesCheck.IsAdministrator | Should -BeTrue
            $Run.Results['Stop-AlteryxServiceSafely'].StateChangeTimestamp | Should -BeOfType [datetime]
            $Run.Results['Export-ControllerSettings'].ControllerToken | Should -BeOfType [securestring]
            $Run.Results['Export-ControllerSettings'].MongoPasswords.Admin | Should -BeOfType [securestring]
            $Run.Results['Backup-CriticalFiles'].BackedUpFiles[0].SHA256 | Should -Match '^[0-9a-f]{64}$'
            $Run.Results['Write-BackupSummary'].Warnings | Should -BeOfType [int]
        }

        It 'wrote the dump INTO -BackupPath' {
            $dump = $Run.Results['Invoke-MongoDBBackup']
            [System.IO.Path]::GetFileName($dump.BackupPath) | Should -Be 'MongoDB'
            $dump.CollectionCount | Should -BeGreaterThan 0
        }

        It 'recorded the Alteryx Server version in the manifest' {
            $version = $Run.Results['New-BackupManifest'].SystemInformation.AlteryxServerVersion
            $version | Should -Not -BeNullOrEmpty
            $hostInfo = Get-Content -LiteralPath (Join-Path $HostRoot (Join-Path 'sim' 'host.json')) -Raw | ConvertFrom-Json
            $version | Should -Be $hostInfo.alteryxVersion
        }

        It 'summarised the script''s own state, not the log' {
            $summary = $Run.Results['Write-BackupSummary']
            $summary.Status | Should -Be 'Success'
            $summary.ExitCode | Should -Be 0
            $summary.DestinationsCopied | Should -Be 2
            $summary.LogFile | Should -Be $Run.Results['Initialize-BackupEnvironment'].LogFilePath
            (Get-Content -LiteralPath $summary.LogFile -Raw) | Should -Match 'Full backup Success \(exit code 0\)'
        }
    }

    Context 'Module session' {
        It 'makes Initialize''s configuration the current one (overrides and Write-Log''s log)' {
            $other = Join-Path $HostRoot 'session-logs'
            $config = Initialize-BackupEnvironment -BackupMode ConfigOnly -ConfigPath $ConfigPath -ParameterOverrides @{ LogDirectory = $other; RetentionDays = @{ ConfigOnly = 11 } }
            $config.LogDirectory | Should -Be $other
            $config.RetentionDays.ConfigOnly | Should -Be 11
            # No -ConfigPath: the session's file and overrides.
            (Test-AlteryxServiceState).ServiceName | Should -Be 'AlteryxService'
            Write-Log -Message 'session line' -Level WARNING 6>$null
            (Get-Content -LiteralPath $config.LogFilePath -Raw) | Should -Match '\[WARNING\] session line'
        }
    }

    Context 'Never-throw functions report failure in their result' {
        It 'Copy-BackupToDestinations: a missing source' {
            $target = Join-Path $HostRoot 'copy-target'
            $null = New-Item -ItemType Directory -Path $target
            $result = Copy-BackupToDestinations -SourcePath (Join-Path $HostRoot 'nope.zip') -Destinations $target -WarningAction SilentlyContinue
            $LASTEXITCODE | Should -Be 3
            $result.SuccessCount | Should -Be 0
            $result.FailureCount | Should -Be 1
            $result.DestinationResults[$target].Success | Should -BeFalse
            @(Get-ChildItem -LiteralPath $target).Count | Should -Be 0
        }

        It 'Test-BackupIntegrity: a missing archive, and a wrong -ExpectedChecksum' {
            $result = Test-BackupIntegrity -ArchivePath (Join-Path $HostRoot 'ServerBackup_Full_20200101_000000.zip') -MinimumSizeMB 1 -WarningAction SilentlyContinue
            $result.OverallStatus | Should -BeFalse
            $LASTEXITCODE | Should -Not -Be 0
            $archive = $Run.Results['Compress-BackupArchive'].ArchiveFullPath
            $wrong = Test-BackupIntegrity -ArchivePath $archive -MinimumSizeMB 0.001 -ExpectedChecksum ('0' * 64) -WarningAction SilentlyContinue
            $wrong.OverallStatus | Should -BeFalse
            $LASTEXITCODE | Should -Be 4
            $big = Test-BackupIntegrity -ArchivePath $archive -MinimumSizeMB 100000 -WarningAction SilentlyContinue
            $big.ArchiveValidation.MeetsMinimumSize | Should -BeFalse
        }

        It 'Test-BackupIntegrity: without a sidecar the CRC and SHA256 checks still decide' {
            $archive = $Run.Results['Compress-BackupArchive'].ArchiveFullPath
            $copy = Join-Path $HostRoot ([System.IO.Path]::GetFileName($archive))
            Copy-Item -LiteralPath $archive -Destination $copy
            $result = Test-BackupIntegrity -ArchivePath $copy -MinimumSizeMB 0.001 -WarningAction SilentlyContinue
            $result.OverallStatus | Should -BeTrue
            $result.ArchiveValidation.IntegrityVerified | Should -BeTrue
            @($result.ValidationWarnings) -join ' ' | Should -Match 'sidecar'
        }

        It 'Remove-OldBackups: a retention of 0 days deletes nothing' {
            $local = $Run.Results['Initialize-BackupEnvironment'].LocalBackupPath
            $before = @(Get-ChildItem -LiteralPath $local).Count
            $result = Remove-OldBackups -BackupPath $local -RetentionDays @{ Full = 0 } -BackupMode Full -WarningAction SilentlyContinue
            $result.Success | Should -BeFalse
            $result.FilesDeleted | Should -Be 0
            $LASTEXITCODE | Should -Be 3
            @(Get-ChildItem -LiteralPath $local).Count | Should -Be $before
        }

        It 'Remove-OldBackups -BackupMode looks at that mode''s archives only' {
            $folder = Join-Path $HostRoot 'retention'
            $null = New-Item -ItemType Directory -Path $folder
            foreach ($name in @('ServerBackup_Full_20200101_000000.zip', 'ServerBackup_Config_20200101_000000.zip', 'ServerBackup_Config_20200102_000000.zip')) {
                [System.IO.File]::WriteAllText((Join-Path $folder $name), 'x')
            }
            $result = Remove-OldBackups -BackupPath $folder -RetentionDays @{ Full = 1; DatabaseOnly = 1; ConfigOnly = 1 } -BackupMode ConfigOnly
            $result.FilesScanned | Should -Be 2
            (Join-Path $folder 'ServerBackup_Full_20200101_000000.zip') | Should -Exist
        }
    }

    Context 'Bad input: a clear error, the exit code, nothing half-written' {
        It 'Initialize-BackupEnvironment: not an administrator (exit 3), before any folder is created' {
            $temp = Join-Path $HostRoot 'never-created'
            Set-SimFault 'notAdministrator=true'
            try {
                { Initialize-BackupEnvironment -ConfigPath $ConfigPath -ParameterOverrides @{ TempDirectory = $temp } } | Should -Throw -ErrorId 'NOT_ADMINISTRATOR,Initialize-BackupEnvironment'
                $LASTEXITCODE | Should -Be 3
            }
            finally { Set-SimFault 'notAdministrator=' }
            $temp | Should -Not -Exist
        }

        It 'Initialize-BackupEnvironment: a missing configuration (exit 3), an invalid mode (exit 6), an unknown override (exit 3)' {
            { Initialize-BackupEnvironment -ConfigPath (Join-Path $HostRoot 'missing.json') } | Should -Throw -ErrorId 'CONFIG_NOT_FOUND,Initialize-BackupEnvironment'
            $LASTEXITCODE | Should -Be 3
            { Initialize-BackupEnvironment -ConfigPath $ConfigPath -ParameterOverrides @{ BackupMode = 'Weekly' } } | Should -Throw -ErrorId 'INVALID_BACKUP_MODE,Initialize-BackupEnvironment'
            $LASTEXITCODE | Should -Be 6
            { Initialize-BackupEnvironment -ConfigPath $ConfigPath -ParameterOverrides @{ TempDirectroy = 'x' } } | Should -Throw -ExpectedMessage '*TempDirectroy*'
            $LASTEXITCODE | Should -Be 3
        }

        It 'Test-AlteryxServiceState: a service that does not exist is an error (exit 3)' {
            { Test-AlteryxServiceState -ServiceName 'NoSuchService' -ConfigPath $ConfigPath } | Should -Throw -ErrorId 'SERVICE_NOT_FOUND,Test-AlteryxServiceState'
            $LASTEXITCODE | Should -Be 3
        }

        It 'Stop-AlteryxServiceSafely: a service that does not exist (exit 3); the real one keeps running' {
            { Stop-AlteryxServiceSafely -ServiceName 'NoSuchService' -ConfigPath $ConfigPath } | Should -Throw -ErrorId 'SERVICE_NOT_FOUND,Stop-AlteryxServiceSafely'
            $LASTEXITCODE | Should -Be 3
            Get-SimState | Should -Be 'Running'
        }

        It 'Stop-AlteryxServiceSafely: -MultiNodeInfo without IsMultiNode (exit 3)' {
            { Stop-AlteryxServiceSafely -MultiNodeInfo @{ ControllerNode = @{ Hostname = 'X' } } -ConfigPath $ConfigPath } | Should -Throw -ErrorId 'PARAMETER_INVALID,Stop-AlteryxServiceSafely'
            $LASTEXITCODE | Should -Be 3
            Get-SimState | Should -Be 'Running'
        }

        It 'Invoke-MongoDBBackup: a -BackupPath that is not empty (exit 3) is left as it was' {
            $busy = Join-Path $HostRoot 'busy-dump'
            $null = New-Item -ItemType Directory -Path $busy
            [System.IO.File]::WriteAllText((Join-Path $busy 'keep.txt'), 'mine')
            { Invoke-MongoDBBackup -MongoType embedded -BackupPath $busy -ConfigPath $ConfigPath } | Should -Throw -ErrorId 'PARAMETER_INVALID,Invoke-MongoDBBackup'
            $LASTEXITCODE | Should -Be 3
            @(Get-ChildItem -LiteralPath $busy).Name | Should -Be @('keep.txt')
        }

        It 'Backup-CriticalFiles: a missing required file (exit 3) copies nothing' {
            $stage = Join-Path $HostRoot 'stage-missing'
            $registry = @{ AllModes = @(
                    @{ SourcePath = (Join-Path $ProgramData 'RuntimeSettings.xml'); DestinationPath = 'Config\RuntimeSettings.xml'; Required = $true }
                    @{ SourcePath = (Join-Path $ProgramData 'NotThere.xml'); DestinationPath = 'Config\NotThere.xml'; Required = $true }) }
            { Backup-CriticalFiles -TempDirectory $stage -FilesRegistry $registry -ConfigPath $ConfigPath } | Should -Throw -ErrorId 'REQUIRED_FILE_MISSING,Backup-CriticalFiles'
            $LASTEXITCODE | Should -Be 3
            $stage | Should -Not -Exist
        }

        It 'Backup-CriticalFiles: a missing optional file is a warning, not an error' {
            $stage = Join-Path $HostRoot 'stage-optional'
            $registry = @{ AllModes = @(@{ SourcePath = (Join-Path $ProgramData 'NotThere.xml'); DestinationPath = 'Config\NotThere.xml'; Required = $false }) }
            $result = Backup-CriticalFiles -TempDirectory $stage -FilesRegistry $registry -ConfigPath $ConfigPath
            $result.Success | Should -BeTrue
            $result.FilesBackedUp | Should -Be 0
            @($result.Skipped).Count | Should -Be 1
        }

        It 'Export-ControllerSettings: an -AlteryxServicePath that does not exist (exit 3) writes nothing' {
            $stage = Join-Path $HostRoot 'stage-export'
            { Export-ControllerSettings -TempDirectory $stage -AlteryxServicePath (Join-Path $HostRoot 'AlteryxService.exe') -ConfigPath $ConfigPath } | Should -Throw -ErrorId 'PARAMETER_INVALID,Export-ControllerSettings'
            $LASTEXITCODE | Should -Be 3
            $stage | Should -Not -Exist
        }

        It 'New-BackupManifest: -EndTime before -StartTime (exit 3)' {
            $config = $Run.Results['Initialize-BackupEnvironment']
            { New-BackupManifest -BackupConfig $config -BackupResults @{} -StartTime (Get-Date) -EndTime (Get-Date).AddHours(-1) } | Should -Throw -ErrorId 'PARAMETER_INVALID,New-BackupManifest'
            $LASTEXITCODE | Should -Be 3
        }

        It 'Compress-BackupArchive: a missing source folder (exit 3) leaves no archive' {
            $out = Join-Path $HostRoot 'archive-out'
            $null = New-Item -ItemType Directory -Path $out
            { Compress-BackupArchive -SourcePath (Join-Path $HostRoot 'no-stage') -DestinationPath $out -BackupMode Full -ConfigPath $ConfigPath } | Should -Throw -ErrorId 'PARAMETER_INVALID,Compress-BackupArchive'
            $LASTEXITCODE | Should -Be 3
            @(Get-ChildItem -LiteralPath $out -Force).Count | Should -Be 0
        }

        It 'Write-BackupSummary: a state without ExitCode is refused (exit 3), never guessed; the log is untouched' {
            $log = Join-Path $HostRoot 'summary.log'
            { Write-BackupSummary -BackupState @{ BackupMode = 'Full'; StartTime = (Get-Date); Status = 'Success' } -LogPath $log -ConfigPath $ConfigPath } | Should -Throw -ErrorId 'PARAMETER_INVALID,Write-BackupSummary'
            $LASTEXITCODE | Should -Be 3
            $log | Should -Not -Exist
        }

        It 'Write-Log: a log that cannot be written is a warning, never an error' {
            $blocker = Join-Path $HostRoot 'a-file'
            [System.IO.File]::WriteAllText($blocker, 'x')
            Write-Log -Message 'x' -LogPath (Join-Path $blocker 'x.log') -WarningVariable logWarnings -WarningAction SilentlyContinue 6>$null
            @($logWarnings).Count | Should -Be 1
            "$logWarnings" | Should -BeLike '*could not write*'
        }
    }
}
