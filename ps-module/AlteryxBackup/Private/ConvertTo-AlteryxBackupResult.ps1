# Output shaping for the contract cmdlets (docs/output-types.md): every output is a
# System.Collections.Hashtable with the type names AlteryxBackup.<Thing> and
# AlteryxBackup.Result, one ScriptProperty per key (so views, Select-Object and
# Sort-Object see the keys) and a DefaultDisplayPropertySet in the order node sent.

# One getter per key name, shared by every result (creating script blocks is the slow part).
$script:ResultGetterCache = @{}

# Keys whose ISO 8601 strings become [datetime] (ConvertFrom-Json does this in 7, not in 5.1).
$script:ResultDatePattern = '(Time|Timestamp|At|Date)$'

# Numbers by key, as the data model types them (JSON cannot tell 12 from 12.0, and
# ConvertFrom-Json picks Int32/Int64/Decimal/Double by value and edition):
#   *Bytes, AvailableSpaceMB, RequiredSpaceMB                       -> [long] always;
#   *SizeMB, *SizeGB, *Ratio, SpaceFreedMB (ArchiveSizeMB, ...)     -> [double] always;
#   any other whole number -> [int] when it fits, else [long]; other fractions [double].
$script:ResultLongPattern = '(Bytes|^AvailableSpaceMB|^RequiredSpaceMB)$'
$script:ResultDoublePattern = '(SizeMB|SizeGB|Ratio|^SpaceFreedMB)$'

function ConvertTo-AlteryxBackupResult {
    <#
    .SYNOPSIS
    Turns node's result data (objects from ConvertFrom-Json) into decorated hashtables.

    .PARAMETER InputObject
    The data: a PSCustomObject, a dictionary, or an array of them.

    .PARAMETER TypeName
    Thing in AlteryxBackup.<Thing> for the top-level object.

    .PARAMETER NestedType
    Property name to Thing for nested objects under it (arrays: each item;
    a key ending with '.*': each value of that dictionary).

    .PARAMETER LegacyTypeName
    An older type name kept after AlteryxBackup.Result (e.g. AlteryxBackup.Test-BackupIntegrity.Result).
    #>
    [CmdletBinding()]
    param(
        [Parameter(ValueFromPipeline = $true)]
        [AllowNull()]
        [object]$InputObject,

        [Parameter(Mandatory = $true)]
        [string]$TypeName,

        [System.Collections.IDictionary]$NestedType = @{},

        [string]$LegacyTypeName
    )
    process {
        if ($null -eq $InputObject) { return }
        # Several results (node sent an array): one output object each, as the bridge writes them.
        $items = @($InputObject)
        if ($InputObject -is [System.Collections.IDictionary] -or $InputObject -is [System.Management.Automation.PSCustomObject]) { $items = @(, $InputObject) }
        foreach ($item in $items) {
            ConvertTo-AlteryxBackupResultValue -Value $item -TypeName $TypeName -NestedType $NestedType -LegacyTypeName $LegacyTypeName -Top
        }
    }
}

