BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $psFiles = @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'ps-module') -Recurse -File -Include '*.ps1', '*.psm1', '*.psd1' |
            ForEach-Object { @{ Path = $_.FullName; Name = $_.FullName.Substring($RepoRoot.Length + 1) } })
    $manifestData = Import-PowerShellDataFile -LiteralPath $ModuleManifest
    $exportedCommands = @($manifestData.FunctionsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $manifest = Import-PowerShellDataFile -LiteralPath $ModuleManifest
    $publicNames = @(Get-ChildItem -LiteralPath (Join-Path $ModuleFolder 'Public') -Filter '*.ps1' -File | ForEach-Object { $_.BaseName } | Sort-Object)
    $privateFunctionNames = @(
        Get-ChildItem -LiteralPath (Join-Path $ModuleFolder 'Private') -Filter '*.ps1' -File | ForEach-Object {
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($_.FullName, [ref]$null, [ref]$null)
            $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false) | ForEach-Object { $_.Name }
        }
    )
}

Describe 'Module manifest' {
    It 'exports exactly the functions in Public/' {
        @($manifest.FunctionsToExport | Sort-Object) | Should -Be $publicNames
        # The 14 contract functions, plus commands added since (e.g. New-AlteryxBackupCertificate, issue 15;
        # Test-AlteryxBackupPrerequisite and the three schedule cmdlets, issue 13).
        $publicNames.Count | Should -BeGreaterOrEqual 18
    }

    It 'exports nothing from Private/' {
        $privateFunctionNames | Should -Not -BeNullOrEmpty
        foreach ($name in $privateFunctionNames) { $manifest.FunctionsToExport | Should -Not -Contain $name }
    }

    It 'has one function per Public file, named like the file' {
        foreach ($file in Get-ChildItem -LiteralPath (Join-Path $ModuleFolder 'Public') -Filter '*.ps1' -File) {
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref]$null, [ref]$null)
            $functions = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false))
            $functions.Count | Should -Be 1 -Because $file.Name
            $functions[0].Name | Should -Be $file.BaseName
        }
    }

    It 'exports no cmdlets, variables or aliases, by explicit empty lists' {
        , $manifest.CmdletsToExport | Should -BeOfType [object[]]
        @($manifest.CmdletsToExport).Count | Should -Be 0
        @($manifest.VariablesToExport).Count | Should -Be 0
        @($manifest.AliasesToExport).Count | Should -Be 0
        $manifest.FunctionsToExport | Should -Not -Contain '*'
    }

    It 'targets Windows PowerShell 5.1 and PowerShell 7' {
        $manifest.PowerShellVersion | Should -Be '5.1'
        @($manifest.CompatiblePSEditions | Sort-Object) | Should -Be @('Core', 'Desktop')
        $manifest.ModuleVersion | Should -Be '1.0.0'
        [guid]$manifest.GUID | Should -Not -Be ([guid]::Empty)
    }

    It 'is a valid module manifest' {
        { Test-ModuleManifest -Path $ModuleManifest -ErrorAction Stop } | Should -Not -Throw
    }

    It 'has an about_AlteryxBackup help topic' {
        Join-Path $ModuleFolder (Join-Path 'en-US' 'about_AlteryxBackup.help.txt') | Should -Exist
    }
}

Describe 'Module import' {
    BeforeAll {
        Get-Module AlteryxBackup | Remove-Module -Force
        $module = Import-Module $ModuleManifest -Force -PassThru -ErrorAction Stop
    }
    AfterAll { Get-Module AlteryxBackup | Remove-Module -Force }

    It 'imports and exposes exactly the public commands' {
        $module | Should -Not -BeNullOrEmpty
        @((Get-Command -Module AlteryxBackup).Name | Sort-Object) | Should -Be $publicNames
    }

    It 'does not expose the bridge' {
        Get-Command -Name Invoke-AlteryxBackupNode -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $module.ExportedVariables.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
    }
}

