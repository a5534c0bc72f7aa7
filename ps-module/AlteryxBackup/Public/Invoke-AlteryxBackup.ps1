function Invoke-AlteryxBackup {
    <#
    .SYNOPSIS
    Runs a complete Alteryx Server backup: Full, DatabaseOnly or ConfigOnly.

    .DESCRIPTION
    Runs the whole backup in one call: validate the configuration and prerequisites,
    stop AlteryxService (Full and DatabaseOnly; waiting for running workflows), dump
    MongoDB, restart the service as soon as the dump is written, verify the dump
    with the service running (a bad dump is never archived), copy the configuration
    files, Keys folder and controller settings (Full and ConfigOnly), write the
    manifest, create and verify the archive, copy it to every destination, verify
    the copies, apply retention and clean up. If anything fails while the service is
    stopped, the service is restarted before the command returns, on every path
    including Ctrl+C.

    Returns the summary object. On Windows every run also writes one Application
    event log entry, source AlteryxBackup: event id 1000 for success, 1001 for
    success with warnings, 1002 for failure. On failure it throws a terminating
    error whose ErrorId is the core's error code (for example CONFIG_INVALID) and
    whose TargetObject is the summary of the failed run; $LASTEXITCODE holds the
    exit code either way.

    -WhatIf changes nothing: it prints one "What if:" line per side effect, in run
    order (stop AlteryxService on each node, the MongoDB dump with its target folder
    and expected size, each file copied, the archive, each destination, the service
    starts, each old backup retention would remove), and returns the plan
    (AlteryxBackup.Plan) as a table of those steps. -Confirm asks before each service
    stop (for ConfigOnly, once before the run); answering No leaves everything as it
    was.

    .PARAMETER BackupMode
    Full (MongoDB dump plus files; stops the service), DatabaseOnly (MongoDB dump
    only; stops the service) or ConfigOnly (files and controller settings; never
    touches the service). When omitted, the configuration's
    BackupConfiguration.DefaultBackupMode is used.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Relative paths and
    PowerShell drives are resolved to an absolute path before the request is sent.
    Default: config/backup-config.json of the checkout (<module>/../../config) when
    it exists, else <module>/config/backup-config.json.

    .PARAMETER TempDirectory
    Staging folder for this run; overrides BackupConfiguration.TempDirectory. Must
    be an absolute path (relative paths are resolved against the current location).

    .PARAMETER LocalBackupPath
    Local folder that receives the finished archive and its .sha256 sidecar;
    overrides BackupConfiguration.LocalBackupPath.

    .PARAMETER NetworkBackupPath
    One or more UNC paths or mapped drives that receive verified copies of the
    archive; replaces BackupConfiguration.NetworkBackupPaths. Mapped drive letters
    are not visible to a scheduled task running as SYSTEM; prefer UNC paths there.

    .PARAMETER LogDirectory
    Folder for BackupLog_{Mode}_yyyyMMdd_HHmmss.log; overrides
    BackupConfiguration.LogDirectory.

    .PARAMETER MongoDBType
    MongoDB deployment type: auto (detect from RuntimeSettings.xml), embedded or
    self-managed; overrides MongoDBConfiguration.Type.

    .PARAMETER MaxServiceWait
    Seconds to wait for each service state change (1-86400); overrides
    ServiceConfiguration.MaxServiceWaitSeconds (default 7200).

    .PARAMETER RetentionDays
    Days to keep archives of the backup mode (1-3650); overrides
    BackupConfiguration.RetentionDays for that mode. The newest verified backup of a
    mode is never deleted.

    .PARAMETER StopServiceForExternalDB
    Stop AlteryxService while dumping a self-managed MongoDB (overrides
    ServiceConfiguration.StopServiceForExternalDB). Embedded MongoDB always requires
    the stop.

    .PARAMETER MongoPassword
    Password of the self-managed MongoDB user. Sent to the core only on stdin, never
    on a command line, in the environment, a log or the manifest. Without it, the
    password is read from the Export-Clixml credential file named by
    MongoDBConfiguration.SelfManagedMongoDB.CredentialFile, when configured.

    .PARAMETER SmtpCredential
    SMTP user name and password for notification e-mail. The user name is sent as
    the SmtpUsername parameter; the password only on stdin. Without it, the
    credential is read from the Export-Clixml file named by
    NotificationConfiguration.CredentialFile, when configured.

    .EXAMPLE
    Invoke-AlteryxBackup -BackupMode Full

    Runs a Full backup with config/backup-config.json.

    .EXAMPLE
    Invoke-AlteryxBackup ConfigOnly -ConfigPath 'C:\AlteryxBackup\config\backup-config.json' | Test-BackupIntegrity

    Backs up the configuration only, without touching the service, and verifies the
    archive.

    .EXAMPLE
    Invoke-AlteryxBackup DatabaseOnly -MongoDBType self-managed -StopServiceForExternalDB -MongoPassword (Read-Host -AsSecureString)

    Dumps a self-managed MongoDB with the service stopped.

    .EXAMPLE
    Invoke-AlteryxBackup Full -WhatIf

    Prints one "What if:" line per step (service stops per node, dump, files, archive,
    destinations, old backups to remove), returns the plan, and changes nothing.

    .OUTPUTS
    System.Collections.Hashtable (type name AlteryxBackup.BackupSummary). The summary:
    Status, ExitCode, BackupMode, ArchivePath, ArchiveSHA256, DurationSeconds,
    Warnings and Errors (plus downtime, sizes, destinations and Phases as the core
    reports them), and BackupState, the run's BackupExecutionState (data model
    section 3.3) for Write-BackupSummary -BackupState.

    .NOTES
    For scheduled tasks use ps-module/Invoke-AlteryxBackup.ps1, which exits with the
    exit code. Exit codes (also in $LASTEXITCODE): 0 success, 1 general error, 2
    service timeout, 3 validation failure, 4 storage error, 5 MongoDB error, 6
    invalid backup mode. On failure the command throws a terminating error whose
    FullyQualifiedErrorId starts with the core's error code.

    .LINK
    about_AlteryxBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [Parameter(Position = 0)]
        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$BackupMode,

        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [ValidateNotNullOrEmpty()]
        [string]$TempDirectory,

        [ValidateNotNullOrEmpty()]
        [string]$LocalBackupPath,

        [ValidateNotNullOrEmpty()]
        [string[]]$NetworkBackupPath,

        [ValidateNotNullOrEmpty()]
        [string]$LogDirectory,

        [ValidateSet('auto', 'embedded', 'self-managed')]
        [string]$MongoDBType,

        [ValidateRange(1, 86400)]
        [int]$MaxServiceWait,

        [ValidateRange(1, 3650)]
        [int]$RetentionDays,

        [switch]$StopServiceForExternalDB,

        [System.Security.SecureString]$MongoPassword,

        [System.Management.Automation.PSCredential]$SmtpCredential
    )

    begin {
        # Checks that span several parameters.
        if ($PSBoundParameters.ContainsKey('MongoDBType') -and $MongoDBType -eq 'embedded') {
            foreach ($name in @('MongoPassword', 'StopServiceForExternalDB')) {
                if ($PSBoundParameters.ContainsKey($name)) {
                    $global:LASTEXITCODE = 3
                    $exception = New-Object System.ArgumentException "-$name applies only to self-managed MongoDB, but -MongoDBType is 'embedded'."
                    $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord $exception, 'PARAMETER_CONFLICT', ([System.Management.Automation.ErrorCategory]::InvalidArgument), $name))
                }
            }
        }
        if ($BackupMode -eq 'ConfigOnly' -and $StopServiceForExternalDB) {
            Write-Warning '-StopServiceForExternalDB has no effect with -BackupMode ConfigOnly: ConfigOnly never touches the service.'
        }
    }

    process {
        $extra = @{}
        $secrets = @{ MongoPassword = $MongoPassword }
        if ($null -ne $SmtpCredential) {
            $extra['SmtpUsername'] = $SmtpCredential.UserName
            $secrets['SmtpPassword'] = $SmtpCredential
        }
        # Seam for cloud copies (issue 6): add a [pscredential] -CloudCredential parameter above and map
        # it here, e.g. $secrets['S3SecretAccessKey'] = $CloudCredential (or AzureStorageKey /
        # AzureSasToken), plus any non-secret part (such as an access key id) into $extra.
        # The bridge converts SecureString and PSCredential values itself.
        # Secrets not given here come from the configuration's credential files (Export-Clixml, DPAPI).
        $fileSecrets = @('MongoPassword', 'SmtpPassword', 'AzureStorageKey', 'S3SecretAccessKey')

        $modeText = 'the configured default mode'
        if ($PSBoundParameters.ContainsKey('BackupMode')) { $modeText = $BackupMode }
        $action = "Run a $modeText backup"
        $nodeArguments = @{
            Command              = $MyInvocation.MyCommand.Name
            Cmdlet               = $PSCmdlet
            BoundParameters      = $PSBoundParameters
            ConfigPath           = $ConfigPath
            ExtraParameters      = $extra
            Secrets              = $secrets
            CredentialFileSecret = $fileSecrets
        }

        # -WhatIf and -Confirm (issue 16): node lists every side effect of the run as a step
        # without changing anything; each step goes through ShouldProcess with its own target,
        # so -WhatIf prints one "What if:" line per step and -Confirm asks before each service
        # stop (the steps marked Confirm), as dbatools asks before it stops a SQL Server service.
        $whatIfRun = [bool]$WhatIfPreference
        $confirmRun = (-not $whatIfRun) -and ($ConfirmPreference -ne 'None') -and ([int]$ConfirmPreference -le [int][System.Management.Automation.ConfirmImpact]::Medium)
        if ($whatIfRun -or $confirmRun) {
            $plan = @(Invoke-AlteryxBackupNode @nodeArguments -WhatIfRequest) | Select-Object -First 1
            if ($null -ne $plan) {
                $plan.PSObject.TypeNames.Insert(0, 'AlteryxBackup.Plan')
                foreach ($phase in @($plan.Plan)) { if ($null -ne $phase) { $phase.PSObject.TypeNames.Insert(0, 'AlteryxBackup.PlanPhase') } }
                foreach ($step in @($plan.Steps)) { if ($null -ne $step) { $step.PSObject.TypeNames.Insert(0, 'AlteryxBackup.PlanStep') } }
            }
            $declined = $null
            $asked = 0
            foreach ($step in @($plan.Steps)) {
                if ($null -eq $step) { continue }
                if (-not $whatIfRun -and -not [bool]$step.Confirm) { continue }
                $asked++
                if (-not $PSCmdlet.ShouldProcess([string]$step.Target, [string]$step.Action) -and -not $whatIfRun) {
                    $declined = "$($step.Action) on $($step.Target)"
                    break
                }
            }
            if ($whatIfRun) { return $plan }
            if ($null -eq $declined -and $asked -eq 0 -and -not $PSCmdlet.ShouldProcess('Alteryx Server', $action)) { $declined = $action }
            if ($null -ne $declined) {
                Write-Warning "Not run: '$declined' was declined. Nothing was changed."
                return
            }
        }

        # Type names for the format views (AlteryxBackup.Format.ps1xml, docs/output-types.md),
        # also on the summary a failed run carries as its ErrorRecord's TargetObject.
        $addTypeNames = {
            param($summaryObject)
            foreach ($item in @($summaryObject)) {
                if ($null -eq $item -or $item.PSObject.TypeNames -contains 'AlteryxBackup.BackupSummary') { continue }
                $item.PSObject.TypeNames.Insert(0, 'AlteryxBackup.BackupSummary')
                foreach ($nested in @(@{ Name = 'Phases'; Type = 'AlteryxBackup.PhaseResult' }, @{ Name = 'Destinations'; Type = 'AlteryxBackup.DestinationResult' }, @{ Name = 'ServiceSequence'; Type = 'AlteryxBackup.ServiceStep' })) {
                    $property = $item.PSObject.Properties[$nested.Name]
                    if ($null -eq $property) { continue }
                    foreach ($value in @($property.Value)) { if ($null -ne $value) { $value.PSObject.TypeNames.Insert(0, $nested.Type) } }
                }
            }
        }
        # One Application event log entry per run (Windows): 1000 success, 1001 warnings, 1002 failure.
        # ($PSCmdlet.ThrowTerminatingError cannot be caught here, so the failure entry is written by OnFailure.)
        $onFailure = {
            param($failure)
            & $addTypeNames $failure.TargetObject
            $failedMode = $modeText
            if ($null -ne $failure.TargetObject -and $null -ne $failure.TargetObject.PSObject.Properties['BackupMode']) { $failedMode = $failure.TargetObject.BackupMode }
            Write-AlteryxBackupEventLog -EventId 1002 -Message ("AlteryxBackup: $failedMode backup failed (exit code $global:LASTEXITCODE, $($failure.FullyQualifiedErrorId.Split(',')[0])): $($failure.Exception.Message)")
        }
        $summary = Invoke-AlteryxBackupNode @nodeArguments -OnFailure $onFailure
        # A hashtable like every contract output, with the type names of the format views
        # (AlteryxBackup.Format.ps1xml, docs/output-types.md); .BackupState feeds Write-BackupSummary -BackupState.
        $summary = ConvertTo-AlteryxBackupResult -InputObject $summary -TypeName 'BackupSummary' -LegacyTypeName 'AlteryxBackup.Invoke-AlteryxBackup.Result' -NestedType @{
            Phases          = 'PhaseResult'
            Destinations    = 'DestinationResult'
            ServiceSequence = 'ServiceStep'
            BackupState     = 'BackupExecutionState'
        }
        $eventId = 1000
        $first = @($summary) | Select-Object -First 1
        $status = ''
        if ($null -ne $first -and $null -ne $first.PSObject.Properties['Status']) { $status = [string]$first.Status }
        if ($status -eq 'Warning') { $eventId = 1001 }
        $eventText = "AlteryxBackup: $modeText backup finished with status $status (exit code $global:LASTEXITCODE)."
        if ($null -ne $first -and $null -ne $first.PSObject.Properties['ArchivePath']) { $eventText = "$eventText Archive: $($first.ArchivePath)." }
        if ($null -ne $first -and $null -ne $first.PSObject.Properties['Warnings']) {
            $warningList = @($first.Warnings | ForEach-Object { [string]$_ } | Where-Object { $_ })
            if ($warningList.Count -gt 0) { $eventText = "$eventText Warnings: $($warningList -join ' | ')" }
        }
        Write-AlteryxBackupEventLog -EventId $eventId -Message $eventText
        $summary
    }
}
