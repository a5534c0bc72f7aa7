# Secrets stored for the scheduled task's account (Set-AlteryxBackupSecret):
# DPAPI with LocalMachine scope, so that SYSTEM can read what an administrator
# wrote, in a file only Administrators and SYSTEM may open.
# ProtectedData.Protect/Unprotect and DataProtectionScope.LocalMachine:
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.protecteddata
#
# $script:SecretProtector is a test seam: when set to @{ Protect = {..}; Unprotect = {..} }
# (each takes and returns [byte[]]), it replaces DPAPI. DPAPI exists only on Windows.

$script:SecretProtector = $null
$script:SecretFileFormat = 'AlteryxBackup.Secret'

function Get-AlteryxBackupSecretEntropy {
    <#
    .SYNOPSIS
    Optional entropy for DPAPI: binds the protected bytes to the secret's name.

    .PARAMETER Name
    The secret's name.
    #>
    [CmdletBinding()]
    [OutputType([byte[]])]
    param([Parameter(Mandatory = $true)][string]$Name)
    return , ([System.Text.Encoding]::UTF8.GetBytes("AlteryxBackup:$Name"))
}

function Invoke-AlteryxBackupDpapi {
    <#
    .SYNOPSIS
    Protects or unprotects bytes with DPAPI (LocalMachine scope), or with the test seam when set.

    .PARAMETER Bytes
    The bytes.

    .PARAMETER Name
    The secret's name (entropy).

    .PARAMETER Unprotect
    Decrypt instead of encrypt.
    #>
    [CmdletBinding()]
    [OutputType([byte[]])]
    param([Parameter(Mandatory = $true)][byte[]]$Bytes, [Parameter(Mandatory = $true)][string]$Name, [switch]$Unprotect)
    if ($null -ne $script:SecretProtector) {
        if ($Unprotect) { return , ([byte[]](& $script:SecretProtector.Unprotect $Bytes)) }
        return , ([byte[]](& $script:SecretProtector.Protect $Bytes))
    }
    if ([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) {
        throw (New-Object System.PlatformNotSupportedException 'DPAPI (ProtectedData, LocalMachine scope) exists only on Windows; Set-AlteryxBackupSecret files can be written and read on Windows only.')
    }
    $type = 'System.Security.Cryptography.ProtectedData' -as [type]
    if ($null -eq $type) {
        foreach ($assembly in @('System.Security', 'System.Security.Cryptography.ProtectedData')) {
            try { Add-Type -AssemblyName $assembly -ErrorAction Stop } catch { $null = $_ }
        }
        $type = 'System.Security.Cryptography.ProtectedData' -as [type]
    }
    if ($null -eq $type) { throw (New-Object System.PlatformNotSupportedException 'System.Security.Cryptography.ProtectedData is not available in this PowerShell.') }
    $entropy = Get-AlteryxBackupSecretEntropy -Name $Name
    $scope = [System.Security.Cryptography.DataProtectionScope]::LocalMachine
    if ($Unprotect) { return , ($type::Unprotect($Bytes, $entropy, $scope)) }
    return , ($type::Protect($Bytes, $entropy, $scope))
}

function Set-AlteryxBackupAdminOnlyAcl {
    <#
    .SYNOPSIS
    Restricts a file or folder to Administrators (S-1-5-32-544) and SYSTEM (S-1-5-18) with icacls; chmod 600/700 where there is no icacls.

    .DESCRIPTION
    icacls syntax: https://learn.microsoft.com/windows-server/administration/windows-commands/icacls

    .PARAMETER Path
    The file or folder.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Path)
    $icacls = Get-Command -Name 'icacls' -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -ne $icacls) {
        $grants = @('*S-1-5-32-544:F', '*S-1-5-18:F')
        if ([System.IO.Directory]::Exists($Path)) { $grants = @('*S-1-5-32-544:(OI)(CI)F', '*S-1-5-18:(OI)(CI)F') }
        $output = & icacls $Path '/inheritance:r' '/grant:r' $grants[0] $grants[1] 2>&1
        if ($LASTEXITCODE -ne 0) { throw "icacls '$Path' failed (exit $LASTEXITCODE): $output" }
        return
    }
    $chmod = Get-Command -Name 'chmod' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -ne $chmod) {
        $mode = '600'
        if ([System.IO.Directory]::Exists($Path)) { $mode = '700' }
        & $chmod.Source $mode $Path
    }
}

function Test-AlteryxBackupSecretFile {
    <#
    .SYNOPSIS
    True when a file is a Set-AlteryxBackupSecret file (JSON with Format AlteryxBackup.Secret), not an Export-Clixml file.

    .PARAMETER Path
    The credential file.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory = $true)][string]$Path)
    $text = [System.IO.File]::ReadAllText($Path).TrimStart()
    if (-not $text.StartsWith('{')) { return $false }
    return $text.Contains('"' + $script:SecretFileFormat + '"')
}

function Read-AlteryxBackupSecretFile {
    <#
    .SYNOPSIS
    Reads a Set-AlteryxBackupSecret file: a SecureString, or a PSCredential when it holds a user name.

    .PARAMETER Path
    The file.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Path)
    $record = ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($Path)) -ErrorAction Stop
    if ([string]$record.Format -ne $script:SecretFileFormat -or [int]$record.Version -ne 1) { throw "'$Path' is not a version 1 $($script:SecretFileFormat) file." }
    $bytes = Invoke-AlteryxBackupDpapi -Bytes ([Convert]::FromBase64String([string]$record.Data)) -Name ([string]$record.Name) -Unprotect
    $secure = New-Object System.Security.SecureString
    try {
        $chars = [System.Text.Encoding]::UTF8.GetChars($bytes)
        foreach ($char in $chars) { $secure.AppendChar($char) }
        [Array]::Clear($chars, 0, $chars.Length)
    }
    finally { [Array]::Clear($bytes, 0, $bytes.Length) }
    $secure.MakeReadOnly()
    $userName = [string]$record.UserName
    if (-not [string]::IsNullOrEmpty($userName)) { return New-Object System.Management.Automation.PSCredential ($userName, $secure) }
    return $secure
}
