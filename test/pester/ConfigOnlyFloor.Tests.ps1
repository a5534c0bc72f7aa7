# Issue 11 point 11 through the module: a default-configured ConfigOnly backup
# of a simulated host passes Test-BackupIntegrity with the default minimums
# (ValidationConfiguration.MinimumBackupSizeMB left out of the config), and an
# archive missing Config/RuntimeSettings.xml fails it by that required entry.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $e2eReady = Test-SimHostReady
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Enter-SimHostSuite
    $configPath = New-SimHost -Name 'floor'
    # The schema's default minimums, not the simulated host's lowered ones.
    $cfg = Get-Content -LiteralPath $configPath -Raw | ConvertFrom-Json
    $cfg.ValidationConfiguration.PSObject.Properties.Remove('MinimumBackupSizeMB')
    Set-Content -LiteralPath $configPath -Value ($cfg | ConvertTo-Json -Depth 20) -Encoding UTF8
    Get-Module AlteryxBackup | Remove-Module -Force
    Import-Module $ModuleManifest -Force
    Add-Type -AssemblyName System.IO.Compression
    Add-Type -AssemblyName System.IO.Compression.FileSystem
}

AfterAll {
    Exit-SimHostSuite
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'ConfigOnly size floor with the default minimums' -Tag 'E2E' -Skip:(-not $e2eReady) {
    BeforeAll {
        $summary = Invoke-AlteryxBackup ConfigOnly -ConfigPath $configPath -WarningAction SilentlyContinue
    }

    It 'a default-configured ConfigOnly archive passes Test-BackupIntegrity' {
        $summary.ExitCode | Should -Be 0
        (Get-Item -LiteralPath $summary.ArchivePath).Length | Should -BeLessThan (0.1 * 1MB) -Because 'a ConfigOnly archive is tens of KB at most'
        $validation = Test-BackupIntegrity -ArchivePath $summary.ArchivePath -ConfigPath $configPath -ExpectedMode ConfigOnly
        $validation.OverallStatus | Should -BeTrue -Because (@($validation.ValidationErrors) -join ' | ')
        $validation.ArchiveValidation.MinimumSizeMB | Should -Be 0.005
        $LASTEXITCODE | Should -Be 0
    }

    It 'an archive missing Config/RuntimeSettings.xml fails it, naming the entry' {
        $copy = Join-Path $TestDrive ([System.IO.Path]::GetFileName($summary.ArchivePath))
        Copy-Item -LiteralPath $summary.ArchivePath -Destination $copy
        $zip = [System.IO.Compression.ZipFile]::Open($copy, [System.IO.Compression.ZipArchiveMode]::Update)
        try { $zip.GetEntry('Config/RuntimeSettings.xml').Delete() } finally { $zip.Dispose() }
        $validation = Test-BackupIntegrity -ArchivePath $copy -ConfigPath $configPath -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $validation.OverallStatus | Should -BeFalse
        @($validation.ValidationErrors | Where-Object { $_ -match 'required entry Config/RuntimeSettings\.xml is missing' }).Count | Should -Be 1 -Because (@($validation.ValidationErrors) -join ' | ')
        $LASTEXITCODE | Should -Not -Be 0
    }
}
