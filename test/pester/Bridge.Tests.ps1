# The node bridge, exercised through the public cmdlets against a fake core
# (fixtures/fake-core.js, selected with $env:ALTERYXBACKUP_CORE).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $env:ALTERYXBACKUP_CORE = $FakeCore
    $configPath = Join-Path $TestDrive 'backup-config.json'

    function Reset-Fake {
        param([string]$Scenario = 'events', [hashtable]$Extra = @{})
        $script:recordPath = Join-Path $TestDrive ("record-{0}.jsonl" -f [guid]::NewGuid().ToString('N'))
        $env:ALTERYXBACKUP_FAKE_RECORD = $script:recordPath
        $env:ALTERYXBACKUP_FAKE_SCENARIO = $Scenario
        foreach ($name in @('ALTERYXBACKUP_FAKE_EXIT', 'ALTERYXBACKUP_FAKE_CODE', 'ALTERYXBACKUP_FAKE_CATEGORY', 'ALTERYXBACKUP_FAKE_HANG_MS', 'ALTERYXBACKUP_FAKE_STATUS')) {
            Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
        }
        foreach ($key in $Extra.Keys) { Set-Item -Path "Env:$key" -Value $Extra[$key] }
    }

    function Get-Request {
        param([int]$Index = 0)
        $records = @(Read-FakeRecord -Path $script:recordPath)
        $records[$Index].stdin | ConvertFrom-Json
    }

    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
}

