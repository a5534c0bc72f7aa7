#!/usr/bin/env bash
# Installs the test toolchain into project-local, git-ignored folders:
#   .tools/pwsh    PowerShell 7.6.9 (dotnet global tool, --tool-path)
#   .tools/pester  Pester 5.9.1 (NuGet package, via a throwaway project)
# Idempotent: does nothing when both are already present.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"

if [ ! -x "$tools/pwsh/pwsh" ]; then
  echo "[install-tools] installing PowerShell 7.6.9 into $tools/pwsh"
  dotnet tool install --tool-path "$tools/pwsh" PowerShell --version 7.6.9 >/dev/null
fi

pester_psd1="$(find "$tools/pester" -name Pester.psd1 -path '*5.9.1*' 2>/dev/null | head -n 1 || true)"
if [ -z "$pester_psd1" ]; then
  echo "[install-tools] installing Pester 5.9.1 into $tools/pester"
  proj="$(mktemp -d)"
  cat > "$proj/fetch.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[5.9.1]" /></ItemGroup>
</Project>
XML
  dotnet restore "$proj/fetch.csproj" --packages "$tools/pester" >/dev/null
  rm -rf "$proj"
  pester_psd1="$(find "$tools/pester" -name Pester.psd1 -path '*5.9.1*' | head -n 1)"
fi
[ -n "$pester_psd1" ] || { echo "[install-tools] Pester.psd1 not found after install" >&2; exit 1; }
echo "[install-tools] pwsh: $tools/pwsh/pwsh"
echo "[install-tools] pester: $pester_psd1"
