#!/usr/bin/env bash
# Time of one dataset upload to a running lab over its HTTP endpoint (POST /api/uploads, the path the
# Datasets page uses). Usage: benchmarks/upload-speed.sh ZIP
set -euo pipefail
cd "$(dirname "$0")/.."
zip=$(realpath "$1")
data=$(mktemp -d)
dotnet build -c Release src/UniAD.Lab.Web >/dev/null
Lab__DataRoot="$data" dotnet src/UniAD.Lab.Web/bin/Release/net10.0/UniAD.Lab.Web.dll --urls http://127.0.0.1:5099 >/dev/null 2>&1 &
lab=$!
trap 'kill $lab; rm -rf "$data"' EXIT
until curl -sf -o /dev/null http://127.0.0.1:5099/; do sleep 1; done
echo "$(stat -c %s "$zip") bytes: $(curl -s -o /dev/null -w '%{time_total}' --data-binary @"$zip" http://127.0.0.1:5099/api/uploads) s"
