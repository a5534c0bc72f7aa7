# Shared helpers for the Pester suites. Dot-source in BeforeAll / BeforeDiscovery.

$script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot (Join-Path '..' '..')))
$script:ModuleManifest = Join-Path $script:RepoRoot (Join-Path 'ps-module' (Join-Path 'AlteryxBackup' 'AlteryxBackup.psd1'))
$script:ModuleFolder = Split-Path -Parent $script:ModuleManifest
$script:FakeCore = Join-Path $PSScriptRoot (Join-Path 'fixtures' 'fake-core.js')
$script:TaskScript = Join-Path $script:RepoRoot (Join-Path 'ps-module' 'Invoke-AlteryxBackup.ps1')
$script:CoreMain = Join-Path $script:RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'cli' 'main.js')))
$script:SimCli = Join-Path $script:RepoRoot (Join-Path 'dist' (Join-Path 'src' (Join-Path 'sim' 'sim-cli.js')))

# --- Suites on simulated hosts with the real core (Restore, Acceptance, Views, E2E) ---
#   BeforeDiscovery: $ready = Test-SimHostReady
#   BeforeAll:       Enter-SimHostSuite, then import the module
#   AfterAll:        Exit-SimHostSuite

# The built core and sim-cli exist (npm run build).
function Test-SimHostReady {
    (Test-Path -LiteralPath $script:CoreMain) -and (Test-Path -LiteralPath $script:SimCli)
}

# The real core, not a fake one from ALTERYXBACKUP_CORE (restored by Exit-SimHostSuite); an empty list of hosts.
function Enter-SimHostSuite {
    $script:SavedCore = $env:ALTERYXBACKUP_CORE
    Remove-Item Env:ALTERYXBACKUP_CORE -ErrorAction SilentlyContinue
    $script:SimHosts = New-Object System.Collections.Generic.List[string]
}

# Destroys every host New-SimHost created and restores ALTERYXBACKUP_CORE.
function Exit-SimHostSuite {
    foreach ($dir in @($script:SimHosts)) { $null = & node $script:SimCli destroy $dir 2>&1 }
    if ($null -ne $script:SavedCore) { $env:ALTERYXBACKUP_CORE = $script:SavedCore }
}

# Creates a simulated host under TestDrive and returns the path of its
# backup-config.json (the last line sim-cli prints).
function New-SimHost {
    param([string]$Name = 'sim', [string[]]$Options = @())
    $dir = Join-Path $TestDrive $Name
    $lines = @(& node $script:SimCli create $dir @Options)
    if ($LASTEXITCODE -ne 0) { throw "sim-cli create failed with exit code $LASTEXITCODE" }
    $script:SimHosts.Add($dir)
    ($lines | Where-Object { $_ -and $_.Trim() } | Select-Object -Last 1).Trim()
}

# The simulated service's state: Running, Stopped, ...
function Get-SimServiceState {
    param([string]$Dir)
    (@(& node $script:SimCli state $Dir) | Select-Object -Last 1).Trim()
}

# DPAPI exists only on Windows: the module's test seam ($script:SecretProtector,
# Private/Protect-AlteryxBackupSecret.ps1) then uses AES-256 under a key held in memory
# by the test. Enable before Set-AlteryxBackupSecret; Disable in AfterAll.
function Enable-TestProtector {
    InModuleScope AlteryxBackup {
        $aes = [System.Security.Cryptography.Aes]::Create()
        $key = $aes.Key
        $script:SecretProtector = @{
            Protect   = { param([byte[]]$Bytes) $a = [System.Security.Cryptography.Aes]::Create(); $a.Key = $key; $a.GenerateIV(); $e = $a.CreateEncryptor(); $c = $e.TransformFinalBlock($Bytes, 0, $Bytes.Length); , ([byte[]]($a.IV + $c)) }.GetNewClosure()
            Unprotect = { param([byte[]]$Bytes) $a = [System.Security.Cryptography.Aes]::Create(); $a.Key = $key; $a.IV = $Bytes[0..15]; $d = $a.CreateDecryptor(); , ([byte[]]$d.TransformFinalBlock($Bytes, 16, $Bytes.Length - 16)) }.GetNewClosure()
        }
    }
}
function Disable-TestProtector { InModuleScope AlteryxBackup { $script:SecretProtector = $null } }

