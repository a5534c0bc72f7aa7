# One timed step of `npm run bench` inside a fresh pwsh: the module is
# imported (and node warmed) before the Stopwatch starts, progress stays at
# the session default, and the last line printed is JSON with `seconds`.
param(
    [Parameter(Mandatory = $true)][string]$Step,
    [string]$Module,
    [string]$ConfigPath,
    [string]$Source,
    [string]$Destination,
    [string]$Archive,
    [string]$CoreMain,
    [int]$Rounds = 5
)
$ErrorActionPreference = 'Stop'

function Out-Json($Object) { ConvertTo-Json -InputObject $Object -Depth 6 -Compress }

try {
    if ($Module) { Import-Module $Module }
    $sw = New-Object System.Diagnostics.Stopwatch
    switch ($Step) {
        'Compress-BackupArchive' {
            $sw.Start()
            $r = Compress-BackupArchive -SourcePath $Source -DestinationPath $Destination -BackupMode Full -ConfigPath $ConfigPath
            $sw.Stop()
            Out-Json @{ seconds = $sw.Elapsed.TotalSeconds; archive = [string]$r.ArchivePath; durationSeconds = $r.DurationSeconds }
        }
        'Compress-Archive' {
            $sw.Start()
            Compress-Archive -Path (Join-Path $Source '*') -DestinationPath $Destination -CompressionLevel Optimal
            $sw.Stop()
            Out-Json @{ seconds = $sw.Elapsed.TotalSeconds }
        }
        'ZipFile.CreateFromDirectory' {
            Add-Type -AssemblyName System.IO.Compression.FileSystem
            $sw.Start()
            [System.IO.Compression.ZipFile]::CreateFromDirectory($Source, $Destination, [System.IO.Compression.CompressionLevel]::Optimal, $false)
            $sw.Stop()
            Out-Json @{ seconds = $sw.Elapsed.TotalSeconds }
        }
        'Test-BackupIntegrity' {
            $sw.Start()
            $r = Test-BackupIntegrity -ArchivePath $Archive -ConfigPath $ConfigPath
            $sw.Stop()
            Out-Json @{ seconds = $sw.Elapsed.TotalSeconds; ok = [bool]$r.OverallStatus }
        }
        'Invoke-AlteryxBackup' {
            $sw.Start()
            $r = Invoke-AlteryxBackup -BackupMode Full -ConfigPath $ConfigPath
            $sw.Stop()
            $phases = [ordered]@{}
            foreach ($p in @($r.Phases)) { $phases[[string]$p.Phase] = $p.DurationSeconds }
            Out-Json @{ seconds = $sw.Elapsed.TotalSeconds; status = [string]$r.Status; downtimeSeconds = $r.DowntimeSeconds; phases = $phases; archive = [string]$r.ArchivePath; warnings = @($r.Warnings) }
        }
        'Startup' {
            # Alternating, all from this one session: a bare node, the CLI entry point, the cmdlet.
            $request = (Out-Json ([ordered]@{ command = 'Test-AlteryxServiceState'; configPath = $ConfigPath; parameters = @{}; secrets = @{}; whatIf = $false }))
            $null = & node -e 0
            # The first call of a session also pays PowerShell compiling the bridge and the result
            # shaping: what a scheduled task (one call per new pwsh) sees. Reported on its own.
            $firstCall = (Measure-Command { $null = Test-AlteryxServiceState -ConfigPath $ConfigPath }).TotalSeconds
            $rows = New-Object System.Collections.Generic.List[object]
            for ($i = 0; $i -lt $Rounds; $i++) {
                $a = (Measure-Command { $null = & node -e 0 }).TotalSeconds
                $b = (Measure-Command { $null = $request | & node $CoreMain 'Test-AlteryxServiceState' }).TotalSeconds
                $c = (Measure-Command { $null = Test-AlteryxServiceState -ConfigPath $ConfigPath }).TotalSeconds
                $rows.Add(@{ node = $a; cli = $b; cmdlet = $c; load = [double]((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ')[0] })
            }
            Out-Json @{ seconds = 0; rows = $rows.ToArray(); firstCall = $firstCall }
        }
        default { throw "unknown step '$Step'" }
    }
}
catch {
    Out-Json @{ error = $_.Exception.Message }
    exit 1
}
