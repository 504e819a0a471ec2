#!/usr/bin/env bash
# The test command: ./test.sh [dotnet test options, e.g. --filter FullyQualifiedName~Compare]
# The tests use real parts a fresh Debian 12 machine lacks: Debian's chromium (browser tests), python3 with sklearn,
# scipy and numpy (independent reference values), PyTorch (the other side of the official checkpoint formats) and
# PostgreSQL (the tests start a server of their own on loopback).
# As root with apt, this installs those that are missing; otherwise it names the one command that does, and stops.
# Whoever has them can run `dotnet test UniAD.Lab.sln` directly; this script adds one summary line over all projects.
set -euo pipefail
cd "$(dirname "$0")"

packages=(chromium python3-numpy python3-scipy python3-sklearn python3-torch postgresql)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  install="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    $install -qq >/dev/null
  else
    echo "test.sh: the tests need Debian packages that are missing; install them with:" >&2
    echo "  sudo $install" >&2
    exit 2
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test UniAD.Lab.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One summary line over all test projects, in the plain "N passed, N failed" form.
awk '/(Passed|Failed)! +- +Failed:/ { gsub(/,/, ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