function Get-TestPwshPath {
    $local = Join-Path $script:RepoRoot (Join-Path '.tools' (Join-Path 'pwsh' 'pwsh'))
    if (Test-Path -LiteralPath $local) { return $local }
    $cmd = Get-Command -Name 'pwsh' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -ne $cmd) { return $cmd.Source }
    throw 'pwsh not found'
}

# Runs a script block in a fresh runspace with the module imported, so that
# every stream (including Progress) can be inspected and a hang cannot block
# the suite. Returns Output, Verbose, Information, Warning, Progress, Errors,
# Failure (the terminating error, if any), TimedOut and LastExitCode.
function Invoke-InFreshRunspace {
    param(
        [Parameter(Mandatory = $true)] [scriptblock]$ScriptBlock,
        [object[]]$ArgumentList = @(),
        [int]$TimeoutSeconds = 120,
        [scriptblock]$WhileRunning
    )
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript("Import-Module '$($script:ModuleManifest)' -Force; `$global:LASTEXITCODE = -999").AddStatement()
        $null = $ps.AddScript($ScriptBlock.ToString())
        foreach ($arg in $ArgumentList) { $null = $ps.AddArgument($arg) }
        $handle = $ps.BeginInvoke()
        $timedOut = $false
        if ($null -ne $WhileRunning) { & $WhileRunning $ps }
        if (-not $handle.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($TimeoutSeconds))) {
            $timedOut = $true
            $ps.Stop()
        }
        $output = @()
        $caught = $null
        try { $output = @($ps.EndInvoke($handle)) } catch { $caught = $_ }
        $lastExit = $ps.Runspace.SessionStateProxy.GetVariable('LASTEXITCODE')
        # A terminating error either surfaces from EndInvoke or lands in the Error stream.
        $failure = $null
        if ($null -ne $caught) {
            $failure = $caught
            $inner = $caught.Exception
            while ($null -ne $inner) {
                if ($null -ne $inner.PSObject.Properties['ErrorRecord'] -and $null -ne $inner.ErrorRecord) { $failure = $inner.ErrorRecord }
                $inner = $inner.InnerException
            }
        }
        elseif ($ps.Streams.Error.Count -gt 0) { $failure = $ps.Streams.Error[0] }
        [pscustomobject]@{
            Output       = $output
            Verbose      = @($ps.Streams.Verbose | ForEach-Object { $_.Message })
            Information  = @($ps.Streams.Information)
            Warning      = @($ps.Streams.Warning | ForEach-Object { $_.Message })
            Progress     = @($ps.Streams.Progress)
            Errors       = @($ps.Streams.Error)
            Caught       = $caught
            Failure      = $failure
            TimedOut     = $timedOut
            LastExitCode = $lastExit
            State        = $ps.InvocationStateInfo.State
        }
    }
    finally {
        $ps.Dispose()
    }
}

function Read-FakeRecord {
    param([Parameter(Mandatory = $true)] [string]$Path)
    if (-not (Test-Path -LiteralPath $Path)) { return @() }
    @(Get-Content -LiteralPath $Path | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json })
}

# What Windows PowerShell 5.1 / .NET Framework 4.x lack, for Get-Ps51CompatibilityFinding.
# Sources: "Differences between Windows PowerShell 5.1 and PowerShell 7.x"
# (https://learn.microsoft.com/powershell/scripting/whats-new/differences-from-windows-powershell),
# the "What's new in PowerShell 6.x/7.x" pages, and each cmdlet's 5.1 reference
# (https://learn.microsoft.com/powershell/module/?view=powershell-5.1); .NET API
# availability from https://learn.microsoft.com/dotnet/api (the "Applies to" tables).
$script:Ps51MissingCommands = @('Test-Json', 'Get-Error', 'Join-String', 'ConvertFrom-Markdown', 'Show-Markdown', 'Get-Uptime',
    'Remove-Alias', 'Start-ThreadJob', 'Get-SecureRandom', 'ConvertTo-CliXml', 'ConvertFrom-CliXml', 'Remove-Service', 'Get-PSSubsystem')