Describe 'Help for <Name>' -ForEach $exportedCommands {
    BeforeAll {
        Get-Module AlteryxBackup | Remove-Module -Force
        Import-Module $ModuleManifest -Force -ErrorAction Stop
        Set-StrictMode -Version Latest
        $command = Get-Command -Name $Name -Module AlteryxBackup
        $help = Get-Help -Name $Name -Full
        $common = @([System.Management.Automation.PSCmdlet]::CommonParameters) + @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters)
        $parameterNames = @($command.Parameters.Keys | Where-Object { $common -notcontains $_ })
    }
    AfterAll {
        Set-StrictMode -Off
    }

    It 'has a synopsis that is not the generated syntax' {
        [string]$help.Synopsis | Should -Not -BeNullOrEmpty
        ([string]$help.Synopsis).Trim() | Should -Not -BeLike "$Name *"
        ([string]$help.Synopsis).Trim() | Should -Not -BeLike '*`[`[-*'
    }

    It 'has a description' {
        $text = (@($help.Description) | ForEach-Object { $_.Text }) -join ' '
        $text.Trim().Length | Should -BeGreaterThan 40
    }

    It 'has at least one example with code and remarks' {
        $examples = @($help.Examples.Example)
        $examples.Count | Should -BeGreaterThan 0
        foreach ($example in $examples) {
            [string]$example.Code | Should -Not -BeNullOrEmpty
            ((@($example.Remarks) | ForEach-Object { $_.Text }) -join '').Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'documents its output' {
        $outputs = ((@($help.returnValues.returnValue) | ForEach-Object { $_.type.name }) -join ' ').Trim()
        $outputs | Should -Not -BeNullOrEmpty
    }

    It 'has help for every parameter' {
        $parameterNames.Count | Should -BeGreaterThan 0
        $helpParameters = @($help.Parameters.Parameter)
        foreach ($parameterName in $parameterNames) {
            $entry = @($helpParameters | Where-Object { $_.Name -eq $parameterName })
            $entry.Count | Should -Be 1 -Because "parameter $parameterName needs help"
            $text = ((@($entry[0].Description) | ForEach-Object { $_.Text }) -join ' ').Trim()
            $text | Should -Not -BeNullOrEmpty -Because "parameter $parameterName needs a description"
        }
    }

    It 'documents no parameter that does not exist' {
        foreach ($entry in @($help.Parameters.Parameter)) {
            if ($common -contains $entry.Name) { continue }
            $parameterNames | Should -Contain $entry.Name
        }
    }

    It 'uses CmdletBinding and takes -ConfigPath' {
        $command.CmdletBinding | Should -BeTrue
        # New-AlteryxBackupCertificate makes a certificate and Write-Log (CONTRACTS.md section 14) writes a line: neither reads a configuration.
        if (@('New-AlteryxBackupCertificate', 'Write-Log') -contains $command.Name) { return }
        $parameterNames | Should -Contain 'ConfigPath'
    }
}

Describe 'PowerShell source files' {
    It '<Name> parses without errors' -ForEach $psFiles {
        $tokens = $null
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
        @($errors | ForEach-Object { "$($_.Extent.StartLineNumber): $($_.Message)" }) | Should -BeNullOrEmpty
    }

    It '<Name> uses nothing that Windows PowerShell 5.1 lacks' -ForEach $psFiles {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$null, [ref]$null)
        Get-Ps51CompatibilityFinding -Ast $ast | Should -BeNullOrEmpty
    }

    It '<Name> is pure ASCII or UTF-8 with a BOM (Windows PowerShell 5.1 reads BOM-less files as ANSI)' -ForEach $psFiles {
        $bytes = [System.IO.File]::ReadAllBytes($Path)
        $hasBom = $bytes.Length -ge 3 -and $bytes[0] -eq 0xEF -and $bytes[1] -eq 0xBB -and $bytes[2] -eq 0xBF
        $nonAscii = @($bytes | Where-Object { $_ -gt 127 }).Count
        ($hasBom -or $nonAscii -eq 0) | Should -BeTrue
    }
}

Describe 'The 5.1 compatibility check itself' {
    BeforeAll {
        $bad = @'
$a = $x ? 1 : 2
Get-Item x && Get-Item y
$b = $c ?? 'd'
$e ??= 'f'
$g = ${h}?.Name
$i = ${j}?[0]
1..3 | ForEach-Object -Parallel { $_ }
function F { process { } clean { } }
'{}' | ConvertFrom-Json -AsHashtable
Join-Path a b -AdditionalChildPath c
Join-Path a b c
[IO.Path]::GetRelativePath('a', 'b')
if ($IsWindows) { $PSStyle.Reset }
Test-Json -Json '{}'
'x' | Out-File -FilePath f -Encoding utf8
Set-Content -Path f -Value x -Encoding UTF8
@{a = 1} | ConvertTo-Json
$psi.StandardInputEncoding = $null
'@
        $badAst = [System.Management.Automation.Language.Parser]::ParseInput($bad, [ref]$null, [ref]$null)
        $findings = Get-Ps51CompatibilityFinding -Ast $badAst
        $good = @'
$a = if ($x) { 1 } else { 2 }
Join-Path (Join-Path a b) c
@{a = 1} | ConvertTo-Json -Depth 10
ConvertTo-Json -InputObject @{} -Depth 10 -Compress
[IO.File]::WriteAllText('f', 'x', (New-Object Text.UTF8Encoding $false))
'x' | Out-File -FilePath f -Encoding ascii
@('a', 'b') | Group-Object -AsHashTable
$psi.StandardOutputEncoding = $null
'@
        $goodAst = [System.Management.Automation.Language.Parser]::ParseInput($good, [ref]$null, [ref]$null)
    }

    It 'finds <Pattern>' -ForEach @(
        @{ Pattern = 'ternary' }, @{ Pattern = 'pipeline chain' }, @{ Pattern = 'null-coalescing ??' },
        @{ Pattern = '??=' }, @{ Pattern = 'null-conditional' }, @{ Pattern = 'ForEach-Object -Parallel' },
        @{ Pattern = 'clean {}' }, @{ Pattern = '-AsHashtable' }, @{ Pattern = 'AdditionalChildPath' },
        @{ Pattern = 'GetRelativePath' }, @{ Pattern = '$IsWindows' }, @{ Pattern = '$PSStyle' },
        @{ Pattern = 'Test-Json' }, @{ Pattern = 'Out-File -Encoding utf8' }, @{ Pattern = 'Set-Content -Encoding UTF8' },
        @{ Pattern = 'ConvertTo-Json without -Depth' }, @{ Pattern = 'StandardInputEncoding' }
    ) {
        @($findings | Where-Object { $_.Contains($Pattern) }).Count | Should -BeGreaterThan 0 -Because ($findings -join "`n")
    }

    It 'flags both null-conditional forms' {
        @($findings | Where-Object { $_.Contains('null-conditional') }).Count | Should -Be 2
    }

    It 'flags both Join-Path forms' {
        @($findings | Where-Object { $_.Contains('AdditionalChildPath') }).Count | Should -Be 2
    }

    It 'accepts the 5.1-safe equivalents' {
        Get-Ps51CompatibilityFinding -Ast $goodAst | Should -BeNullOrEmpty
    }
}

