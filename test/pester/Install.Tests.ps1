# Install-AlteryxBackup.ps1 from a release folder laid out like the bundle
# (AlteryxBackup\<version>\ with the module, the installer and config\). The
# full round trip from the real zip (build, extract, install, Import-Module by
# name, a Full backup) is test/integration/package/bundle.test.ts.
# icacls exists only on Windows: a global stand-in records its arguments.
# Syntax: https://learn.microsoft.com/windows-server/administration/windows-commands/icacls

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $version = ([regex]::Match((Get-Content -LiteralPath $ModuleManifest -Raw), "ModuleVersion\s*=\s*'([0-9.]+)'")).Groups[1].Value

    function New-ReleaseFolder {
        $release = Join-Path $TestDrive ('release-' + [guid]::NewGuid().ToString('N'))
        $versionDir = Join-Path (Join-Path $release 'AlteryxBackup') $version
        $null = New-Item -ItemType Directory -Path $versionDir
        Copy-Item -Path (Join-Path $ModuleFolder '*') -Destination $versionDir -Recurse
        Copy-Item -LiteralPath (Join-Path $RepoRoot (Join-Path 'ps-module' 'Install-AlteryxBackup.ps1')) -Destination $versionDir
        Copy-Item -LiteralPath (Join-Path $RepoRoot (Join-Path 'ps-module' 'Invoke-AlteryxBackup.ps1')) -Destination $versionDir
        $null = New-Item -ItemType Directory -Path (Join-Path $versionDir 'config')
        Copy-Item -LiteralPath (Join-Path $RepoRoot (Join-Path 'config' 'backup-config.example.json')) -Destination (Join-Path $versionDir 'config')
        Copy-Item -LiteralPath (Join-Path $RepoRoot (Join-Path 'config' 'backup-config.schema.json')) -Destination (Join-Path $versionDir 'config')
        return (Join-Path $versionDir 'Install-AlteryxBackup.ps1')
    }

    $global:IcaclsCalls = New-Object System.Collections.Generic.List[object]
    function global:icacls { $global:IcaclsCalls.Add(@($args)); $global:LASTEXITCODE = 0; 'processed file' }
}

AfterAll {
    Remove-Item -Path 'Function:\icacls' -ErrorAction SilentlyContinue
    Remove-Variable -Name IcaclsCalls -Scope Global -ErrorAction SilentlyContinue
    Get-Module AlteryxBackup | Remove-Module -Force
}