# Command -> parameters that command lacks in 5.1.
$script:Ps51MissingParameters = @{
    'Get-Content'       = @('AsByteStream')
    'Set-Content'       = @('AsByteStream')
    'Add-Content'       = @('AsByteStream')
    'Invoke-WebRequest' = @('SkipCertificateCheck', 'Authentication', 'SslProtocol', 'StatusCodeVariable', 'ResponseHeadersVariable', 'SkipHttpErrorCheck', 'Resume', 'Form', 'MaximumRetryCount', 'RetryIntervalSec', 'NoProxy', 'CustomMethod', 'SkipHeaderValidation', 'AllowUnencryptedAuthentication', 'Token', 'HttpVersion', 'PreserveAuthorizationOnRedirect', 'FollowRelLink')
    'Invoke-RestMethod' = @('SkipCertificateCheck', 'Authentication', 'SslProtocol', 'StatusCodeVariable', 'ResponseHeadersVariable', 'SkipHttpErrorCheck', 'Resume', 'Form', 'MaximumRetryCount', 'RetryIntervalSec', 'NoProxy', 'CustomMethod', 'SkipHeaderValidation', 'AllowUnencryptedAuthentication', 'Token', 'HttpVersion', 'PreserveAuthorizationOnRedirect', 'FollowRelLink')
    'Select-String'     = @('Raw', 'NoEmphasis', 'Culture')
    'Split-Path'        = @('Extension', 'LeafBase')
    'Get-Date'          = @('AsUTC', 'UnixTimeSeconds')
    'ConvertTo-Json'    = @('EnumsAsStrings', 'AsArray', 'EscapeHandling')
    'ConvertFrom-Json'  = @('NoEnumerate', 'AsHashtable', 'Depth', 'DateKind')
    'Sort-Object'       = @('Top', 'Bottom', 'Stable')
    'Select-Object'     = @('SkipIndex')
    'Measure-Object'    = @('AllStats', 'StandardDeviation')
    'Get-Random'        = @('Shuffle')
    'Test-Connection'   = @('TargetName', 'TcpPort', 'Ping', 'Repeat', 'MtuSize', 'Traceroute')
    'Out-String'        = @('NoNewline')
    'New-Guid'          = @('Empty')
    'Get-Command'       = @('UseFuzzyMatching', 'FuzzyMinimumDistance', 'UseAbbreviationExpansion')
    'Invoke-Command'    = @('HostName', 'SSHTransport', 'KeyFilePath', 'SSHConnection', 'UserName')
    'Enter-PSSession'   = @('HostName', 'SSHTransport', 'KeyFilePath', 'UserName')
    'New-PSSession'     = @('HostName', 'SSHTransport', 'KeyFilePath', 'SSHConnection', 'UserName')
    'Start-Job'         = @('WorkingDirectory')
    'Import-Module'     = @('UseWindowsPowerShell', 'SkipEditionCheck')
    'Start-Process'     = @('Environment')
    'Format-Hex'        = @('Count', 'Offset')
    'Export-Csv'        = @('UseQuotes', 'QuoteFields')
    'ConvertTo-Csv'     = @('UseQuotes', 'QuoteFields')
    'Import-PowerShellDataFile' = @('SkipLimitCheck')
}
# Static members that .NET Framework 4.x lacks, as 'Type::Member' (type without "System.").
$script:Ps51MissingStaticMembers = @(
    'IO.Path::GetRelativePath', 'IO.Path::Join', 'IO.Path::TrimEndingDirectorySeparator', 'IO.Path::EndsInDirectorySeparator',
    'IO.Path::IsPathFullyQualified', 'IO.File::ReadAllTextAsync', 'IO.File::WriteAllTextAsync', 'IO.File::ReadAllBytesAsync',
    'IO.File::WriteAllBytesAsync', 'IO.File::AppendAllTextAsync', 'IO.File::ReadAllLinesAsync', 'IO.File::WriteAllLinesAsync',
    'IO.File::CreateSymbolicLink', 'IO.Directory::CreateSymbolicLink', 'IO.File::ResolveLinkTarget', 'Convert::ToHexString', 'Convert::FromHexString',
    'Environment::ProcessId', 'Environment::ProcessPath', 'Math::Clamp', 'Random::Shared', 'DateTime::UnixEpoch',
    'Security.Cryptography.RandomNumberGenerator::GetBytes', 'Security.Cryptography.RandomNumberGenerator::Fill',
    'Security.Cryptography.RandomNumberGenerator::GetInt32', 'Security.Cryptography.SHA256::HashData', 'Security.Cryptography.SHA1::HashData',
    'Security.Cryptography.MD5::HashData', 'Text.Encoding::Latin1', 'String::Create', 'GC::GetTotalAllocatedBytes',
    'Threading.Tasks.Task::WaitAsync', 'OperatingSystem::IsWindows', 'OperatingSystem::IsLinux', 'OperatingSystem::IsMacOS', 'Runtime.InteropServices.RuntimeInformation::RuntimeIdentifier'
)
# Types .NET Framework 4.x lacks (without "System."), matched as a prefix of the full name.
$script:Ps51MissingTypes = @('Text.Json', 'DateOnly', 'TimeOnly', 'Half', 'Range', 'Index', 'MathF', 'HashCode', 'Net.Http.SocketsHttpHandler', 'Buffers.Text', 'Formats.Tar', 'Threading.Channels', 'Management.Automation.Subsystem')
# Instance members that only .NET Core has on common objects: ProcessStartInfo.ArgumentList.
$script:Ps51MissingInstanceMembers = @('ArgumentList')
# Automatic variables 5.1 does not set.
$script:Ps51MissingVariables = @('IsWindows', 'IsLinux', 'IsMacOS', 'IsCoreCLR', 'PSStyle', 'PSNativeCommandArgumentPassing', 'PSNativeCommandUseErrorActionPreference', 'EnabledExperimentalFeatures')

