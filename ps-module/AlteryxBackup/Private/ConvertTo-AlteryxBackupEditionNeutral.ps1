function ConvertTo-AlteryxBackupEditionNeutral {
    <#
    .SYNOPSIS
    Gives the core's JSON result the same .NET types on Windows PowerShell 5.1 and PowerShell 7.

    .DESCRIPTION
    ConvertFrom-Json differs between the editions: PowerShell 7 (Newtonsoft)
    turns ISO-8601 date strings into [datetime] and numbers into Int64/Double;
    Windows PowerShell 5.1 (JavaScriptSerializer) leaves dates as strings and
    returns Int32/Decimal. This walks the result (objects, arrays, nested) and
    converts explicitly, with a type test on every value, so that both editions
    give the same output:
      string that is an ISO-8601 date-time (yyyy-MM-ddTHH:mm:ss[.fff](Z|+hh:mm))
                       -> [datetime], parsed RoundtripKind (as PowerShell 7 does);
      Int16/Int32/Int64/Byte/SByte/UInt16/UInt32 -> [long];
      Decimal/Single/Double                      -> [double].
    Everything else is returned unchanged. Objects are converted in place.

    .PARAMETER Value
    The parsed result data.

    .OUTPUTS
    The converted value.
    #>
    [CmdletBinding()]
    param([AllowNull()] $Value)

    if ($null -eq $Value) { return $null }
    if ($Value -is [string]) {
        if ($Value.Length -ge 20 -and $Value.Length -le 40 -and $Value -match $script:IsoDateTimePattern) {
            return [datetime]::Parse($Value, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind)
        }
        return $Value
    }
    if ($Value -is [datetime] -or $Value -is [bool] -or $Value -is [long] -or $Value -is [double]) { return $Value }
    if ($Value -is [int] -or $Value -is [int16] -or $Value -is [byte] -or $Value -is [sbyte] -or $Value -is [uint16] -or $Value -is [uint32]) { return [long]$Value }
    if ($Value -is [decimal] -or $Value -is [single]) { return [double]$Value }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        foreach ($property in @($Value.PSObject.Properties)) {
            $property.Value = ConvertTo-AlteryxBackupEditionNeutral -Value $property.Value
        }
        return $Value
    }
    if ($Value -is [System.Collections.IList]) {
        $items = New-Object object[] $Value.Count
        for ($i = 0; $i -lt $Value.Count; $i++) { $items[$i] = ConvertTo-AlteryxBackupEditionNeutral -Value $Value[$i] }
        return , $items
    }
    return $Value
}

# yyyy-MM-ddTHH:mm:ss, optional fraction, then Z or an offset: what the core writes (Date.toISOString()).
$script:IsoDateTimePattern = '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$'
