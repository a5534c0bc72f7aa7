function Set-AlteryxBackupSecret {
    <#
    .SYNOPSIS
    Stores a secret that the scheduled task (SYSTEM) can read, encrypted with DPAPI for this machine.

    .DESCRIPTION
    An Export-Clixml credential file can be read only by the account that wrote
    it, so an administrator cannot prepare one for a task that runs as SYSTEM.
    This cmdlet encrypts the secret with DPAPI in the LocalMachine scope (any
    process on this machine may decrypt it, so SYSTEM can) and writes it to a
    file that only Administrators and SYSTEM may open (icacls, inheritance
    removed). The file holds the encrypted bytes, never the plain text.

    Point the configuration's CredentialFile at the file (it accepts these
    files and Export-Clixml files alike):
      MongoPassword     -> MongoDBConfiguration.SelfManagedMongoDB.CredentialFile
      SmtpPassword      -> NotificationConfiguration.CredentialFile (with -UserName)
      AzureStorageKey   -> CloudConfiguration.AzureBlob.CredentialFile
      S3SecretAccessKey -> CloudConfiguration.S3.CredentialFile

    Windows only (DPAPI). The file is bound to this machine: copy the secret
    again on another server.

    .PARAMETER Name
    MongoPassword, SmtpPassword, AzureStorageKey or S3SecretAccessKey.

    .PARAMETER Secret
    The secret. When omitted, it is asked for (Read-Host -AsSecureString).

    .PARAMETER UserName
    A user name stored with the secret (the SMTP account; 'SasToken' marks an
    Azure SAS token instead of a storage key).

    .PARAMETER Path
    The file to write. Default: $env:ProgramData\AlteryxBackup\<Name>.secret.

    .PARAMETER ConfigPath
    A configuration file (not read): without -Path, the secret file goes into
    its folder. Without either, into the installed configuration's folder
    ($env:ProgramData\AlteryxBackup).

    .EXAMPLE
    Set-AlteryxBackupSecret -Name SmtpPassword -UserName 'alerts@contoso.com'

    Asks for the SMTP password and writes C:\ProgramData\AlteryxBackup\SmtpPassword.secret.

    .EXAMPLE
    Set-AlteryxBackupSecret -Name MongoPassword -Secret (Read-Host -AsSecureString) -Path 'D:\AlteryxBackup\mongo.secret' -WhatIf

    Shows where the secret would be written.

    .OUTPUTS
    AlteryxBackup.SecretFile: Name, Path, UserName, Protection, and the CredentialFile setting to point at it.
    #>
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([System.Management.Automation.PSCustomObject])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateSet('MongoPassword', 'SmtpPassword', 'AzureStorageKey', 'S3SecretAccessKey')]
        [string]$Name,

        [System.Security.SecureString]$Secret,

        [string]$UserName,

        [string]$Path,

        [string]$ConfigPath
    )

    $settings = @{
        MongoPassword     = 'MongoDBConfiguration.SelfManagedMongoDB.CredentialFile'
        SmtpPassword      = 'NotificationConfiguration.CredentialFile'
        AzureStorageKey   = 'CloudConfiguration.AzureBlob.CredentialFile'
        S3SecretAccessKey = 'CloudConfiguration.S3.CredentialFile'
    }
    if ([string]::IsNullOrEmpty($Path)) {
        $folder = Get-AlteryxBackupDataRoot
        if (-not [string]::IsNullOrEmpty($ConfigPath)) {
            $folder = [System.IO.Path]::GetDirectoryName([System.IO.Path]::GetFullPath($PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ConfigPath)))
        }
        $Path = [System.IO.Path]::Combine($folder, "$Name.secret")
    }
    $Path = [System.IO.Path]::GetFullPath($PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path))

    if (-not $PSCmdlet.ShouldProcess($Path, "Store $Name (DPAPI LocalMachine, Administrators and SYSTEM only)")) { return }
    if ($null -eq $Secret) { $Secret = Read-Host -AsSecureString -Prompt $Name }
    if ($null -eq $Secret -or $Secret.Length -eq 0) {
        $exception = New-Object System.ArgumentException "-Secret: the $Name is empty."
        $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord $exception, 'SECRET_EMPTY', ([System.Management.Automation.ErrorCategory]::InvalidArgument), $Name))
    }

    $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($Secret)
    $plainBytes = $null
    try {
        $plain = [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
        $plainBytes = [System.Text.Encoding]::UTF8.GetBytes($plain)
        $plain = $null
        try { $protected = Invoke-AlteryxBackupDpapi -Bytes $plainBytes -Name $Name }
        catch {
            $exception = New-Object System.PlatformNotSupportedException ("Cannot protect the secret: " + $_.Exception.Message)
            $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord $exception, 'SECRET_PROTECTION_UNAVAILABLE', ([System.Management.Automation.ErrorCategory]::NotImplemented), $Name))
        }
    }
    finally {
        [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
        if ($null -ne $plainBytes) { [Array]::Clear($plainBytes, 0, $plainBytes.Length) }
    }

    $record = [ordered]@{
        Format     = $script:SecretFileFormat
        Version    = 1
        Name       = $Name
        UserName   = $UserName
        Protection = 'DPAPI-LocalMachine'
        Data       = [Convert]::ToBase64String($protected)
    }
    $folderPath = [System.IO.Path]::GetDirectoryName($Path)
    if (-not [System.IO.Directory]::Exists($folderPath)) { $null = [System.IO.Directory]::CreateDirectory($folderPath) }
    # Written under a temporary name, restricted, then renamed: never readable by others, never half-written.
    $temporary = $Path + '.' + [guid]::NewGuid().ToString('N') + '.tmp'
    try {
        [System.IO.File]::WriteAllText($temporary, (ConvertTo-Json -InputObject $record -Depth 3), (New-Object System.Text.UTF8Encoding $false))
        Set-AlteryxBackupAdminOnlyAcl -Path $temporary
        if ([System.IO.File]::Exists($Path)) { [System.IO.File]::Delete($Path) }
        [System.IO.File]::Move($temporary, $Path)
    }
    finally {
        if ([System.IO.File]::Exists($temporary)) { [System.IO.File]::Delete($temporary) }
    }
    [pscustomobject]@{
        PSTypeName            = 'AlteryxBackup.SecretFile'
        Name                  = $Name
        Path                  = $Path
        UserName              = $UserName
        Protection            = 'DPAPI-LocalMachine'
        CredentialFileSetting = $settings[$Name]
    }
}