AfterAll {
    foreach ($name in @('ALTERYXBACKUP_CORE', 'ALTERYXBACKUP_FAKE_RECORD', 'ALTERYXBACKUP_FAKE_SCENARIO', 'ALTERYXBACKUP_FAKE_EXIT',
            'ALTERYXBACKUP_FAKE_CODE', 'ALTERYXBACKUP_FAKE_CATEGORY', 'ALTERYXBACKUP_FAKE_HANG_MS', 'ALTERYXBACKUP_FAKE_STATUS')) {
        Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
    }
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'Event mapping' {
    BeforeAll {
        Reset-Fake -Scenario 'events'
        $run = Invoke-InFreshRunspace -ScriptBlock {
            param($ConfigPath)
            Invoke-AlteryxBackup ConfigOnly -ConfigPath $ConfigPath -Verbose
        } -ArgumentList @($configPath)
    }

    It 'returns the result data as an object on the pipeline' {
        $run.Failure | Should -BeNullOrEmpty
        $run.Errors.Count | Should -Be 0
        $run.Output.Count | Should -Be 1
        $run.Output[0].Status | Should -Be 'Success'
        $run.Output[0].BackupMode | Should -Be 'ConfigOnly'
        $run.Output[0].ArchivePath | Should -BeLike '*ServerBackup_Config_*.zip'
        $run.Output[0].PSObject.TypeNames | Should -Contain 'AlteryxBackup.Invoke-AlteryxBackup.Result'
    }

    It 'decodes stdout as UTF-8' {
        $run.Output[0].Unicode | Should -BeExactly "Z$([char]0x00FC)rich $([char]0x2713)"
    }

    It 'maps DEBUG and INFO logs to Write-Verbose' {
        @($run.Verbose | Where-Object { $_ -like '*`[DEBUG`] debug line' }).Count | Should -Be 1
        @($run.Verbose | Where-Object { $_ -like '*`[INFO`] info line' }).Count | Should -Be 1
        @($run.Verbose | Where-Object { $_ -like '*success line*' }).Count | Should -Be 0
    }

    It 'maps SUCCESS, WARNING and ERROR logs to Write-Information with the level as a tag' {
        foreach ($level in @('SUCCESS', 'WARNING', 'ERROR')) {
            $records = @($run.Information | Where-Object { $_.Tags -contains $level })
            $records.Count | Should -Be 1 -Because $level
            [string]$records[0].MessageData | Should -BeLike "*`[$level`]*"
            $records[0].Tags | Should -Contain 'AlteryxBackup'
        }
    }

    It 'maps warning events, and only those, to Write-Warning' {
        $run.Warning | Should -Be @('Keys folder is missing')
    }

    It 'maps progress events to Write-Progress' {
        $records = @($run.Progress | Where-Object { $_.Activity -eq 'Archive' })
        $running = @($records | Where-Object { $_.RecordType -eq 'Processing' })
        $running[0].StatusDescription | Should -Be 'Config/RuntimeSettings.xml'
        $running[0].PercentComplete | Should -Be 42
        $running[1].PercentComplete | Should -Be -1
        $running[1].StatusDescription | Should -Be 'Processing'
        $running[1].SecondsRemaining | Should -Be -1
        $running[2].StatusDescription | Should -Be 'Verifying a.bson (1.0 of 2.0 MB)'
        $running[2].SecondsRemaining | Should -Be 12
        @($records | Where-Object { $_.RecordType -eq 'Completed' }).Count | Should -BeGreaterThan 0
    }

    It 'forwards stderr with Write-Verbose' {
        @($run.Verbose | Where-Object { $_ -like '*a human-readable stderr line*' }).Count | Should -Be 1
    }

    It 'sets $LASTEXITCODE to 0' {
        $run.LastExitCode | Should -Be 0
    }

    It 'puts only the command name on the command line' {
        $record = @(Read-FakeRecord -Path $recordPath)[0]
        @($record.argv | Select-Object -Skip 2) | Should -Be @('Invoke-AlteryxBackup')
        $record.argv[1] | Should -Be $FakeCore
        $record.stdinHasBom | Should -BeFalse
    }
}

Describe 'Request building' {
    It 'sends only bound parameters, switches as booleans, and an absolute configPath' {
        Reset-Fake
        Push-Location $TestDrive
        try {
            $null = Invoke-AlteryxBackup -BackupMode Full -ConfigPath 'backup-config.json' -StopServiceForExternalDB -RetentionDays 7 -NetworkBackupPath 'TestDrive:\net1' -LocalBackupPath 'local' -Verbose 4>$null
        }
        finally { Pop-Location }
        $request = Get-Request
        $request.command | Should -Be 'Invoke-AlteryxBackup'
        $request.configPath | Should -Be ([System.IO.Path]::GetFullPath((Join-Path $TestDrive 'backup-config.json')))
        $request.whatIf | Should -BeFalse
        $names = @($request.parameters.PSObject.Properties.Name | Sort-Object)
        $names | Should -Be @('BackupMode', 'LocalBackupPath', 'NetworkBackupPath', 'RetentionDays', 'StopServiceForExternalDB')
        $request.parameters.StopServiceForExternalDB | Should -BeOfType [bool]
        $request.parameters.StopServiceForExternalDB | Should -BeTrue
        $request.parameters.RetentionDays | Should -Be 7
        $request.parameters.LocalBackupPath | Should -Be (Join-Path $TestDrive 'local')
        , $request.parameters.NetworkBackupPath | Should -BeOfType [object[]]
        $request.parameters.NetworkBackupPath | Should -Be @((Join-Path $TestDrive 'net1'))
    }

    It 'uses the checkout config/backup-config.json when -ConfigPath is omitted' {
        Reset-Fake
        $null = Test-AlteryxServiceState
        $request = Get-Request
        $expected = [System.IO.Path]::GetFullPath((Join-Path $RepoRoot (Join-Path 'config' 'backup-config.json')))
        if (-not (Test-Path -LiteralPath $expected)) {
            $expected = [System.IO.Path]::GetFullPath((Join-Path $ModuleFolder (Join-Path 'config' 'backup-config.json')))
        }
        $request.configPath | Should -Be $expected
        @($request.parameters.PSObject.Properties).Count | Should -Be 0
    }

    It 'runs node in the current PowerShell location' {
        Reset-Fake
        Push-Location $TestDrive
        try { $null = Test-AlteryxServiceState -ConfigPath $configPath } finally { Pop-Location }
        (@(Read-FakeRecord -Path $recordPath)[0]).cwd | Should -Be ([string](Get-Item -LiteralPath $TestDrive).FullName)
    }

    It 'sends the CompressionLevel default of Compress-BackupArchive' {
        Reset-Fake
        $null = Compress-BackupArchive -SourcePath $TestDrive -DestinationPath 'out' -BackupMode ConfigOnly -ConfigPath $configPath -CalculateChecksum $true
        $request = Get-Request
        $request.parameters.CompressionLevel | Should -Be 'Optimal'
        $request.parameters.CalculateChecksum | Should -BeTrue
        $request.parameters.SourcePath | Should -Be ([string](Get-Item -LiteralPath $TestDrive).FullName)
    }

    It 'rejects invalid values before node runs' {
        Reset-Fake
        { Invoke-AlteryxBackup -BackupMode Foo -ConfigPath $configPath } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Invoke-AlteryxBackup'
        { Invoke-AlteryxBackup -RetentionDays 0 -ConfigPath $configPath } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Invoke-AlteryxBackup'
        { Compress-BackupArchive -SourcePath x -DestinationPath y -BackupMode Full -CompressionLevel Maximum -ConfigPath $configPath } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Compress-BackupArchive'
        $recordPath | Should -Not -Exist
    }

    It 'rejects conflicting parameters in begin{} with exit code 3' {
        Reset-Fake
        $secret = ConvertTo-SecureString 'x' -AsPlainText -Force
        { Invoke-AlteryxBackup Full -MongoDBType embedded -MongoPassword $secret -ConfigPath $configPath } | Should -Throw -ErrorId 'PARAMETER_CONFLICT,Invoke-AlteryxBackup'
        $LASTEXITCODE | Should -Be 3
        $recordPath | Should -Not -Exist
    }
}

Describe 'Secrets' {
    BeforeAll {
        Reset-Fake
        $mongoSecret = 'Mongo-S3cret-7f1e'
        $smtpSecret = 'Smtp-S3cret-9c2a'
        $credential = New-Object System.Management.Automation.PSCredential 'mailer@example.com', (ConvertTo-SecureString $smtpSecret -AsPlainText -Force)
        $result = Invoke-AlteryxBackup Full -ConfigPath $configPath -MongoPassword (ConvertTo-SecureString $mongoSecret -AsPlainText -Force) -SmtpCredential $credential -Verbose 4>&1 6>&1
        $record = @(Read-FakeRecord -Path $recordPath)[0]
        $request = $record.stdin | ConvertFrom-Json
    }

    It 'sends the secrets on stdin under their protocol names' {
        $request.secrets.MongoPassword | Should -BeExactly $mongoSecret
        $request.secrets.SmtpPassword | Should -BeExactly $smtpSecret
        $request.parameters.SmtpUsername | Should -Be 'mailer@example.com'
    }

    It 'keeps secrets out of parameters' {
        $request.parameters.PSObject.Properties.Name | Should -Not -Contain 'MongoPassword'
        $request.parameters.PSObject.Properties.Name | Should -Not -Contain 'SmtpCredential'
        ($request.parameters | ConvertTo-Json -Depth 10 -Compress) | Should -Not -Match 'S3cret'
    }

    It 'keeps secrets off the command line' {
        ($record.argv -join ' ') | Should -Not -Match ([regex]::Escape($mongoSecret))
        ($record.argv -join ' ') | Should -Not -Match ([regex]::Escape($smtpSecret))
    }

    It 'keeps secrets out of the environment' {
        $envText = $record.env | ConvertTo-Json -Depth 10 -Compress
        $envText | Should -Not -BeNullOrEmpty
        $envText | Should -Not -Match ([regex]::Escape($mongoSecret))
        $envText | Should -Not -Match ([regex]::Escape($smtpSecret))
    }

    It 'keeps secrets out of everything written to PowerShell streams' {
        $text = ($result | ForEach-Object { if ($_ -is [System.Management.Automation.PSCustomObject] -or $_ -is [System.Collections.IDictionary]) { $_ | ConvertTo-Json -Depth 10 } else { [string]$_ } }) -join "`n"
        $text | Should -Match 'SecretNames'
        $text | Should -Not -Match 'S3cret'
    }
}

Describe 'Secrets from credential files (Export-Clixml)' {
    BeforeAll {
        function New-ConfigWithCredentialFiles {
            param([string]$MongoFile = '', [string]$SmtpFile = '')
            $path = Join-Path $TestDrive ('cred-config-{0}.json' -f [guid]::NewGuid().ToString('N'))
            $json = [ordered]@{
                MongoDBConfiguration      = [ordered]@{ SelfManagedMongoDB = [ordered]@{ CredentialFile = $MongoFile } }
                NotificationConfiguration = [ordered]@{ CredentialFile = $SmtpFile }
            } | ConvertTo-Json -Depth 10
            [System.IO.File]::WriteAllText($path, $json, (New-Object System.Text.UTF8Encoding $false))
            $path
        }
        $mongoFile = Join-Path $TestDrive 'mongo.cred.xml'
        ConvertTo-SecureString 'File-Mongo-8d3f' -AsPlainText -Force | Export-Clixml -LiteralPath $mongoFile
        $smtpFile = Join-Path $TestDrive 'smtp.cred.xml'
        New-Object System.Management.Automation.PSCredential 'relay@example.com', (ConvertTo-SecureString 'File-Smtp-5b1c' -AsPlainText -Force) |
            Export-Clixml -LiteralPath $smtpFile
    }

    It 'reads the configured files and sends their secrets on stdin only' {
        Reset-Fake
        $cfg = New-ConfigWithCredentialFiles -MongoFile $mongoFile -SmtpFile $smtpFile
        $null = Invoke-AlteryxBackup Full -ConfigPath $cfg
        $record = @(Read-FakeRecord -Path $recordPath)[0]
        $request = $record.stdin | ConvertFrom-Json
        $request.secrets.MongoPassword | Should -BeExactly 'File-Mongo-8d3f'
        $request.secrets.SmtpPassword | Should -BeExactly 'File-Smtp-5b1c'
        $request.parameters.SmtpUsername | Should -Be 'relay@example.com'
        (($record.argv -join ' ') + ($record.env | ConvertTo-Json -Compress -Depth 5)) | Should -Not -Match 'File-(Mongo|Smtp)'
    }

    It 'lets an explicit parameter win over the file' {
        Reset-Fake
        $cfg = New-ConfigWithCredentialFiles -MongoFile $mongoFile
        $null = Invoke-AlteryxBackup Full -ConfigPath $cfg -MongoPassword (ConvertTo-SecureString 'Param-Mongo' -AsPlainText -Force)
        (Get-Request).secrets.MongoPassword | Should -BeExactly 'Param-Mongo'
    }

    It 'reads only the secrets the command needs' {
        Reset-Fake
        $cfg = New-ConfigWithCredentialFiles -MongoFile $mongoFile -SmtpFile $smtpFile
        $null = Test-BackupIntegrity -ArchivePath 'x.zip' -ConfigPath $cfg
        @((Get-Request).secrets.PSObject.Properties).Count | Should -Be 0
        Reset-Fake
        $null = Invoke-MongoDBBackup -ConfigPath $cfg
        @((Get-Request).secrets.PSObject.Properties.Name) | Should -Be @('MongoPassword')
    }

    It 'fails with exit code 3, before node runs, when a configured file is missing' {
        Reset-Fake
        $cfg = New-ConfigWithCredentialFiles -MongoFile (Join-Path $TestDrive 'nope.xml')
        { Invoke-AlteryxBackup Full -ConfigPath $cfg } | Should -Throw -ErrorId 'CREDENTIAL_FILE_NOT_FOUND,Invoke-AlteryxBackup'
        $LASTEXITCODE | Should -Be 3
        $recordPath | Should -Not -Exist
    }

    It 'refuses a credential file holding plain text' {
        Reset-Fake
        $plain = Join-Path $TestDrive 'plain.xml'
        'not-a-secure-string' | Export-Clixml -LiteralPath $plain
        $cfg = New-ConfigWithCredentialFiles -SmtpFile $plain
        { Write-BackupSummary -LogPath 'x.log' -ConfigPath $cfg } | Should -Throw -ErrorId 'CREDENTIAL_FILE_INVALID,Write-BackupSummary'
        $LASTEXITCODE | Should -Be 3
    }

    It 'leaves a config that is not JSON to node' {
        Reset-Fake
        $broken = Join-Path $TestDrive 'broken.json'
        [System.IO.File]::WriteAllText($broken, '{ nope', (New-Object System.Text.UTF8Encoding $false))
        $null = Invoke-AlteryxBackup Full -ConfigPath $broken
        (Get-Request).configPath | Should -Be $broken
    }
}

Describe 'Failure mapping' {
    It 'throws a terminating error whose ErrorId is error.code, with category, target object and LASTEXITCODE' {
        Reset-Fake -Scenario 'fail'
        $caught = $null
        # Test-BackupIntegrity, Copy-BackupToDestinations and Remove-OldBackups never throw (CONTRACTS.md); New-BackupManifest does.
        try { New-BackupManifest -SourcePath 'x' -BackupMode Full -ConfigPath $configPath } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -Be 'CONFIG_INVALID,New-BackupManifest'
        $caught.CategoryInfo.Category | Should -Be 'InvalidData'
        $caught.TargetObject.Status | Should -Be 'Failed'
        $caught.Exception.Message | Should -BeLike 'backup-config.json: BackupConfiguration.Foo: unknown key*'
        $caught.Exception.Message | Should -BeLike '*ServiceConfiguration.MaxServiceWaitSeconds: must be integer*'
        $caught.Exception.Data['ExitCode'] | Should -Be 3
        $LASTEXITCODE | Should -Be 3
    }

    It 'works with Should -Throw -ErrorId' {
        Reset-Fake -Scenario 'fail' -Extra @{ ALTERYXBACKUP_FAKE_EXIT = '5'; ALTERYXBACKUP_FAKE_CODE = 'MONGODB_DUMP_FAILED' }
        { Invoke-MongoDBBackup -ConfigPath $configPath } | Should -Throw -ErrorId 'MONGODB_DUMP_FAILED,Invoke-MongoDBBackup'
        $LASTEXITCODE | Should -Be 5
    }

    It 'falls back to NotSpecified for an unknown category' {
        Reset-Fake -Scenario 'fail' -Extra @{ ALTERYXBACKUP_FAKE_EXIT = '4'; ALTERYXBACKUP_FAKE_CODE = 'STORAGE_ERROR'; ALTERYXBACKUP_FAKE_CATEGORY = 'NoSuchCategory' }
        $caught = $null
        try { Compress-BackupArchive -SourcePath 'x' -DestinationPath 'y' -BackupMode Full -ConfigPath $configPath } catch { $caught = $_ }
        $caught.CategoryInfo.Category | Should -Be 'NotSpecified'
        $caught.FullyQualifiedErrorId | Should -Be 'STORAGE_ERROR,Compress-BackupArchive'
        $LASTEXITCODE | Should -Be 4
    }

    It 'returns the failure of a never-throw cmdlet as its result, with the exit code and a warning' {
        Reset-Fake -Scenario 'fail' -Extra @{ ALTERYXBACKUP_FAKE_EXIT = '4'; ALTERYXBACKUP_FAKE_CODE = 'STORAGE_ERROR' }
        $warnings = $null
        $result = Copy-BackupToDestinations -ArchivePath 'x.zip' -ConfigPath $configPath -WarningVariable warnings -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -Be 4
        $result | Should -Not -BeNullOrEmpty
        $result['Status'] | Should -Be 'Failed'
        $result.PSObject.TypeNames[0] | Should -Be 'AlteryxBackup.CopyResult'
        @($warnings).Count | Should -BeGreaterThan 0
    }

    It 'honours -ErrorAction SilentlyContinue only as PowerShell does for terminating errors (still throws)' {
        Reset-Fake -Scenario 'fail'
        { New-BackupManifest -SourcePath 'x' -BackupMode Full -ConfigPath $configPath -ErrorAction SilentlyContinue } | Should -Throw
    }

    It 'reports a missing core as NODE_CORE_NOT_FOUND with exit code 1' {
        Reset-Fake
        $saved = $env:ALTERYXBACKUP_CORE
        $env:ALTERYXBACKUP_CORE = Join-Path $TestDrive 'missing-main.js'
        try { { Test-AlteryxServiceState -ConfigPath $configPath } | Should -Throw -ErrorId 'NODE_CORE_NOT_FOUND,Test-AlteryxServiceState' }
        finally { $env:ALTERYXBACKUP_CORE = $saved }
        $LASTEXITCODE | Should -Be 1
    }

    It 'reports a missing node as NODE_NOT_FOUND with exit code 1' {
        Reset-Fake
        # Nothing on PATH, and the last resort ($env:ALTERYXBACKUP_NODE) names no file.
        $savedPath = $env:PATH
        $env:PATH = Join-Path $TestDrive 'empty-bin'
        $env:ALTERYXBACKUP_NODE = Join-Path $TestDrive 'no-node'
        try { { Test-AlteryxServiceState -ConfigPath $configPath } | Should -Throw -ErrorId 'NODE_NOT_FOUND,Test-AlteryxServiceState' }
        finally { Remove-Item Env:ALTERYXBACKUP_NODE; $env:PATH = $savedPath }
        $LASTEXITCODE | Should -Be 1
    }
}

Describe 'Output shapes and the pipeline' {
    It 'writes each element of an array result' {
        Reset-Fake -Scenario 'array'
        $out = @(Remove-OldBackups -ConfigPath $configPath -Confirm:$false)
        $out.Count | Should -Be 2
        $out[1].Name | Should -Be 'two'
    }

    It 'binds ArchivePath from the pipeline by property name, once per object' {
        Reset-Fake
        $null = [pscustomobject]@{ ArchivePath = 'a.zip' }, [pscustomobject]@{ ArchivePath = 'b.zip' } | Test-BackupIntegrity -ConfigPath $configPath
        $records = @(Read-FakeRecord -Path $recordPath)
        $records.Count | Should -Be 2
        (($records[1].stdin | ConvertFrom-Json).parameters.ArchivePath) | Should -BeLike '*b.zip'
    }

    It 'sends a path on a drive PowerShell cannot see unchanged' {
        Reset-Fake
        $null = Test-BackupIntegrity -ArchivePath 'Q9:\nowhere\x.zip' -ConfigPath $configPath
        (Get-Request).parameters.ArchivePath | Should -Be 'Q9:\nowhere\x.zip'
    }

    It 'binds FileInfo objects through FullName' {
        Reset-Fake
        $zip = Join-Path $TestDrive 'ServerBackup_Config_20260101_000000.zip'
        Set-Content -LiteralPath $zip -Value 'x'
        $null = Get-Item -LiteralPath $zip | Test-BackupIntegrity -ConfigPath $configPath
        (Get-Request).parameters.ArchivePath | Should -Be $zip
    }

    It 'pipes Invoke-AlteryxBackup into Test-BackupIntegrity' {
        Reset-Fake
        $null = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath | Test-BackupIntegrity -ConfigPath $configPath
        $records = @(Read-FakeRecord -Path $recordPath)
        $records.command | Should -Be @('Invoke-AlteryxBackup', 'Test-BackupIntegrity')
        ($records[1].stdin | ConvertFrom-Json).parameters.ArchivePath | Should -BeLike '*ServerBackup_Config_20260101_000000.zip'
    }

    It 'works when the module runs under Set-StrictMode -Version Latest' {
        Reset-Fake
        $run = Invoke-InFreshRunspace -ScriptBlock {
            param($ConfigPath)
            & (Get-Module AlteryxBackup) { Set-StrictMode -Version Latest }
            Invoke-AlteryxBackup ConfigOnly -ConfigPath $ConfigPath -Verbose
        } -ArgumentList @($configPath)
        $run.Failure | Should -BeNullOrEmpty
        $run.Errors.Count | Should -Be 0
        $run.Output[0].Status | Should -Be 'Success'
    }
}

Describe 'WhatIf and Confirm' {
    It 'Invoke-AlteryxBackup -WhatIf asks node for the plan' {
        Reset-Fake
        $out = Invoke-AlteryxBackup Full -ConfigPath $configPath -WhatIf
        (Get-Request).whatIf | Should -BeTrue
        $out.Echo.WhatIf | Should -BeTrue
        (Get-Request).parameters.PSObject.Properties.Name | Should -Not -Contain 'WhatIf'
    }

    It 'Remove-OldBackups -WhatIf asks node what it would delete' {
        Reset-Fake
        $null = Remove-OldBackups -ConfigPath $configPath -RetentionDays 7 -WhatIf
        (Get-Request).whatIf | Should -BeTrue
        (Get-Request).command | Should -Be 'Remove-OldBackups'
    }

    It 'Stop-AlteryxServiceSafely -WhatIf does not call node at all' {
        Reset-Fake
        Stop-AlteryxServiceSafely -ConfigPath $configPath -WhatIf
        Start-AlteryxServiceSafely -ConfigPath $configPath -WhatIf
        $recordPath | Should -Not -Exist
    }

    It '-Confirm:$false runs for real' {
        Reset-Fake
        $null = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath -Confirm:$false
        (Get-Request).whatIf | Should -BeFalse
    }
}

Describe 'Application event log entry per run' {
    BeforeEach {
        Mock -ModuleName AlteryxBackup Write-AlteryxBackupEventLog { }
    }

    It 'writes event 1000 for a successful run' {
        Reset-Fake
        $out = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath -WarningAction SilentlyContinue
        $out.Status | Should -Be 'Success'
        Should -Invoke -ModuleName AlteryxBackup Write-AlteryxBackupEventLog -Times 1 -Exactly -ParameterFilter { $EventId -eq 1000 -and $Message -like '*ServerBackup_Config_*' }
    }

    It 'writes event 1001 for a run that finished with warnings' {
        Reset-Fake -Extra @{ ALTERYXBACKUP_FAKE_STATUS = 'Warning' }
        $null = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath -WarningAction SilentlyContinue
        Should -Invoke -ModuleName AlteryxBackup Write-AlteryxBackupEventLog -Times 1 -Exactly -ParameterFilter { $EventId -eq 1001 -and $Message -like '*Keys folder is missing*' }
    }

    It 'writes event 1002 for a failed run and still throws the core''s error' {
        Reset-Fake -Scenario 'fail' -Extra @{ ALTERYXBACKUP_FAKE_EXIT = '5'; ALTERYXBACKUP_FAKE_CODE = 'EMONGODUMP_FAILED' }
        { Invoke-AlteryxBackup Full -ConfigPath $configPath } | Should -Throw -ErrorId 'EMONGODUMP_FAILED,Invoke-AlteryxBackup'
        $LASTEXITCODE | Should -Be 5
        Should -Invoke -ModuleName AlteryxBackup Write-AlteryxBackupEventLog -Times 1 -Exactly -ParameterFilter { $EventId -eq 1002 -and $Message -like '*EMONGODUMP_FAILED*' }
    }

    It 'keeps the failed run''s summary as the error''s TargetObject' {
        Reset-Fake -Scenario 'fail'
        $caught = $null
        try { Invoke-AlteryxBackup Full -ConfigPath $configPath } catch { $caught = $_ }
        $caught.TargetObject.Status | Should -Be 'Failed'
        $caught.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'writes nothing for -WhatIf' {
        Reset-Fake
        $null = Invoke-AlteryxBackup Full -ConfigPath $configPath -WhatIf
        Should -Invoke -ModuleName AlteryxBackup Write-AlteryxBackupEventLog -Times 0 -Exactly
    }

    It 'does nothing off Windows and never throws' {
        if ($env:OS -eq 'Windows_NT') { Set-ItResult -Skipped -Because 'this check is for non-Windows hosts'; return }
        InModuleScope AlteryxBackup { { Write-AlteryxBackupEventLog -EventId 1000 -Message 'x' } | Should -Not -Throw }
    }
}

Describe 'Large output' {
    It 'reads 20,000 stdout lines and 2 MB of stderr without deadlocking' {
        Reset-Fake -Scenario 'flood'
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $run = Invoke-InFreshRunspace -TimeoutSeconds 120 -ScriptBlock {
            param($ConfigPath)
            Test-AlteryxServiceState -ConfigPath $ConfigPath
        } -ArgumentList @($configPath)
        $watch.Stop()
        $run.TimedOut | Should -BeFalse
        $run.Failure | Should -BeNullOrEmpty
        $run.Errors.Count | Should -Be 0
        $run.Output[0].Lines | Should -Be 20000
        $run.LastExitCode | Should -Be 0
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 120
    }
}

Describe 'A child of node keeps stdout open' {
    It 'returns once node has exited instead of waiting for the child' {
        Reset-Fake -Scenario 'orphan-holds-stdout'
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $run = Invoke-InFreshRunspace -TimeoutSeconds 25 -ScriptBlock { param($ConfigPath) Test-AlteryxServiceState -ConfigPath $ConfigPath } -ArgumentList @($configPath)
        $watch.Stop()
        $orphan = @(Read-FakeRecord -Path $recordPath) | Where-Object { $_.command -eq 'orphan' }
        if ($null -ne $orphan) { Stop-Process -Id $orphan.pid -Force -ErrorAction SilentlyContinue }
        $run.TimedOut | Should -BeFalse
        $run.Failure | Should -BeNullOrEmpty
        $run.Output[0].Orphan | Should -BeGreaterThan 0
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
    }
}

Describe 'node dies' {
    It 'after stopping the service: NODE_DIED, exit code 1, and Repair-AlteryxBackupState runs' {
        Reset-Fake -Scenario 'die-after-stop'
        $caught = $null
        try { Invoke-AlteryxBackup Full -ConfigPath $configPath -TempDirectory (Join-Path $TestDrive 'tmp') -MaxServiceWait 60 } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'NODE_DIED,Invoke-AlteryxBackup'
        $caught.Exception.Message | Should -BeLike '*simulated crash*'
        $caught.Exception.Message | Should -BeLike '*Repair-AlteryxBackupState: Started AlteryxService on FAKE-HOST.*'
        $LASTEXITCODE | Should -Be 1
        $records = @(Read-FakeRecord -Path $recordPath)
        $records.command | Should -Be @('Invoke-AlteryxBackup', 'Repair-AlteryxBackupState')
        @($records[1].argv | Select-Object -Skip 2) | Should -Be @('Repair-AlteryxBackupState')
        $repair = $records[1].stdin | ConvertFrom-Json
        $repair.configPath | Should -Be ([System.IO.Path]::GetFullPath($configPath))
        $repair.parameters.TempDirectory | Should -Be (Join-Path $TestDrive 'tmp')
        @($repair.parameters.PSObject.Properties.Name) | Should -Be @('TempDirectory')
        $repair.whatIf | Should -BeFalse
    }

    It 'after the service was started again: NODE_DIED without a repair' {
        Reset-Fake -Scenario 'die-after-restart'
        { Invoke-AlteryxBackup Full -ConfigPath $configPath } | Should -Throw -ErrorId 'NODE_DIED,Invoke-AlteryxBackup'
        $LASTEXITCODE | Should -Be 1
        @(Read-FakeRecord -Path $recordPath).command | Should -Be @('Invoke-AlteryxBackup')
    }

    It 'surfaces NODE_DIED from a separate runspace too (as the Ctrl+C tests observe it)' {
        Reset-Fake -Scenario 'die-after-restart'
        $run = Invoke-InFreshRunspace -ScriptBlock { param($ConfigPath) Invoke-AlteryxBackup Full -ConfigPath $ConfigPath } -ArgumentList @($configPath)
        $run.Failure.FullyQualifiedErrorId | Should -Be 'NODE_DIED,Invoke-AlteryxBackup'
        $run.LastExitCode | Should -Be 1
        $run.Output.Count | Should -Be 0
    }

    It 'Stop-AlteryxServiceSafely never restarts the service it was asked to stop' {
        Reset-Fake -Scenario 'die-after-stop'
        { Stop-AlteryxServiceSafely -ConfigPath $configPath -Confirm:$false } | Should -Throw -ErrorId 'NODE_DIED,Stop-AlteryxServiceSafely'
        @(Read-FakeRecord -Path $recordPath).command | Should -Be @('Stop-AlteryxServiceSafely')
    }

    It 'Ctrl+C while node has the service stopped: waits for node, then repairs' {
        Reset-Fake -Scenario 'hang-after-stop' -Extra @{ ALTERYXBACKUP_FAKE_HANG_MS = '2500' }
        $path = $recordPath
        $run = Invoke-InFreshRunspace -TimeoutSeconds 60 -ScriptBlock {
            param($ConfigPath)
            Invoke-AlteryxBackup Full -ConfigPath $ConfigPath
        } -ArgumentList @($configPath) -WhileRunning {
            param($ps)
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (-not (Test-Path -LiteralPath $path) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Start-Sleep -Milliseconds 500
            $ps.Stop()
        }
        $run.State | Should -Be 'Stopped'
        $run.LastExitCode | Should -Be 1
        @(Read-FakeRecord -Path $path).command | Should -Be @('Invoke-AlteryxBackup', 'Repair-AlteryxBackupState')
    }

    It 'Ctrl+C while node hangs: kills node after the grace period, then repairs' {
        Reset-Fake -Scenario 'hang-after-stop' -Extra @{ ALTERYXBACKUP_FAKE_HANG_MS = '0' }
        $path = $recordPath
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $run = Invoke-InFreshRunspace -TimeoutSeconds 60 -ScriptBlock {
            param($ConfigPath)
            & (Get-Module AlteryxBackup) { $script:NodeExitGraceSeconds = 2 }
            Invoke-AlteryxBackup Full -ConfigPath $ConfigPath
        } -ArgumentList @($configPath) -WhileRunning {
            param($ps)
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (-not (Test-Path -LiteralPath $path) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Start-Sleep -Milliseconds 300
            $ps.Stop()
        }
        $watch.Stop()
        $run.State | Should -Be 'Stopped'
        $records = @(Read-FakeRecord -Path $path)
        $records.command | Should -Be @('Invoke-AlteryxBackup', 'Repair-AlteryxBackupState')
        Get-Process -Id $records[0].pid -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 30
    }

    It 'Ctrl+C while node hangs and the kill throws Win32Exception (.NET Framework): the repair still runs, the error is still NODE_DIED' {
        # Issue 9: on Windows PowerShell 5.1, Kill() on a process that is just exiting throws
        # Win32Exception; it escaped the finally and skipped the repair and Dispose.
        Reset-Fake -Scenario 'hang-after-stop' -Extra @{ ALTERYXBACKUP_FAKE_HANG_MS = '0' }
        $path = $recordPath
        $run = Invoke-InFreshRunspace -TimeoutSeconds 60 -ScriptBlock {
            param($ConfigPath)
            & (Get-Module AlteryxBackup) {
                $script:NodeExitGraceSeconds = 2
                function script:Stop-AlteryxBackupNodeProcess {
                    param($Process)
                    throw (New-Object System.ComponentModel.Win32Exception 5, 'Access is denied')
                }
            }
            Invoke-AlteryxBackup Full -ConfigPath $ConfigPath
        } -ArgumentList @($configPath) -WhileRunning {
            param($ps)
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (-not (Test-Path -LiteralPath $path) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Start-Sleep -Milliseconds 300
            $ps.Stop()
        }
        $records = @(Read-FakeRecord -Path $path)
        try {
            $run.State | Should -Be 'Stopped'
            $run.LastExitCode | Should -Be 1
            $records.command | Should -Be @('Invoke-AlteryxBackup', 'Repair-AlteryxBackupState')
        }
        finally {
            # The override did not end the hanging fake node; end it here.
            Get-Process -Id $records[0].pid -ErrorAction SilentlyContinue | Stop-Process -Force -ErrorAction SilentlyContinue
        }
    }

    It 'Stop-AlteryxBackupNodeProcess treats Win32Exception and InvalidOperationException from Kill() as "already ending", and passes anything else on' {
        $module = Get-Module AlteryxBackup
        foreach ($exceptionType in @('System.ComponentModel.Win32Exception', 'System.InvalidOperationException')) {
            $fake = New-Object psobject
            $fake | Add-Member -MemberType ScriptMethod -Name Kill -Value ([scriptblock]::Create("throw (New-Object $exceptionType)"))
            { & $module { param($p) Stop-AlteryxBackupNodeProcess -Process $p } $fake } | Should -Not -Throw
        }
        $bad = New-Object psobject
        $bad | Add-Member -MemberType ScriptMethod -Name Kill -Value { throw (New-Object System.IO.IOException 'disk') }
        { & $module { param($p) Stop-AlteryxBackupNodeProcess -Process $p } $bad } | Should -Throw
        $killed = New-Object psobject -Property @{ Count = 0 }
        $counter = New-Object psobject
        $counter | Add-Member -MemberType NoteProperty -Name Box -Value $killed
        $counter | Add-Member -MemberType ScriptMethod -Name Kill -Value { $this.Box.Count++ }
        & $module { param($p) Stop-AlteryxBackupNodeProcess -Process $p } $counter
        $killed.Count | Should -Be 1
    }
}