Describe 'Install-AlteryxBackup.ps1' {
    BeforeEach {
        $global:IcaclsCalls.Clear()
        $installer = New-ReleaseFolder
        $modules = Join-Path $TestDrive ('modules-' + [guid]::NewGuid().ToString('N'))
        $data = Join-Path $TestDrive ('data-' + [guid]::NewGuid().ToString('N'))
    }

    It 'copies the versioned folder, creates the data folder with the example configuration, and restricts it to Administrators and SYSTEM by SID' {
        $null = & $installer -ModulesPath $modules -DataPath $data -SkipPrerequisiteCheck 6>$null
        $target = Join-Path (Join-Path $modules 'AlteryxBackup') $version
        Test-Path -LiteralPath (Join-Path $target 'AlteryxBackup.psd1') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $target 'Invoke-AlteryxBackup.ps1') | Should -BeTrue
        $config = Join-Path $data 'backup-config.json'
        (Get-Content -LiteralPath $config -Raw) | Should -Be (Get-Content -LiteralPath (Join-Path $RepoRoot (Join-Path 'config' 'backup-config.example.json')) -Raw)
        $global:IcaclsCalls.Count | Should -Be 1
        $global:IcaclsCalls[0] | Should -Be @($data, '/inheritance:r', '/grant:r', '*S-1-5-32-544:(OI)(CI)F', '*S-1-5-18:(OI)(CI)F')
        @(Get-ChildItem -LiteralPath (Join-Path $modules 'AlteryxBackup') -Force | ForEach-Object Name) | Should -Be @($version)
    }

    It 'never overwrites an existing configuration (an upgrade keeps it)' {
        $null = New-Item -ItemType Directory -Path $data
        Set-Content -LiteralPath (Join-Path $data 'backup-config.json') -Value '{ "mine": true }'
        $null = & $installer -ModulesPath $modules -DataPath $data -SkipPrerequisiteCheck 6>$null
        (Get-Content -LiteralPath (Join-Path $data 'backup-config.json') -Raw).Trim() | Should -Be '{ "mine": true }'
    }

    It 'installs side by side: another version already there stays' {
        $old = Join-Path (Join-Path $modules 'AlteryxBackup') '0.9.0'
        $null = New-Item -ItemType Directory -Path $old -Force
        Set-Content -LiteralPath (Join-Path $old 'marker.txt') -Value 'old'
        $null = & $installer -ModulesPath $modules -DataPath $data -SkipPrerequisiteCheck 6>$null
        @(Get-ChildItem -LiteralPath (Join-Path $modules 'AlteryxBackup') | ForEach-Object Name | Sort-Object) | Should -Be @('0.9.0', $version)
        Test-Path -LiteralPath (Join-Path $old 'marker.txt') | Should -BeTrue
    }

    It '-WhatIf copies, creates and restricts nothing' {
        $null = & $installer -ModulesPath $modules -DataPath $data -WhatIf 6>$null
        Test-Path -LiteralPath $modules | Should -BeFalse
        Test-Path -LiteralPath $data | Should -BeFalse
        $global:IcaclsCalls.Count | Should -Be 0
    }

    It 'runs Test-AlteryxBackupPrerequisite from the installed module and returns its checklist' {
        $checks = @(& $installer -ModulesPath $modules -DataPath $data 6>$null 3>$null)
        @($checks | ForEach-Object Name) | Should -Contain 'Node.js'
        @($checks | ForEach-Object Name) | Should -Contain 'Configuration'
        (Get-Module AlteryxBackup).ModuleBase | Should -Be (Join-Path (Join-Path $modules 'AlteryxBackup') $version)
        Get-Module AlteryxBackup | Remove-Module -Force
    }

    It '-Uninstall removes this version only and leaves the configuration, credential files and backups' {
        $null = & $installer -ModulesPath $modules -DataPath $data -SkipPrerequisiteCheck 6>$null
        Set-Content -LiteralPath (Join-Path $data 'smtp.secret') -Value 'encrypted'
        $old = Join-Path (Join-Path $modules 'AlteryxBackup') '0.9.0'
        $null = New-Item -ItemType Directory -Path $old -Force
        $null = & $installer -ModulesPath $modules -DataPath $data -Uninstall 6>$null
        Test-Path -LiteralPath (Join-Path (Join-Path $modules 'AlteryxBackup') $version) | Should -BeFalse
        Test-Path -LiteralPath $old | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $data 'backup-config.json') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $data 'smtp.secret') | Should -BeTrue
    }

    It 'reinstalling the same version without -Force keeps the installed copy and warns' {
        $null = & $installer -ModulesPath $modules -DataPath $data -SkipPrerequisiteCheck 6>$null
        $marker = Join-Path (Join-Path (Join-Path $modules 'AlteryxBackup') $version) 'marker.txt'
        Set-Content -LiteralPath $marker -Value 'installed'
        $null = & $installer -ModulesPath $modules -DataPath $data -SkipPrerequisiteCheck -WarningVariable warned -WarningAction SilentlyContinue 6>$null
        $warned | Should -Match 'already installed'
        Test-Path -LiteralPath $marker | Should -BeTrue
        $null = & $installer -ModulesPath $modules -DataPath $data -SkipPrerequisiteCheck -Force 6>$null
        Test-Path -LiteralPath $marker | Should -BeFalse
    }
}
