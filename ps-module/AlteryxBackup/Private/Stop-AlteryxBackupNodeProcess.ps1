function Stop-AlteryxBackupNodeProcess {
    <#
    .SYNOPSIS
    Ends the node process the bridge started; a process that is already exiting is not an error.

    .DESCRIPTION
    Calls Kill() and ignores the two exceptions that mean "it is ending anyway":
    InvalidOperationException (the process has exited), and Win32Exception,
    which .NET Framework (Windows PowerShell 5.1) throws as "Access is denied"
    when Kill() meets a process that is already terminating; modern .NET
    ignores that case itself. Process.Kill lists both exceptions
    (https://learn.microsoft.com/en-us/dotnet/api/system.diagnostics.process.kill).
    The bridge's finally calls this as one of several steps, each of which runs
    whatever the one before it threw.

    .PARAMETER Process
    The node process (a System.Diagnostics.Process, or anything with Kill()).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)] [object]$Process)
    try { $Process.Kill() }
    catch [System.InvalidOperationException] { }
    catch [System.ComponentModel.Win32Exception] { }
    catch {
        # PowerShell may wrap what Kill() threw (MethodInvocationException, RuntimeException): look down the chain.
        $inner = $_.Exception
        $ending = $false
        while ($null -ne $inner) {
            if ($inner -is [System.InvalidOperationException] -or $inner -is [System.ComponentModel.Win32Exception]) { $ending = $true; break }
            $inner = $inner.InnerException
        }
        if (-not $ending) { throw }
    }
}
