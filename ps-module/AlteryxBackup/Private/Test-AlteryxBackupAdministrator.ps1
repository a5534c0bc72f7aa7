function Test-AlteryxBackupWindows {
    <#
    .SYNOPSIS
    True on Windows, in Windows PowerShell 5.1 and PowerShell 7 alike ($IsWindows does not exist in 5.1).
    #>
    return [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
}

function Test-AlteryxBackupAdministrator {
    <#
    .SYNOPSIS
    Whether the caller's Windows token is in the built-in Administrators role (elevated).

    .DESCRIPTION
    WindowsPrincipal.IsInRole(WindowsBuiltInRole.Administrator), the documented .NET check
    (https://learn.microsoft.com/dotnet/api/system.security.principal.windowsprincipal.isinrole);
    the same one-liner is used by many Gallery modules, e.g.
    https://www.powershellgallery.com/packages/PSADTIntune/0.8.1/Content/Private%5CTest-IsElevated.ps1
    Windows only; Initialize-BackupEnvironment sends the answer to the core, which on the
    simulated platform asks the simulated host instead.
    #>
    try {
        $principal = New-Object System.Security.Principal.WindowsPrincipal ([System.Security.Principal.WindowsIdentity]::GetCurrent())
        return [bool]$principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
    }
    catch {
        Write-Verbose "Administrator check unavailable: $($_.Exception.Message)"
        return $false
    }
}
