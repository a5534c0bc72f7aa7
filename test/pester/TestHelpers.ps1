# Shared helpers for the Pester suites. Dot-source in BeforeAll / BeforeDiscovery.

$script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot (Join-Path '..' '..')))
$script:ModuleManifest = Join-Path $script:RepoRoot (Join-Path 'ps-module' (Join-Path 'AlteryxBackup' 'AlteryxBackup.psd1'))
$script:ModuleFolder = Split-Path -Parent $script:ModuleManifest
$script:FakeCore = Join-Path $PSScriptRoot (Join-Path 'fixtures' 'fake-core.js')
$script:TaskScript = Join-Path $script:RepoRoot (Join-Path 'ps-module' 'Invoke-AlteryxBackup.ps1')

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
            if (@('IsWindows', 'IsLinux', 'IsMacOS', 'IsCoreCLR', 'PSStyle') -contains $name) {
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