# Recursive worker (a plain function: it runs once per value).
function ConvertTo-AlteryxBackupResultValue {
    param([object]$Value, [string]$TypeName, [System.Collections.IDictionary]$NestedType, [string]$LegacyTypeName, [string]$Key, [switch]$Top)

    if ($null -eq $Value) { return $null }
    if ($Value -is [System.Management.Automation.PSObject] -and -not ($Value -is [System.Management.Automation.PSCustomObject])) { $Value = $Value.PSObject.BaseObject }
    if ($Value -is [string]) {
        if (-not [string]::IsNullOrEmpty($Key) -and $Key -match $script:ResultDatePattern -and $Value -match '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}') {
            try { return [datetime]::Parse($Value, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind) } catch { return $Value }
        }
        return $Value
    }
    $isWhole = $Value -is [long] -or $Value -is [int] -or $Value -is [int16] -or $Value -is [byte] -or $Value -is [sbyte] -or $Value -is [uint16] -or $Value -is [uint32]
    $isFraction = $Value -is [double] -or $Value -is [decimal] -or $Value -is [single]
    if ($isWhole -or $isFraction) {
        if (-not [string]::IsNullOrEmpty($Key)) {
            if ($Key -match $script:ResultDoublePattern) { return [double]$Value }
            if ($isWhole -and $Key -match $script:ResultLongPattern) { return [long]$Value }
        }
        if ($isFraction) { return [double]$Value }
        # ConvertFrom-Json gives Int64 in 7 and Int32 in 5.1: the data model's [int] in both.
        if ($Value -ge [int]::MinValue -and $Value -le [int]::MaxValue) { return [int]$Value }
        return [long]$Value
    }
    if ($Value -is [System.Security.SecureString] -or $Value -is [datetime] -or $Value -is [ValueType]) { return $Value }

    $isDictionary = $Value -is [System.Collections.IDictionary]
    if ($Value -is [System.Management.Automation.PSCustomObject] -or $isDictionary) {
        $keys = New-Object System.Collections.Generic.List[string]
        $table = @{}
        if ($isDictionary) {
            foreach ($k in @($Value.Keys)) { $keys.Add([string]$k); $table[[string]$k] = $Value[$k] }
        }
        else {
            foreach ($p in $Value.PSObject.Properties) { $keys.Add($p.Name); $table[$p.Name] = $p.Value }
        }
        $result = @{}
        foreach ($k in $keys) {
            $childType = $null
            if ($NestedType.Contains($k)) { $childType = $NestedType[$k] }
            $eachValueType = $null
            if ($NestedType.Contains("$k.*")) { $eachValueType = $NestedType["$k.*"] }
            $child = $table[$k]
            if ($null -ne $eachValueType -and $null -ne $child) {
                # A dictionary keyed by data (e.g. DestinationResults keyed by destination): each value is a Thing.
                $inner = @{}
                $innerKeys = @()
                if ($child -is [System.Collections.IDictionary]) { $innerKeys = @($child.Keys) } else { $innerKeys = @($child.PSObject.Properties | ForEach-Object { $_.Name }) }
                foreach ($ik in $innerKeys) {
                    $iv = $null
                    if ($child -is [System.Collections.IDictionary]) { $iv = $child[$ik] } else { $iv = $child.PSObject.Properties[$ik].Value }
                    $inner[$ik] = ConvertTo-AlteryxBackupResultValue -Value $iv -TypeName $eachValueType -NestedType $NestedType -Key $ik
                }
                $result[$k] = $inner
            }
            elseif ($null -ne $childType) {
                $result[$k] = ConvertTo-AlteryxBackupResultValue -Value $child -TypeName $childType -NestedType $NestedType -Key $k
            }
            else {
                $result[$k] = ConvertTo-AlteryxBackupResultValue -Value $child -TypeName '' -NestedType $NestedType -Key $k
            }
        }
        if (-not [string]::IsNullOrEmpty($TypeName)) {
            Add-AlteryxBackupResultType -Table $result -TypeName $TypeName -Keys $keys.ToArray() -LegacyTypeName $LegacyTypeName
        }
        return $result
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = New-Object System.Collections.Generic.List[object]
        foreach ($item in $Value) { $items.Add((ConvertTo-AlteryxBackupResultValue -Value $item -TypeName $TypeName -NestedType $NestedType -Key $Key)) }
        return , $items.ToArray()
    }
    return $Value
}

