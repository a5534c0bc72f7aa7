function Invoke-AlteryxBackupNode {
    <#
    .SYNOPSIS
    The one function in the module that starts node (docs/bridge-protocol.md).

    .DESCRIPTION
    Builds the request (command, absolute configPath, bound parameters, secrets,
    whatIf), writes it as UTF-8 JSON to node's stdin and closes stdin, then reads
    node's JSON lines while node runs and maps them:
      log      -> Write-Verbose (DEBUG, INFO) or Write-Information (SUCCESS, WARNING, ERROR)
      progress -> Write-Progress
      warning  -> Write-Warning
      service  -> remembered, so a dead node's stopped service gets repaired
      result   -> the data on the pipeline, or a terminating ErrorRecord whose
                  ErrorId is error.code, thrown through the caller's $PSCmdlet.
    $global:LASTEXITCODE is always set. If node dies without a result line the
    exit code is 1 (NODE_DIED); if node had reported the service stopped and not
    started again, node is run once more with Repair-AlteryxBackupState. The same
    repair runs from the finally block when the pipeline is stopped (Ctrl+C).

    .PARAMETER Command
    The cmdlet name, sent as node's only command-line argument.

    .PARAMETER Cmdlet
    The calling cmdlet's $PSCmdlet: errors are thrown through it, and relative
    paths are resolved against its session's current location.

    .PARAMETER BoundParameters
    The caller's $PSBoundParameters. Common parameters, ConfigPath and any
    SecureString or PSCredential values are dropped; switches become booleans;
    known path parameters become absolute file-system paths.

    .PARAMETER ExtraParameters
    Parameters derived by the caller (e.g. SmtpUsername from -SmtpCredential),
    added to the request's parameters after BoundParameters.

    .PARAMETER Secrets
    Secret name (MongoPassword, SmtpPassword, AzureStorageKey, AzureSasToken,
    S3SecretAccessKey) to SecureString or PSCredential. Converted to plain text
    only while the stdin JSON is built.

    .PARAMETER CredentialFileSecret
    Secrets this command may need that the configuration can keep in
    Export-Clixml credential files (see Get-AlteryxBackupCredentialFileSecret).
    Read only when the caller did not supply them.

    .PARAMETER ConfigPath
    The configuration file. Empty means the module default.

    .PARAMETER OnFailure
    Run with the ErrorRecord just before it is thrown (e.g. to write the event
    log entry of a failed run). Its own errors become warnings.

    .PARAMETER NoServiceRepair
    Never run Repair-AlteryxBackupState: for Stop-AlteryxServiceSafely, where a
    stopped service is what the caller asked for.

    .PARAMETER WhatIfRequest
    Sends whatIf: true, so node reports its plan and touches nothing.

    .OUTPUTS
    The result's data as objects.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]$Command,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet]$Cmdlet,

        [System.Collections.IDictionary]$BoundParameters = @{},

        [System.Collections.IDictionary]$ExtraParameters = @{},

        [System.Collections.IDictionary]$Secrets = @{},

        [string[]]$CredentialFileSecret = @(),

        [string]$ConfigPath,

        [switch]$WhatIfRequest,

        [scriptblock]$OnFailure,

        [switch]$NoServiceRepair
    )

    $utf8NoBom = New-Object System.Text.UTF8Encoding $false
    $sessionPath = $Cmdlet.SessionState.Path

    # Every failure leaves through here. ThrowTerminatingError cannot be caught
    # inside the calling cmdlet, so OnFailure is the caller's chance to react.
    $throwFailure = {
        param([System.Management.Automation.ErrorRecord]$Record)
        if ($null -ne $OnFailure) {
            try { & $OnFailure $Record } catch { Write-Warning "OnFailure: $($_.Exception.Message)" }
        }
        $Cmdlet.ThrowTerminatingError($Record)
    }

    # --- Locate node and the core -------------------------------------------------
    # The configuration file is needed early: AlteryxConfiguration.NodePath can name node.
    # The module's current configuration (Initialize-BackupEnvironment): its file when
    # no -ConfigPath is given, and its overrides and log for calls on that same file.
    $session = $script:AlteryxBackupSession
    if ([string]::IsNullOrEmpty($ConfigPath) -and $null -ne $session) { $ConfigPath = $session.ConfigPath }
    if ([string]::IsNullOrEmpty($ConfigPath)) { $ConfigPath = Get-AlteryxBackupDefaultConfigPath }
    $resolvedConfigPath = [System.IO.Path]::GetFullPath($sessionPath.GetUnresolvedProviderPathFromPSPath($ConfigPath))

    $nodeFound = Resolve-AlteryxBackupNode -ConfigPath $resolvedConfigPath -NoVersionRun
    $nodePath = $nodeFound.Path
    if ($null -ne $nodeFound.Error) {
        $global:LASTEXITCODE = 1
        $exception = New-Object System.IO.FileNotFoundException $nodeFound.Error.Message
        $exception.Data['ExitCode'] = 1
        & $throwFailure ((New-Object System.Management.Automation.ErrorRecord $exception, $nodeFound.Error.Id, ([System.Management.Automation.ErrorCategory]::ObjectNotFound), $nodeFound.Path))
    }

    $corePath = $env:ALTERYXBACKUP_CORE
    if ([string]::IsNullOrEmpty($corePath)) {
        $checkoutCore = [System.IO.Path]::Combine($script:ModuleRoot, '..', '..', 'dist', 'src', 'cli', 'main.js')
        # The release bundle (build/package.js): <module>\core\src\cli\main.js.
        $installedCore = [System.IO.Path]::Combine($script:ModuleRoot, 'core', 'src', 'cli', 'main.js')
        if ([System.IO.File]::Exists($installedCore)) { $corePath = [System.IO.Path]::GetFullPath($installedCore) }
        elseif ([System.IO.File]::Exists($checkoutCore)) { $corePath = [System.IO.Path]::GetFullPath($checkoutCore) }
    }
    if ([string]::IsNullOrEmpty($corePath) -or -not [System.IO.File]::Exists($corePath)) {
        $global:LASTEXITCODE = 1
        $exception = New-Object System.IO.FileNotFoundException "The AlteryxBackup core (main.js) was not found next to the module. Build it with 'npm run build', or set `$env:ALTERYXBACKUP_CORE."
        & $throwFailure ((New-Object System.Management.Automation.ErrorRecord $exception, 'NODE_CORE_NOT_FOUND', ([System.Management.Automation.ErrorCategory]::ObjectNotFound), $corePath))
    }

    # --- Build the request ---------------------------------------------------------

    $skip = @([System.Management.Automation.PSCmdlet]::CommonParameters) +
        @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters) + @('ConfigPath')
    $parameters = [ordered]@{}
    foreach ($key in @($BoundParameters.Keys)) {
        if ($skip -contains $key) { continue }
        $value = $BoundParameters[$key]
        if ($value -is [System.Security.SecureString] -or $value -is [System.Management.Automation.PSCredential]) { continue }
        if ($value -is [System.Management.Automation.SwitchParameter]) {
            $value = $value.IsPresent
        }
        elseif ($script:PathParameterNames -contains $key -and $null -ne $value) {
            $resolvedPaths = New-Object System.Collections.Generic.List[string]
            foreach ($item in @($value)) {
                if ([string]::IsNullOrEmpty([string]$item)) { $resolvedPaths.Add([string]$item); continue }
                $resolvedPath = [string]$item
                try { $resolvedPath = $sessionPath.GetUnresolvedProviderPathFromPSPath([string]$item) }
                catch {
                    # e.g. a drive letter this session cannot see (a mapped drive under SYSTEM):
                    # send it unchanged and let node report the real storage error.
                    $resolvedPath = [string]$item
                }
                $resolvedPaths.Add($resolvedPath)
            }
            if ($value -is [array]) { $value = [string[]]$resolvedPaths.ToArray() } else { $value = $resolvedPaths[0] }
        }
        $parameters[$key] = $value
    }

    foreach ($key in @($ExtraParameters.Keys)) {
        if ($null -ne $ExtraParameters[$key]) { $parameters[$key] = $ExtraParameters[$key] }
    }

    $allSecrets = @{}
    foreach ($name in @($Secrets.Keys)) {
        if ($null -ne $Secrets[$name]) { $allSecrets[$name] = $Secrets[$name] }
    }
    if ($CredentialFileSecret.Count -gt 0) {
        $fromFiles = Get-AlteryxBackupCredentialFileSecret -ConfigPath $resolvedConfigPath -SecretName $CredentialFileSecret -Provided @($allSecrets.Keys)
        if ($null -ne $fromFiles.Error) {
            $global:LASTEXITCODE = 3
            $exception = New-Object System.InvalidOperationException $fromFiles.Error.Message
            $exception.Data['ExitCode'] = 3
            & $throwFailure ((New-Object System.Management.Automation.ErrorRecord $exception, $fromFiles.Error.Id, ([System.Management.Automation.ErrorCategory]::SecurityError), $fromFiles.Error.Target))
        }
        foreach ($name in @($fromFiles.Secrets.Keys)) { $allSecrets[$name] = $fromFiles.Secrets[$name] }
        foreach ($key in @($fromFiles.Parameters.Keys)) {
            if (-not $parameters.Contains($key)) { $parameters[$key] = $fromFiles.Parameters[$key] }
        }
    }

    # Thumbprints in SecurityConfiguration.EncryptSecretsTo: node cannot read Cert:\LocalMachine\My (issue 15).
    if (-not $parameters.Contains('EncryptionCertificates')) {
        $storeCertificates = Get-AlteryxBackupStoreCertificate -ConfigPath $resolvedConfigPath
        if ($storeCertificates.Count -gt 0) { $parameters['EncryptionCertificates'] = $storeCertificates }
    }

    $plainSecrets = [ordered]@{}
    foreach ($name in @($allSecrets.Keys)) {
        $secret = $allSecrets[$name]
        if ($null -eq $secret) { continue }
        if ($secret -is [System.Management.Automation.PSCredential]) { $secret = $secret.Password }
        if (-not ($secret -is [System.Security.SecureString])) {
            throw "Invoke-AlteryxBackupNode: secret '$name' must be a SecureString or a PSCredential."
        }
        # The only moment a secret exists as plain text on this side: building stdin.
        $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($secret)
        try { $plainSecrets[$name] = [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr) }
        finally { [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr) }
    }

    $request = [ordered]@{
        command    = $Command
        configPath = $resolvedConfigPath
        parameters = $parameters
        secrets    = $plainSecrets
        whatIf     = [bool]$WhatIfRequest
    }
    if ($null -ne $session -and [string]::Equals($session.ConfigPath, $resolvedConfigPath, [System.StringComparison]::OrdinalIgnoreCase)) {
        $request['session'] = [ordered]@{
            BackupMode         = $session.BackupMode
            ParameterOverrides = $session.ParameterOverrides
            LogFilePath        = $session.LogFilePath
        }
    }
    $requestBytes = $utf8NoBom.GetBytes((ConvertTo-Json -InputObject $request -Depth 10 -Compress))
    $plainSecrets.Clear()
    $request = $null

    # Only what Repair-AlteryxBackupState needs to find the state marker.
    $repairParameters = [ordered]@{}
    foreach ($key in @('TempDirectory', 'LogDirectory')) {
        if ($parameters.Contains($key)) { $repairParameters[$key] = $parameters[$key] }
    }

    $workingDirectory = $sessionPath.CurrentFileSystemLocation.ProviderPath

    # Starts node with one request; the caller reads its output.
    $startNode = {
        param([string]$CommandName, [byte[]]$Bytes)
        $psi = New-Object System.Diagnostics.ProcessStartInfo
        $psi.FileName = $nodePath
        # Nothing but the core and the command name on the command line.
        $psi.Arguments = '"' + $corePath + '" ' + $CommandName
        $psi.UseShellExecute = $false
        $psi.CreateNoWindow = $true
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.StandardOutputEncoding = $utf8NoBom
        $psi.StandardErrorEncoding = $utf8NoBom
        if (-not [string]::IsNullOrEmpty($workingDirectory) -and [System.IO.Directory]::Exists($workingDirectory)) {
            $psi.WorkingDirectory = $workingDirectory
        }
        $process = [System.Diagnostics.Process]::Start($psi)
        # A second reader drains stderr so neither pipe can fill up and block node.
        $errTask = $process.StandardError.ReadToEndAsync()
        try {
            # Windows PowerShell 5.1 has no StandardInputEncoding: write the UTF-8 bytes ourselves.
            $process.StandardInput.BaseStream.Write($Bytes, 0, $Bytes.Length)
            $process.StandardInput.BaseStream.Flush()
        }
        catch [System.IO.IOException] {
            # node exited before reading its request; its exit is handled below.
        }
        catch [System.ObjectDisposedException] {
        }
        finally {
            try { $process.StandardInput.Close() } catch [System.IO.IOException] { }
        }
        [Array]::Clear($Bytes, 0, $Bytes.Length)
        return @($process, $errTask)
    }

    # Runs Repair-AlteryxBackupState with .NET calls only, so it also works while
    # the pipeline is stopping. Returns a short description of the outcome.
    $runRepair = {
        $repairRequest = [ordered]@{
            command    = 'Repair-AlteryxBackupState'
            configPath = $resolvedConfigPath
            parameters = $repairParameters
            secrets    = [ordered]@{}
            whatIf     = $false
        }
        $repairBytes = $utf8NoBom.GetBytes((ConvertTo-Json -InputObject $repairRequest -Depth 10 -Compress))
        try {
            $started = & $startNode 'Repair-AlteryxBackupState' $repairBytes
            $repairProcess = $started[0]
            $repairOut = $repairProcess.StandardOutput.ReadToEnd()
            $repairProcess.WaitForExit()
            $null = $started[1].Wait(5000)
            $code = $repairProcess.ExitCode
            $repairProcess.Dispose()
            $detail = ''
            foreach ($outLine in ($repairOut -split "`r?`n")) {
                if ($outLine -notmatch '"type"\s*:\s*"result"') { continue }
                $exitMatch = [regex]::Match($outLine, '"exitCode"\s*:\s*(\d+)')
                if ($exitMatch.Success) { $code = [int]$exitMatch.Groups[1].Value }
                # The core explains what it did (restarted, nothing to repair, ...).
                $messageMatch = [regex]::Match($outLine, '"message"\s*:\s*"((?:[^"\\]|\\.)*)"')
                if ($messageMatch.Success) { $detail = [regex]::Unescape($messageMatch.Groups[1].Value) }
            }
            if ($code -eq 0) {
                if ([string]::IsNullOrEmpty($detail)) { $detail = 'done.' }
                return "Repair-AlteryxBackupState: $detail"
            }
            if (-not [string]::IsNullOrEmpty($detail)) { $detail = " ($detail)" }
            return "Repair-AlteryxBackupState failed with exit code $code$detail; check AlteryxService and start it by hand."
        }
        catch {
            return "Repair-AlteryxBackupState could not run ($($_.Exception.Message)); check the service and start it by hand."
        }
    }

    # --- Run node and map its events -------------------------------------------------
    $process = $null
    $errTask = $null
    $pendingLine = $null
    $result = $null
    $stoppedHosts = @{}
    $progressIds = @{}
    $repairOutcome = $null
    $stderrText = ''
    $processExitCode = $null
    $exitSeenAt = $null
    $cleanupNotes = @()

    $verboseWanted = -not ($VerbosePreference -eq 'SilentlyContinue' -or $VerbosePreference -eq 'Ignore')
    $progressWanted = -not ($ProgressPreference -eq 'SilentlyContinue' -or $ProgressPreference -eq 'Ignore')
    $quietLogPattern = '^\s*\{\s*"type"\s*:\s*"log"\s*,\s*"level"\s*:\s*"(DEBUG|INFO)"'
    $progressPattern = '^\s*\{\s*"type"\s*:\s*"progress"\s*,'

    try {
        $started = & $startNode $Command $requestBytes
        $process = $started[0]
        $errTask = $started[1]

        while ($true) {
            if ($null -eq $pendingLine) { $pendingLine = $process.StandardOutput.ReadLineAsync() }
            # Short waits keep the loop responsive to Ctrl+C while node is quiet.
            if (-not $pendingLine.IsCompleted -and -not $pendingLine.Wait(200)) {
                # A child that inherited node's stdout can keep the pipe open after
                # node has exited; stop reading a few seconds after node is gone.
                if ($process.HasExited) {
                    if ($null -eq $exitSeenAt) { $exitSeenAt = [DateTime]::UtcNow }
                    elseif (([DateTime]::UtcNow - $exitSeenAt).TotalSeconds -ge 3) { $pendingLine = $null; break }
                }
                continue
            }
            $line = $pendingLine.Result
            $pendingLine = $null
            if ($null -eq $line) { break }
            if ([string]::IsNullOrWhiteSpace($line)) { continue }

            # Fast path: nothing would show a DEBUG/INFO line or a progress bar, so skip parsing them.
            if (-not $verboseWanted -and $line -match $quietLogPattern) { continue }
            if (-not $progressWanted -and $line -match $progressPattern) { continue }

            $nodeEvent = $null
            try { $nodeEvent = ConvertFrom-Json -InputObject $line -ErrorAction Stop }
            catch { $nodeEvent = $null }
            if ($null -eq $nodeEvent -or -not ($nodeEvent -is [System.Management.Automation.PSCustomObject])) {
                Write-Verbose "node: $line"
                continue
            }
            # One hashtable per event: cheap lookups, and a missing field is $null even under strict mode.
            $fields = @{}
            foreach ($property in $nodeEvent.PSObject.Properties) { $fields[$property.Name] = $property.Value }

            switch ([string]$fields['type']) {
                'log' {
                    $level = [string]$fields['level']
                    if ([string]::IsNullOrEmpty($level)) { $level = 'INFO' }
                    $text = ('{0} [{1}] {2}' -f $fields['timestamp'], $level, $fields['message']).Trim()
                    # A 'final' line restates the failure the result reports: the ErrorRecord prints it once (issue 16).
                    if ($level -eq 'DEBUG' -or $level -eq 'INFO' -or [bool]$fields['final']) { Write-Verbose $text }
                    else { Write-Information -MessageData $text -Tags @('AlteryxBackup', $level) }
                }
                'progress' {
                    $activity = [string]$fields['activity']
                    if ([string]::IsNullOrEmpty($activity)) { $activity = 'AlteryxBackup' }
                    if (-not $progressIds.ContainsKey($activity)) { $progressIds[$activity] = 4200 + $progressIds.Count }
                    $status = [string]$fields['status']
                    if ([string]::IsNullOrEmpty($status)) { $status = 'Processing' }
                    $percent = -1
                    if ($null -ne $fields['percent']) { $percent = [int][Math]::Max(-1, [Math]::Min(100, [double]$fields['percent'])) }
                    if ([bool]$fields['completed']) {
                        Write-Progress -Id $progressIds[$activity] -Activity $activity -Completed
                    }
                    else {
                        # Byte activities carry node's time estimate (-1: unknown, which is also Write-Progress's default).
                        $secondsRemaining = -1
                        if ($null -ne $fields['secondsRemaining']) { $secondsRemaining = [int][Math]::Max(-1, [double]$fields['secondsRemaining']) }
                        Write-Progress -Id $progressIds[$activity] -Activity $activity -Status $status -PercentComplete $percent -SecondsRemaining $secondsRemaining
                    }
                }
                'warning' {
                    Write-Warning ([string]$fields['message'])
                }
                'service' {
                    $serviceHost = [string]$fields['host']
                    $serviceEvent = [string]$fields['event']
                    if ($serviceEvent -eq 'stopped') { $stoppedHosts[$serviceHost] = $true }
                    elseif ($serviceEvent -eq 'started') { $stoppedHosts.Remove($serviceHost) }
                    Write-Verbose "AlteryxService $serviceEvent$(if ($serviceHost) { " on $serviceHost" })"
                }
                'result' {
                    $result = $nodeEvent
                }
                default {
                    Write-Verbose "node: $line"
                }
            }
        }

        $process.WaitForExit()
        if ($null -ne $errTask -and $errTask.Wait(3000)) { $stderrText = $errTask.Result }
    }
    finally {
        # Every step runs whatever the step before it threw: a kill that fails
        # (on .NET Framework, Kill() on a process that is just exiting throws
        # Win32Exception) must never skip the service repair or Dispose.
        if ($null -ne $process) {
            try {
                if (-not $process.HasExited) {
                    # Stopped pipeline (Ctrl+C): give node time to restore the service
                    # itself, still watching stdout for its service events.
                    $deadline = [DateTime]::UtcNow.AddSeconds($script:NodeExitGraceSeconds)
                    while (-not $process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                        if ($null -eq $pendingLine) { $pendingLine = $process.StandardOutput.ReadLineAsync() }
                        if (-not $pendingLine.Wait(100)) { continue }
                        $drained = $pendingLine.Result
                        $pendingLine = $null
                        if ($null -eq $drained) { $null = $process.WaitForExit([int][Math]::Max(0, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)); break }
                        $serviceMatch = [regex]::Match($drained, '"type"\s*:\s*"service"')
                        if ($serviceMatch.Success) {
                            $hostMatch = [regex]::Match($drained, '"host"\s*:\s*"([^"]*)"')
                            $drainedHost = ''
                            if ($hostMatch.Success) { $drainedHost = $hostMatch.Groups[1].Value }
                            if ($drained -match '"event"\s*:\s*"started"') { $stoppedHosts.Remove($drainedHost) }
                            elseif ($drained -match '"event"\s*:\s*"stopped"') { $stoppedHosts[$drainedHost] = $true }
                        }
                    }
                }
            }
            catch { $cleanupNotes += "waiting for node: $($_.Exception.Message)" }
            try {
                if (-not $process.HasExited) {
                    Stop-AlteryxBackupNodeProcess -Process $process
                    $null = $process.WaitForExit(10000)
                }
            }
            catch { $cleanupNotes += "ending node: $($_.Exception.Message)" }
            try {
                if ($null -eq $result -and $stoppedHosts.Count -gt 0 -and -not $NoServiceRepair) {
                    $repairOutcome = & $runRepair
                }
            }
            catch { $cleanupNotes += "repair: $($_.Exception.Message)" }
            if ($null -eq $result) { $global:LASTEXITCODE = 1 }
            try { if ($process.HasExited) { $processExitCode = $process.ExitCode } }
            catch { $cleanupNotes += "exit code: $($_.Exception.Message)" }
            try { $process.Dispose() }
            catch { $cleanupNotes += "dispose: $($_.Exception.Message)" }
        }
        foreach ($id in @($progressIds.Values)) {
            try { Write-Progress -Id $id -Activity 'AlteryxBackup' -Completed } catch { }
        }
    }

    if (-not [string]::IsNullOrWhiteSpace($stderrText)) {
        Write-Verbose ("node stderr:`n" + $stderrText.TrimEnd())
    }

    # --- Turn the result into output or an ErrorRecord --------------------------------
    if ($null -eq $result) {
        $global:LASTEXITCODE = 1
        # A node too old even to parse the core ends without a result: say so, rather than NODE_DIED.
        # (A node the core can run refuses itself, with the same ErrorId.)
        if ($null -eq $nodeFound.Version) {
            $checked = Resolve-AlteryxBackupNode -ConfigPath $resolvedConfigPath
            if ($null -ne $checked.Error -and [string]::Equals($checked.Path, $nodePath, [System.StringComparison]::Ordinal)) {
                $exception = New-Object System.InvalidOperationException $checked.Error.Message
                $exception.Data['ExitCode'] = 1
                & $throwFailure ((New-Object System.Management.Automation.ErrorRecord $exception, $checked.Error.Id, ([System.Management.Automation.ErrorCategory]::NotInstalled), $nodePath))
            }
        }
        $tail = ''
        if (-not [string]::IsNullOrWhiteSpace($stderrText)) {
            $lines = @($stderrText.TrimEnd() -split "`r?`n")
            $tail = ' Last stderr lines: ' + (($lines | Select-Object -Last 5) -join ' | ')
        }
        $message = "node ($Command) exited with code $processExitCode without a result.$tail"
        if ($null -ne $repairOutcome) { $message = "$message $repairOutcome" }
        if ($cleanupNotes.Count -gt 0) { $message = "$message Cleanup problems: $($cleanupNotes -join '; ')." }
        $exception = New-Object System.InvalidOperationException $message
        $exception.Data['ExitCode'] = 1
        $record = New-Object System.Management.Automation.ErrorRecord $exception, 'NODE_DIED', ([System.Management.Automation.ErrorCategory]::OperationStopped), $null
        & $throwFailure ($record)
    }

    $exitCode = 1
    $rawExit = Get-AlteryxBackupEventField $result 'exitCode' 1
    if ($null -ne $rawExit) { $exitCode = [int]$rawExit }
    $global:LASTEXITCODE = $exitCode
    $data = Get-AlteryxBackupEventField $result 'data' $null
    # Same date and number types on Windows PowerShell 5.1 and PowerShell 7.
    if ($null -ne $data) { $data = ConvertTo-AlteryxBackupEditionNeutral -Value $data }

    if ($exitCode -eq 0) {
        if ($null -ne $data) {
            foreach ($item in @($data)) {
                if ($item -is [System.Management.Automation.PSCustomObject]) {
                    $item.PSObject.TypeNames.Insert(0, "AlteryxBackup.$Command.Result")
                }
                $item
            }
        }
        return
    }

    $errorInfo = Get-AlteryxBackupEventField $result 'error' $null
    $code = 'NODE_ERROR'
    $message = "node ($Command) failed with exit code $exitCode."
    $category = [System.Management.Automation.ErrorCategory]::NotSpecified
    $details = @()
    if ($null -ne $errorInfo) {
        $value = [string](Get-AlteryxBackupEventField $errorInfo 'code' '')
        if (-not [string]::IsNullOrEmpty($value)) { $code = $value }
        $value = [string](Get-AlteryxBackupEventField $errorInfo 'message' '')
        if (-not [string]::IsNullOrEmpty($value)) { $message = $value }
        $value = [string](Get-AlteryxBackupEventField $errorInfo 'category' '')
        if (-not [string]::IsNullOrEmpty($value) -and [Enum]::IsDefined([System.Management.Automation.ErrorCategory], $value)) {
            $category = [System.Management.Automation.ErrorCategory]$value
        }
        $rawDetails = Get-AlteryxBackupEventField $errorInfo 'details' $null
        $details = @(foreach ($detail in @($rawDetails)) { if ($null -ne $detail) { [string]$detail } })
    }
    # Each problem is printed once: a detail the message already states (also as
    # '<file>: <problem>' when the message names the file) stays only in Data['Details'].
    $fullMessage = $message
    $detailLines = @($details | Where-Object {
            $detailText = [string]$_
            $separator = $detailText.IndexOf(': ')
            -not ($fullMessage.Contains($detailText) -or ($separator -gt 0 -and $fullMessage.Contains($detailText.Substring(0, $separator)) -and $fullMessage.Contains($detailText.Substring($separator + 2))))
        })
    if ($detailLines.Count -gt 0) { $fullMessage = $fullMessage + [Environment]::NewLine + (($detailLines | ForEach-Object { "  - $_" }) -join [Environment]::NewLine) }

    $exception = New-Object System.Management.Automation.RuntimeException $fullMessage
    $exception.Data['ExitCode'] = $exitCode
    $exception.Data['Code'] = $code
    $exception.Data['Details'] = [string[]]$details
    $record = New-Object System.Management.Automation.ErrorRecord $exception, $code, $category, $data
    & $throwFailure ($record)
}

# Reads an optional field of a parsed event; works under Set-StrictMode -Version Latest.
# A plain (not advanced) function: it runs once per field of every event.
function Get-AlteryxBackupEventField {
    param([object]$InputObject, [string]$Name, [object]$Default)
    if ($null -eq $InputObject) { return $Default }
    $property = $InputObject.PSObject.Properties[$Name]
    if ($null -eq $property) { return $Default }
    # The comma keeps arrays (e.g. details) from being unrolled.
    return , $property.Value
}

# Parameters whose values are file-system paths: resolved against the caller's
# PowerShell location (so TestDrive:, PSDrives and relative paths work) before
# they go to node.
$script:PathParameterNames = @(
    'TempDirectory', 'LocalBackupPath', 'NetworkBackupPath', 'LogDirectory',
    'SourcePath', 'DestinationPath', 'ArchivePath', 'Path', 'OutputPath', 'LogPath',
    'BackupPath', 'Destinations', 'AlteryxServicePath'
)
