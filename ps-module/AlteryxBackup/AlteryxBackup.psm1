# AlteryxBackup: a thin PowerShell layer over the TypeScript core.
# Every public cmdlet validates its parameters and then calls node through the
# one private bridge, Invoke-AlteryxBackupNode (see docs/bridge-protocol.md).

$script:ModuleRoot = $PSScriptRoot

# How long the bridge lets node finish on its own (after Ctrl+C or a stopped
# pipeline) before it kills it. Tests lower this through InModuleScope.
$script:NodeExitGraceSeconds = 30

# The Node.js major version the suite runs on (package.json engines); older is refused.
$script:MinimumNodeMajor = 24
$script:NodeVersionCache = @{}

# The module's current configuration, set by Initialize-BackupEnvironment (ConfigPath,
# ParameterOverrides, BackupMode, LogFilePath, MongoPassword); later calls without
# -ConfigPath use it, and Write-Log's default LogPath is its LogFilePath.
$script:AlteryxBackupSession = $null

# Lets a [hashtable] contract parameter also take what older scripts pass: a number for a
# per-mode setting (Remove-OldBackups -RetentionDays 7 means "7 days for -BackupMode")
# and a PSCustomObject (e.g. a result read back from JSON).
class AlteryxBackupHashtableTransformation : System.Management.Automation.ArgumentTransformationAttribute {
    [object] Transform([System.Management.Automation.EngineIntrinsics]$engineIntrinsics, [object]$inputData) {
        $value = $inputData
        if ($value -is [System.Management.Automation.PSObject] -and -not ($value -is [System.Management.Automation.PSCustomObject])) { $value = $value.PSObject.BaseObject }
        if ($value -is [int] -or $value -is [long] -or $value -is [double]) { return @{ '*' = $value } }
        if ($value -is [System.Management.Automation.PSCustomObject]) {
            $table = @{}
            foreach ($property in $value.PSObject.Properties) { $table[$property.Name] = $property.Value }
            return $table
        }
        return $inputData
    }
}

foreach ($folder in @('Private', 'Public')) {
    $folderPath = Join-Path $PSScriptRoot $folder
    if (-not (Test-Path -LiteralPath $folderPath)) { continue }
    foreach ($file in @(Get-ChildItem -LiteralPath $folderPath -Filter '*.ps1' -File | Sort-Object Name)) {
        . $file.FullName
    }
}

$publicFunctions = @(
    Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'Public') -Filter '*.ps1' -File |
        ForEach-Object { $_.BaseName }
)
Export-ModuleMember -Function $publicFunctions
