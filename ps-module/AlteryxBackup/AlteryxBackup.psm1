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
