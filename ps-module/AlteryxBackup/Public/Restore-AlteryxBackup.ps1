function Restore-AlteryxBackup {
    <#
    .SYNOPSIS
    Restores an AlteryxBackup archive onto this Alteryx Server, verifies it, and rolls back on any failure.

    .DESCRIPTION
    Follows the Alteryx Server Host Recovery Guide
    (https://help.alteryx.com/current/en/server/install/server-host-recovery-guide.html):
    stop the service on every node; put back RuntimeSettings.xml; restore MongoDB
    (AlteryxService emongorestore for the embedded database, mongorestore --drop for a
    self-managed one); put back the Keys folder, SystemAlias.xml, SystemConnections.xml
    and alteryx.config; set the controller token (setserversecret); start the
    Controller, then the UI nodes, then the Workers; test.

    First, touching nothing, it verifies the archive completely (every CRC and SHA256),
    checks that the backup comes from this host and the same Alteryx Server version,
    checks disk space and resolves the target paths. Any problem there ends the
    command without stopping the service.

    Before anything is replaced it saves a safety copy: the data folder is moved aside
    and the files it replaces (and the current token) are copied to
    PreRestore_<timestamp> under TempDirectory. After the restore it checks that
    mongoRestore.log reports no failure and the manifest's document counts, that every
    restored file matches its SHA256, that the token is the archive's and that the
    service is Running. If any step fails, the host is rolled back from the safety
    copy, the service is started again, and the command fails naming what failed.
    If the process is killed, Repair-AlteryxBackupState (or the next run) rolls back.

    Restoring onto another machine: since Alteryx Server 2021.4.2 Patch 5, 2022.1.1
    Patch 3 and 2022.3, encryption is bound to the machine, so encrypted DCM
    connections and Server data connections need Alteryx's Encryption Key Transfer
    Process, which needs the original host running
    (https://help.alteryx.com/20223/en/server/install/server-host-recovery-guide/encryption-key-transfer-process.html).
    The command refuses another host unless -AllowNewHost is given.

    It writes RestoreLog_yyyyMMdd_HHmmss.log in LogDirectory, and notifies like the
    backup: the email of NotificationConfiguration (subject "[AlteryxBackup] <SUCCESS|
    WARNING|FAILED> <mode> restore on <host> from <archive>", OnlyOnFailure honoured)
    and, on Windows, one Application event log entry from source AlteryxBackup: 1000
    success, 1001 success with warnings, 1002 failure. -WhatIf sends nothing.

    .PARAMETER ConfigPath
    Path to the configuration file (backup-config.json). Default: config/backup-config.json
    of the checkout when it exists, else <module>/config/backup-config.json.

    .PARAMETER ArchivePath
    The ServerBackup_*.zip archive to restore (a local or network path). Accepts
    pipeline input by property name, so the output of Get-AlteryxBackup,
    Invoke-AlteryxBackup (ArchivePath) and Get-ChildItem (FullName) can be piped in.

    .PARAMETER RestoreMode
    What to restore: Full, DatabaseOnly or ConfigOnly. Default: what the archive holds.
    A Full archive can be restored in any mode; a DatabaseOnly or ConfigOnly archive
    only in its own.

    .PARAMETER Force
    Restore even though the archive comes from another Alteryx Server version.

    .PARAMETER AllowNewHost
    Restore even though the archive was taken on another machine (see the description
    for what machine-bound encryption means for it).

    .PARAMETER MongoPassword
    The self-managed MongoDB user's password, when it is not in
    MongoDBConfiguration.SelfManagedMongoDB.CredentialFile. Never needed for the
    embedded database.

    .PARAMETER DecryptionCertificate
    For an archive whose controller token is encrypted (SecurityConfiguration.EncryptSecretsTo
    at backup time; Get-AlteryxBackup shows SecretsEncrypted and to whom): the thumbprint of
    the certificate, with its private key in Cert:\CurrentUser\My or Cert:\LocalMachine\My, or
    the path of its .pfx file (New-AlteryxBackupCertificate writes one). The token is opened
    with .NET's EnvelopedCms before anything is changed; without a matching private key the
    command stops with exit code 3 naming the certificates that would work.

    .PARAMETER PfxPassword
    The password of the .pfx given to DecryptionCertificate (SecureString).

    .PARAMETER SmtpCredential
    SMTP user name and password for the notification e-mail, as for Invoke-AlteryxBackup.
    The password is sent to the core only on stdin. Without it, the credential is read
    from the file named by NotificationConfiguration.CredentialFile, when configured.

    .EXAMPLE
    Restore-AlteryxBackup -ArchivePath 'D:\Alteryx\Backups\ServerBackup_Full_20260114_020015.zip' -WhatIf

    Prints the plan (services to stop, files to replace, database and counts, safety
    copy) and changes nothing.

    .EXAMPLE
    Get-AlteryxBackup -BackupMode Full -Latest -Verify | Restore-AlteryxBackup

    Restores the newest verified Full backup.

    .EXAMPLE
    Restore-AlteryxBackup 'E:\ServerBackup_Full_20260114_020015.zip' -AllowNewHost

    Restores a backup taken on another machine after its loss.

    .EXAMPLE
    Restore-AlteryxBackup 'E:\ServerBackup_Full_20260114_020015.zip' -DecryptionCertificate 'F:\AlteryxBackupSecrets.pfx' -PfxPassword (Read-Host -AsSecureString 'PFX password')

    Restores a backup whose secrets are encrypted, with the private key kept off the server.

    .OUTPUTS
    System.Management.Automation.PSCustomObject. The RestoreResult: Status, ExitCode,
    Phases, DocumentsExpected, DocumentsRestored, Collections, Files, SafetyCopyPath,
    DataFolderMovedTo, DowntimeSeconds, Warnings, LogPath and Plan.

    .NOTES
    Exit codes (also in $LASTEXITCODE): 0 success; 4 the archive is corrupt or cannot
    be verified; 3 another version or host without -Force / -AllowNewHost, or another
    unmet precondition; 5 the restore failed and was rolled back; 2 the service would
    not come back; 1 the rollback itself failed (the message names the safety copy).

    .LINK
    Get-AlteryxBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [ValidateNotNullOrEmpty()]
        [string]$ConfigPath,

        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [ValidateNotNullOrEmpty()]
        [string]$ArchivePath,

        [ValidateSet('Full', 'DatabaseOnly', 'ConfigOnly')]
        [string]$RestoreMode,

        [switch]$Force,

        [switch]$AllowNewHost,

        [System.Security.SecureString]$MongoPassword,

        [ValidateNotNullOrEmpty()]
        [string]$DecryptionCertificate,

        [System.Security.SecureString]$PfxPassword,

        [System.Management.Automation.PSCredential]$SmtpCredential
    )

    process {
        $secrets = @{}
        $extra = @{}
        if ($null -ne $MongoPassword) { $secrets['MongoPassword'] = $MongoPassword }
        if ($null -ne $SmtpCredential) {
            $extra['SmtpUsername'] = $SmtpCredential.UserName
            $secrets['SmtpPassword'] = $SmtpCredential
        }
        if ($PSBoundParameters.ContainsKey('DecryptionCertificate')) {
            # Issue 15: the token is opened here (node cannot use a key in the Windows store); nothing is touched yet.
            $certificateArgument = $DecryptionCertificate
            if (-not ($certificateArgument -replace '[\s:]', '' -match '^[0-9A-Fa-f]{40}$')) {
                $certificateArgument = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DecryptionCertificate)
            }
            $opened = Get-AlteryxBackupArchiveToken -ArchivePath $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ArchivePath) -DecryptionCertificate $certificateArgument -PfxPassword $PfxPassword
            if ($null -ne $opened.Error) {
                $global:LASTEXITCODE = 3
                $exception = New-Object System.Security.SecurityException $opened.Error.Message
                $exception.Data['ExitCode'] = 3
                $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord $exception, $opened.Error.Id, ([System.Management.Automation.ErrorCategory]::SecurityError), $opened.Error.Target))
            }
            if ($null -ne $opened.Token) { $secrets['ArchiveControllerToken'] = $opened.Token }
        }
        $nodeArguments = @{
            Command              = $MyInvocation.MyCommand.Name
            Cmdlet               = $PSCmdlet
            BoundParameters      = $PSBoundParameters
            ConfigPath           = $ConfigPath
            ExtraParameters      = $extra
            Secrets              = $secrets
            CredentialFileSecret = @('MongoPassword', 'SmtpPassword')
        }
        if ($PSCmdlet.ShouldProcess($ArchivePath, 'Restore Alteryx Server from the backup (the service is stopped; files and database are replaced)')) {
            # The same Application event log entries as the backup (Write-AlteryxBackupEventLog): 1000, 1001, 1002.
            # ($PSCmdlet.ThrowTerminatingError cannot be caught here, so the failure entry is written by OnFailure.)
            $archiveName = Split-Path -Leaf $ArchivePath
            $onFailure = {
                param($failure)
                $failedStatus = 'Failed'
                if ($null -ne $failure.TargetObject -and $null -ne $failure.TargetObject.PSObject.Properties['Status']) { $failedStatus = [string]$failure.TargetObject.Status }
                Write-AlteryxBackupEventLog -EventId 1002 -Message ("AlteryxBackup: restore of $archiveName failed with status $failedStatus (exit code $global:LASTEXITCODE, $($failure.FullyQualifiedErrorId.Split(',')[0])): $($failure.Exception.Message)")
            }
            $result = Invoke-AlteryxBackupNode @nodeArguments -OnFailure $onFailure
            $first = @($result) | Select-Object -First 1
            $eventId = 1000
            $warningList = @()
            if ($null -ne $first -and $null -ne $first.PSObject.Properties['Warnings']) { $warningList = @($first.Warnings | ForEach-Object { [string]$_ } | Where-Object { $_ }) }
            if ($warningList.Count -gt 0) { $eventId = 1001 }
            $modeWord = ''
            if ($null -ne $first -and $null -ne $first.PSObject.Properties['RestoreMode'] -and $first.RestoreMode) { $modeWord = "$($first.RestoreMode) " }
            $status = ''
            if ($null -ne $first -and $null -ne $first.PSObject.Properties['Status']) { $status = [string]$first.Status }
            $eventText = "AlteryxBackup: ${modeWord}restore of $ArchivePath finished with status $status (exit code $global:LASTEXITCODE)."
            if ($warningList.Count -gt 0) { $eventText = "$eventText Warnings: $($warningList -join ' | ')" }
            Write-AlteryxBackupEventLog -EventId $eventId -Message $eventText
            $result
        }
        elseif ($WhatIfPreference) {
            # -WhatIf: node runs every read-only check and prints the plan; nothing is changed.
            Invoke-AlteryxBackupNode @nodeArguments -WhatIfRequest
        }
    }
}