function Add-AlteryxBackupResultType {
    <#
    .SYNOPSIS
    Decorates a hashtable as an AlteryxBackup output (type names, key properties, display set).
    #>
    param(
        [Parameter(Mandatory = $true)] [hashtable]$Table,
        [Parameter(Mandatory = $true)] [string]$TypeName,
        [string[]]$Keys,
        [string]$LegacyTypeName
    )
    if ($null -eq $Keys -or $Keys.Count -eq 0) { $Keys = @($Table.Keys | ForEach-Object { [string]$_ } | Sort-Object) }
    $names = $Table.PSObject.TypeNames
    if (-not [string]::IsNullOrEmpty($LegacyTypeName)) { $names.Insert(0, $LegacyTypeName) }
    $names.Insert(0, 'AlteryxBackup.Result')
    $names.Insert(0, "AlteryxBackup.$TypeName")
    foreach ($k in $Keys) {
        if ($null -ne $Table.PSObject.Properties[$k]) { continue }
        $getter = $script:ResultGetterCache[$k]
        if ($null -eq $getter) {
            # An array value comes back as the array, even with one item or none (a bare
            # `$this['k']` would unroll a one-item array to the item, so $r.Phases[0] indexed a hashtable).
            $getter = [scriptblock]::Create("`$v = `$this['" + ($k -replace "'", "''") + "']; if (`$v -is [array]) { , `$v } else { `$v }")
            $script:ResultGetterCache[$k] = $getter
        }
        $Table.PSObject.Properties.Add((New-Object System.Management.Automation.PSScriptProperty $k, $getter))
    }
    $set = New-Object System.Management.Automation.PSPropertySet 'DefaultDisplayPropertySet', ([string[]]$Keys)
    $Table.PSObject.Members.Add((New-Object System.Management.Automation.PSMemberSet 'PSStandardMembers', ([System.Management.Automation.PSMemberInfo[]]@($set))))
}

function ConvertTo-AlteryxBackupRequestValue {
    <#
    .SYNOPSIS
    A JSON-safe copy of a hashtable parameter (BackupConfig, BackupState, MultiNodeInfo, ...).

    .DESCRIPTION
    SecureString and PSCredential values are dropped (secrets never go into
    parameters); dates become ISO 8601 strings (ConvertTo-Json in 5.1 would
    write \/Date(...)\/); dictionaries become ordered dictionaries and
    PSCustomObjects are treated like them.
    #>
    param([object]$Value, [int]$Depth = 0)
    if ($null -eq $Value) { return $null }
    if ($Depth -gt 12) { return $null }
    if ($Value -is [System.Management.Automation.PSObject] -and -not ($Value -is [System.Management.Automation.PSCustomObject])) { $Value = $Value.PSObject.BaseObject }
    if ($Value -is [System.Security.SecureString] -or $Value -is [System.Management.Automation.PSCredential]) { return $null }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('o', [System.Globalization.CultureInfo]::InvariantCulture) }
    if ($Value -is [datetimeoffset]) { return $Value.UtcDateTime.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture) }
    if ($Value -is [guid] -or $Value -is [enum] -or $Value -is [System.IO.FileSystemInfo]) { return [string]$Value }
    if ($Value -is [string] -or $Value -is [ValueType]) { return $Value }
    if ($Value -is [System.Collections.IDictionary]) {
        $copy = [ordered]@{}
        foreach ($k in @($Value.Keys)) { $copy[[string]$k] = ConvertTo-AlteryxBackupRequestValue -Value $Value[$k] -Depth ($Depth + 1) }
        return $copy
    }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $copy = [ordered]@{}
        foreach ($p in $Value.PSObject.Properties) { $copy[$p.Name] = ConvertTo-AlteryxBackupRequestValue -Value $p.Value -Depth ($Depth + 1) }
        return $copy
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = New-Object System.Collections.Generic.List[object]
        foreach ($item in $Value) { $items.Add((ConvertTo-AlteryxBackupRequestValue -Value $item -Depth ($Depth + 1))) }
        return , $items.ToArray()
    }
    return [string]$Value
}