Describe 'The 5.1 check against a corpus of known-bad snippets (cmdlet parameters, .NET members and syntax 5.1 lacks)' {
    # One construct per line; each must be flagged on its own, so that the check can fail.
    It 'flags <_>' -ForEach @(
        'Get-Content f -AsByteStream', 'Set-Content f -Value 1 -AsByteStream', 'Invoke-RestMethod -Uri u -SkipCertificateCheck',
        'Invoke-WebRequest -Uri u', 'Select-String -Path f -Pattern p -Raw', 'Split-Path f -Extension', 'Split-Path f -LeafBase',
        'Get-Date -AsUTC', 'Get-Date -UnixTimeSeconds 0', '@{} | ConvertTo-Json -Depth 2 -AsArray', '@{} | ConvertTo-Json -Depth 2 -EnumsAsStrings',
        "'[1]' | ConvertFrom-Json -NoEnumerate", '1..9 | Sort-Object -Top 2', '1..9 | Sort-Object -Stable', '1..9 | Select-Object -SkipIndex 1',
        '1..9 | Measure-Object -AllStats', '1..9 | Get-Random -Shuffle', 'Test-Connection -TargetName h', 'Test-Connection h -TcpPort 445',
        "'x' | Out-String -NoNewline", 'New-Guid -Empty', 'Start-Job -ScriptBlock {} -WorkingDirectory c', 'Import-Module M -UseWindowsPowerShell',
        'Start-Process p -Environment @{}', 'Get-Error', "'a' | Join-String", 'Get-Uptime', 'Remove-Alias x', 'Start-ThreadJob {}', 'Get-SecureRandom',
        '$p | Export-Csv f', "'x' | Out-File f -Encoding utf8NoBOM", "Set-Content f x -Encoding ansi", "[IO.Path]::Join('a', 'b')",
        "[System.IO.Path]::GetFullPath('a', 'b')", "[IO.Path]::TrimEndingDirectorySeparator('a')", "[IO.Path]::IsPathFullyQualified('a')",
        "[IO.File]::ReadAllTextAsync('f')", '[Convert]::ToHexString($b)', '[Environment]::ProcessId', '[Math]::Clamp(1, 0, 2)', '[DateTime]::UnixEpoch',
        '[System.Security.Cryptography.RandomNumberGenerator]::GetBytes(16)', '[System.Security.Cryptography.SHA256]::HashData($b)',
        '[System.Text.Json.JsonSerializer]::Serialize($x)', '[DateOnly]::MinValue', 'function F([TimeOnly]$t) { }', '$psi.ArgumentList.Add("x")',
        'Start-Sleep 1 &', '"`u{2713}"', '$n = 1u', '$n = 5y', 'if ($IsLinux) { }', '$PSNativeCommandArgumentPassing = "Legacy"',
        '[OperatingSystem]::IsWindows()', '[Text.Encoding]::Latin1', 'Invoke-Command -HostName h -ScriptBlock { }'
    ) {
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($_, [ref]$null, [ref]$null)
        @(Get-Ps51CompatibilityFinding -Ast $ast).Count | Should -BeGreaterThan 0
    }

    It 'accepts the 5.1 forms of the same things' {
        $good = @'
Get-Content f -Encoding Byte
Invoke-WebRequest -Uri u -UseBasicParsing
$p | Export-Csv f -NoTypeInformation
[IO.Path]::GetFullPath('a')
[IO.Path]::Combine('a', 'b')
$psi.Arguments = '"x"'
$n = 1KB
"tab`tnew`n"
Split-Path f -Leaf
1..9 | Sort-Object -Descending | Select-Object -First 2
[System.Diagnostics.Process]::GetCurrentProcess().Id
[System.Security.Cryptography.RandomNumberGenerator]::Create()
'x' | Out-File f -Encoding ascii
Start-Job -ScriptBlock { }
'@
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($good, [ref]$null, [ref]$null)
        Get-Ps51CompatibilityFinding -Ast $ast | Should -BeNullOrEmpty
    }
}
