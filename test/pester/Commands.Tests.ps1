# The cmdlet contract: Invoke-AlteryxBackup's parameters as issue 2 specifies them,
# and ps-module/AlteryxBackup/COMMANDS.md (the lead's list of what node receives)
# in step with the cmdlets.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $commandCases = @((Import-PowerShellDataFile -LiteralPath $ModuleManifest).FunctionsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModuleManifest -Force
    $common = @([System.Management.Automation.PSCmdlet]::CommonParameters) + @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters)
    $commandsDoc = Get-Content -LiteralPath (Join-Path $ModuleFolder 'COMMANDS.md') -Raw
    function Get-DocumentedParameter {
        param([string]$Name)
        $section = [regex]::Match($commandsDoc, '(?s)### `' + [regex]::Escape($Name) + '`(.*?)(?=### `|$)').Groups[1].Value
        @([regex]::Matches($section, '(?m)^\| (\w+) \|') | ForEach-Object { $_.Groups[1].Value } | Where-Object { $_ -ne 'Parameter' })
    }
}

Describe 'Invoke-AlteryxBackup parameters (issue 2, section 4)' {
    BeforeAll { $cmd = Get-Command Invoke-AlteryxBackup }

    It 'has exactly the specified parameters' {
        @($cmd.Parameters.Keys | Where-Object { $common -notcontains $_ } | Sort-Object) | Should -Be @(
            'BackupMode', 'ConfigPath', 'LocalBackupPath', 'LogDirectory', 'MaxServiceWait', 'MongoDBType', 'MongoPassword',
            'NetworkBackupPath', 'RetentionDays', 'SmtpCredential', 'StopServiceForExternalDB', 'TempDirectory')
    }

    It 'validates -BackupMode with a set, at position 0, with no default' {
        $p = $cmd.Parameters['BackupMode']
        $set = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        @($set.ValidValues) | Should -Be @('Full', 'DatabaseOnly', 'ConfigOnly')
        ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }).Position | Should -Be 0
        $ast = (Get-Command Invoke-AlteryxBackup).ScriptBlock.Ast
        $param = $ast.Body.ParamBlock.Parameters | Where-Object { $_.Name.VariablePath.UserPath -eq 'BackupMode' }
        $param.DefaultValue | Should -BeNullOrEmpty
    }

    It 'has the specified types' {
        $cmd.Parameters['NetworkBackupPath'].ParameterType | Should -Be ([string[]])
        $cmd.Parameters['MongoPassword'].ParameterType | Should -Be ([securestring])
        $cmd.Parameters['SmtpCredential'].ParameterType | Should -Be ([pscredential])
        $cmd.Parameters['StopServiceForExternalDB'].ParameterType | Should -Be ([switch])
        $cmd.Parameters['RetentionDays'].ParameterType | Should -Be ([int])
        $cmd.Parameters['MaxServiceWait'].ParameterType | Should -Be ([int])
    }

    It 'limits -RetentionDays to 1..3650 and -MongoDBType to auto, embedded, self-managed' {
        $range = $cmd.Parameters['RetentionDays'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateRangeAttribute] }
        $range.MinRange | Should -Be 1
        $range.MaxRange | Should -Be 3650
        $set = $cmd.Parameters['MongoDBType'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        @($set.ValidValues) | Should -Be @('auto', 'embedded', 'self-managed')
    }

    It 'supports -WhatIf and -Confirm' {
        $cmd.Parameters.Keys | Should -Contain 'WhatIf'
        $cmd.Parameters.Keys | Should -Contain 'Confirm'
        (Get-Command Remove-OldBackups).Parameters.Keys | Should -Contain 'WhatIf'
    }
}

Describe 'Other cmdlet contracts' {
    It 'Test-BackupIntegrity takes a mandatory ArchivePath from the pipeline by property name' {
        $p = (Get-Command Test-BackupIntegrity).Parameters['ArchivePath']
        $attr = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
        $attr.Mandatory | Should -BeTrue
        $attr.ValueFromPipelineByPropertyName | Should -BeTrue
        (Get-Command Test-BackupIntegrity).Parameters.Keys | Should -Contain 'ExpectedMode'
    }

    It 'Compress-BackupArchive takes the specified parameters with CompressionLevel defaulting to Optimal' {
        $cmd = Get-Command Compress-BackupArchive
        foreach ($name in @('SourcePath', 'DestinationPath', 'BackupMode', 'CompressionLevel', 'CalculateChecksum')) { $cmd.Parameters.Keys | Should -Contain $name }
        $set = $cmd.Parameters['CompressionLevel'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        @($set.ValidValues) | Should -Be @('Optimal', 'Fastest', 'NoCompression')
        (Get-Help Compress-BackupArchive -Parameter CompressionLevel).defaultValue | Should -Be 'Optimal'
    }

    It 'Remove-OldBackups takes -Path as string[] and -RetentionDays' {
        $cmd = Get-Command Remove-OldBackups
        $cmd.Parameters['Path'].ParameterType | Should -Be ([string[]])
        $cmd.Parameters.Keys | Should -Contain 'RetentionDays'
    }
}

Describe 'COMMANDS.md lists the parameters of <Name>' -ForEach $commandCases {
    It 'documents exactly the cmdlet''s parameters' {
        $actual = @((Get-Command $Name).Parameters.Keys | Where-Object { $common -notcontains $_ } | Sort-Object)
        @(Get-DocumentedParameter -Name $Name | Sort-Object) | Should -Be $actual
    }
}