function Invoke-AlteryxBackupCommand {
    <#
    .SYNOPSIS
    Calls the bridge through this function's own PSCmdlet, so the public cmdlet can catch
    a failure, shape its partial result, and either rethrow it or (never-throw cmdlets)
    return it.

    .PARAMETER Command
    The cmdlet name sent to node.

    .PARAMETER BoundParameters
    Parameters for node (already mapped by the caller).

    .PARAMETER ExtraParameters
    More parameters, added after BoundParameters.

    .PARAMETER Secrets
    Secret name to SecureString or PSCredential.

    .PARAMETER CredentialFileSecret
    Secrets that may come from the configuration's credential files.

    .PARAMETER ConfigPath
    The configuration file; empty means the session's or the module default.

    .PARAMETER WhatIfRequest
    Ask node for its plan only.

    .PARAMETER NoServiceRepair
    Never run Repair-AlteryxBackupState if node dies.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string]$Command,
        [System.Collections.IDictionary]$BoundParameters = @{},
        [System.Collections.IDictionary]$ExtraParameters = @{},
        [System.Collections.IDictionary]$Secrets = @{},
        [string[]]$CredentialFileSecret = @(),
        [string]$ConfigPath,
        [switch]$WhatIfRequest,
        [switch]$NoServiceRepair
    )
    Invoke-AlteryxBackupNode -Command $Command -Cmdlet $PSCmdlet -BoundParameters $BoundParameters -ExtraParameters $ExtraParameters -Secrets $Secrets -CredentialFileSecret $CredentialFileSecret -ConfigPath $ConfigPath -WhatIfRequest:$WhatIfRequest -NoServiceRepair:$NoServiceRepair
}

function Resolve-AlteryxBackupFailure {
    <#
    .SYNOPSIS
    Finishes a failed contract call: shapes the partial result, then rethrows through the
    public cmdlet (same ErrorId, category, exit code) or, for the never-throw cmdlets,
    writes the message as a warning and returns the failed result.

    .PARAMETER ErrorRecord
    What Invoke-AlteryxBackupCommand threw.

    .PARAMETER Cmdlet
    The public cmdlet's $PSCmdlet.

    .PARAMETER TypeName
    Thing of the result.

    .PARAMETER NestedType
    As for ConvertTo-AlteryxBackupResult.

    .PARAMETER NoThrow
    Return the failed result instead of throwing.

    .PARAMETER Fallback
    The failed result to return when node sent none (e.g. node was not found).
    #>
    param(
        [Parameter(Mandatory = $true)] [System.Management.Automation.ErrorRecord]$ErrorRecord,
        [Parameter(Mandatory = $true)] [System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory = $true)] [string]$TypeName,
        [System.Collections.IDictionary]$NestedType = @{},
        [switch]$NoThrow,
        [System.Collections.IDictionary]$Fallback
    )
    $code = [string]$ErrorRecord.Exception.Data['Code']
    if ([string]::IsNullOrEmpty($code)) { $code = ([string]$ErrorRecord.FullyQualifiedErrorId).Split(',')[0] }
    $target = $null
    if ($null -ne $ErrorRecord.TargetObject -and ($ErrorRecord.TargetObject -is [System.Management.Automation.PSCustomObject] -or $ErrorRecord.TargetObject -is [System.Collections.IDictionary])) {
        $target = ConvertTo-AlteryxBackupResult -InputObject $ErrorRecord.TargetObject -TypeName $TypeName -NestedType $NestedType
    }
    if ($NoThrow) {
        Write-Warning $ErrorRecord.Exception.Message
        if ($null -eq $target -and $null -ne $Fallback) {
            $target = ConvertTo-AlteryxBackupResult -InputObject $Fallback -TypeName $TypeName -NestedType $NestedType
        }
        return $target
    }
    if ($null -eq $target) { $target = $ErrorRecord.TargetObject }
    $record = New-Object System.Management.Automation.ErrorRecord $ErrorRecord.Exception, $code, $ErrorRecord.CategoryInfo.Category, $target
    $Cmdlet.ThrowTerminatingError($record)
}

function ConvertTo-AlteryxBackupSecureString {
    <#
    .SYNOPSIS
    A read-only SecureString of a secret read from a file node wrote (Export-ControllerSettings).

    .PARAMETER Text
    The secret.
    #>
    param([string]$Text)
    if ([string]::IsNullOrEmpty($Text)) { return $null }
    $secure = New-Object System.Security.SecureString
    foreach ($ch in $Text.ToCharArray()) { $secure.AppendChar($ch) }
    $secure.MakeReadOnly()
    return $secure
}