# Finds syntax and APIs that Windows PowerShell 5.1 lacks. Returns one string per finding.
function Get-Ps51CompatibilityFinding {
    param([Parameter(Mandatory = $true)] [System.Management.Automation.Language.Ast]$Ast)

    $findings = New-Object System.Collections.Generic.List[string]
    $nodes = $Ast.FindAll({ $true }, $true)
    foreach ($node in $nodes) {
        $line = $node.Extent.StartLineNumber
        $typeName = $node.GetType().Name
        if ($typeName -eq 'TernaryExpressionAst') { $findings.Add("line ${line}: ternary operator ?:") }
        if ($typeName -eq 'PipelineChainAst') { $findings.Add("line ${line}: pipeline chain && or ||") }
        if ($node -is [System.Management.Automation.Language.BinaryExpressionAst] -and $node.Operator.ToString() -eq 'QuestionQuestion') {
            $findings.Add("line ${line}: null-coalescing ??")
        }
        if ($node -is [System.Management.Automation.Language.AssignmentStatementAst] -and $node.Operator.ToString() -eq 'QuestionQuestionEquals') {
            $findings.Add("line ${line}: null-coalescing assignment ??=")
        }
        if (($node -is [System.Management.Automation.Language.MemberExpressionAst] -or $node -is [System.Management.Automation.Language.IndexExpressionAst]) -and
            $null -ne $node.PSObject.Properties['NullConditional'] -and $node.NullConditional) {
            $findings.Add("line ${line}: null-conditional ?. or ?[]")
        }
        if ($node -is [System.Management.Automation.Language.NamedBlockAst] -and $node.BlockKind.ToString() -eq 'Clean') {
            $findings.Add("line ${line}: clean {} block")
        }
        if ($node -is [System.Management.Automation.Language.VariableExpressionAst]) {
            $name = $node.VariablePath.UserPath
            if ($script:Ps51MissingVariables -contains $name) {
                $findings.Add("line ${line}: `$$name does not exist in 5.1")
            }
        }
        if ($node -is [System.Management.Automation.Language.MemberExpressionAst] -and
            $node.Member -is [System.Management.Automation.Language.StringConstantExpressionAst] -and
            $node.Member.Value -eq 'GetRelativePath') {
            $findings.Add("line ${line}: [IO.Path]::GetRelativePath does not exist in .NET Framework")
        }
        if ($node -is [System.Management.Automation.Language.MemberExpressionAst] -and
            $node.Member -is [System.Management.Automation.Language.StringConstantExpressionAst] -and
            $node.Member.Value -eq 'StandardInputEncoding') {
            $findings.Add("line ${line}: ProcessStartInfo.StandardInputEncoding does not exist in .NET Framework")
        }
        if ($node -is [System.Management.Automation.Language.PipelineAst] -and $null -ne $node.PSObject.Properties['Background'] -and $node.Background) {
            $findings.Add("line ${line}: background operator & at the end of a pipeline")
        }
        if ($node -is [System.Management.Automation.Language.StringConstantExpressionAst] -or $node -is [System.Management.Automation.Language.ExpandableStringExpressionAst]) {
            if ($node.StringConstantType -eq 'DoubleQuoted' -or $node.StringConstantType -eq 'DoubleQuotedHereString') {
                if ($node.Extent.Text -match '`u\{') { $findings.Add("line ${line}: Unicode escape ``u{...} in a string") }
            }
        }
        if ($node -is [System.Management.Automation.Language.ConstantExpressionAst] -and -not ($node -is [System.Management.Automation.Language.StringConstantExpressionAst]) -and
            $node.Extent.Text -match '^(0x[0-9a-f]+|\d+)(y|uy|s|us|u|ul|n)$') {
            $findings.Add("line ${line}: numeric literal suffix '$($node.Extent.Text)'")
        }
        if ($node -is [System.Management.Automation.Language.TypeExpressionAst] -or $node -is [System.Management.Automation.Language.TypeConstraintAst]) {
            $fullName = $node.TypeName.FullName -replace '^System\.', ''
            foreach ($missingType in $script:Ps51MissingTypes) {
                if ($fullName -eq $missingType -or $fullName.StartsWith($missingType + '.')) { $findings.Add("line ${line}: [$($node.TypeName.FullName)] does not exist in .NET Framework"); break }
            }
        }
        if ($node -is [System.Management.Automation.Language.MemberExpressionAst] -and $node.Member -is [System.Management.Automation.Language.StringConstantExpressionAst]) {
            $memberName = $node.Member.Value
            if ($node.Static -and $node.Expression -is [System.Management.Automation.Language.TypeExpressionAst]) {
                $typeName = $node.Expression.TypeName.FullName -replace '^System\.', ''
                $pairs = @("${typeName}::$memberName")
                if ($typeName -eq 'IO.Path' -and $memberName -eq 'GetFullPath' -and $node -is [System.Management.Automation.Language.InvokeMemberExpressionAst] -and @($node.Arguments).Count -eq 2) {
                    $findings.Add("line ${line}: [IO.Path]::GetFullPath(path, basePath) does not exist in .NET Framework")
                }
                foreach ($pair in $pairs) {
                    # GetRelativePath has its own message below.
                    if ($script:Ps51MissingStaticMembers -contains $pair -and $memberName -ne 'GetRelativePath') { $findings.Add("line ${line}: [$typeName]::$memberName does not exist in .NET Framework") }
                }
            }
            elseif (-not $node.Static -and $script:Ps51MissingInstanceMembers -contains $memberName) {
                $findings.Add("line ${line}: .$memberName (ProcessStartInfo.ArgumentList) does not exist in .NET Framework")
            }
        }
        if ($node -is [System.Management.Automation.Language.CommandAst]) {
            $commandName = $node.GetCommandName()
            if ($null -eq $commandName) { continue }
            $elements = @($node.CommandElements)
            $parameterNames = @($elements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object { $_.ParameterName })
            $matchesParameter = {
                param([string]$Full, [int]$MinLength)
                foreach ($p in $parameterNames) {
                    if ($p.Length -ge $MinLength -and $Full.StartsWith($p, [System.StringComparison]::OrdinalIgnoreCase)) { return $true }
                }
                return $false
            }
            foreach ($missingCommand in $script:Ps51MissingCommands) {
                # Test-Json has its own message below.
                if ($commandName -eq $missingCommand -and $missingCommand -ne 'Test-Json') { $findings.Add("line ${line}: $commandName does not exist in 5.1") }
            }
            $resolvedName = $commandName
            foreach ($key in @($script:Ps51MissingParameters.Keys)) {
                if ($key -ne $resolvedName) { continue }
                foreach ($missingParameter in $script:Ps51MissingParameters[$key]) {
                    $parameterName = $missingParameter
                    # -AsHashtable and -Depth have their own messages below.
                    if ($key -eq 'ConvertFrom-Json' -and @('AsHashtable', 'Depth') -contains $parameterName) { continue }
                    if (& $matchesParameter $parameterName $parameterName.Length) { $findings.Add("line ${line}: $commandName -$parameterName does not exist in 5.1") }
                }
            }
            if (@('Invoke-WebRequest', 'iwr', 'curl', 'wget') -contains $commandName -and -not (& $matchesParameter 'UseBasicParsing' 4)) {
                $findings.Add("line ${line}: Invoke-WebRequest without -UseBasicParsing (5.1 needs Internet Explorer's engine for it; Server Core has none)")
            }
            if (@('Export-Csv', 'ConvertTo-Csv', 'epcsv') -contains $commandName -and -not (& $matchesParameter 'NoTypeInformation' 3)) {
                $findings.Add("line ${line}: $commandName without -NoTypeInformation (5.1 writes a #TYPE line first)")
            }
            for ($i = 0; $i -lt $elements.Count; $i++) {
                $element = $elements[$i]
                if ($element -is [System.Management.Automation.Language.CommandParameterAst] -and $element.ParameterName.Length -ge 1 -and 'Encoding'.StartsWith($element.ParameterName, [System.StringComparison]::OrdinalIgnoreCase)) {
                    $value = $element.Argument
                    if ($null -eq $value -and $i + 1 -lt $elements.Count) { $value = $elements[$i + 1] }
                    if ($null -ne $value -and $value.Extent.Text -match '^[''"]?(utf8NoBOM|utf8BOM|ansi)[''"]?$') {
                        $findings.Add("line ${line}: $commandName -Encoding $($value.Extent.Text) is not a 5.1 encoding name")
                    }
                }
            }
            switch -Regex ($commandName) {
                '^(ForEach-Object|foreach|%)$' {
                    if (& $matchesParameter 'Parallel' 2) { $findings.Add("line ${line}: ForEach-Object -Parallel") }
                }
                '^ConvertFrom-Json$' {
                    if (& $matchesParameter 'AsHashtable' 1) { $findings.Add("line ${line}: ConvertFrom-Json -AsHashtable") }
                    if (& $matchesParameter 'Depth' 1) { $findings.Add("line ${line}: ConvertFrom-Json -Depth") }
                }
                '^ConvertTo-Json$' {
                    if (-not (& $matchesParameter 'Depth' 1)) { $findings.Add("line ${line}: ConvertTo-Json without -Depth") }
                }
                '^Join-Path$' {
                    $positional = @($elements | Select-Object -Skip 1 | Where-Object { -not ($_ -is [System.Management.Automation.Language.CommandParameterAst]) })
                    $named = @($elements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] -and $null -eq $_.Argument })
                    if ((& $matchesParameter 'AdditionalChildPath' 1) -or ($positional.Count - $named.Count) -gt 2) {
                        $findings.Add("line ${line}: Join-Path -AdditionalChildPath (or more than two positional paths)")
                    }
                }
                '^Test-Json$' { $findings.Add("line ${line}: Test-Json") }
                '^(Out-File|Set-Content|Add-Content)$' {
                    for ($i = 0; $i -lt $elements.Count; $i++) {
                        $element = $elements[$i]
                        if ($element -is [System.Management.Automation.Language.CommandParameterAst] -and 'Encoding'.StartsWith($element.ParameterName, [System.StringComparison]::OrdinalIgnoreCase) -and $element.ParameterName.Length -ge 1) {
                            $value = $element.Argument
                            if ($null -eq $value -and $i + 1 -lt $elements.Count) { $value = $elements[$i + 1] }
                            if ($null -ne $value -and $value.Extent.Text -match '^[''"]?utf8') {
                                $findings.Add("line ${line}: $commandName -Encoding $($value.Extent.Text) (writes a BOM in 5.1)")
                            }
                        }
                    }
                }
            }
        }
    }
    return , $findings.ToArray()
}
