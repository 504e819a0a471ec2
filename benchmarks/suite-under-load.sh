#!/usr/bin/env bash
# The whole test suite, several times in a row, on a fresh clone of this repository's HEAD while other processes keep
# every core busy: a check that no test depends on timing. Prints one line per pass and the totals.
#   benchmarks/suite-under-load.sh [passes=3] [busy-processes=nproc]
set -euo pipefail
passes=${1:-3}
busy=${2:-$(nproc)}
repo=$(cd "$(dirname "$0")/.." && pwd)
clone=$(mktemp -d /tmp/uniad-suite-XXXX)
git clone -q "$repo" "$clone/repo"
cd "$clone/repo"
echo "fresh clone of $(git rev-parse --short HEAD) in $clone/repo; $busy busy process(es) on $(nproc) core(s)"
dotnet build UniAD.Lab.sln -v q -nologo >/dev/null

hogs=()
for _ in $(seq "$busy"); do (while :; do :; done) & hogs+=($!); done
trap 'kill "${hogs[@]}" 2>/dev/null || true; rm -rf "$clone"' EXIT

failed=0
for pass in $(seq "$passes"); do
  start=$(date +%s)
  log="$clone/pass-$pass.log"
  set +e; dotnet test UniAD.Lab.sln --no-build >"$log" 2>&1; status=$?; set -e
  summary=$(awk '/(Passed|Failed)! +- +Failed:/ { gsub(/,/, ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
                 END { printf "%d passed, %d failed", p, f }' "$log")
  echo "pass $pass: exit $status, $summary, $(( $(date +%s) - start )) s"
  grep -E "^\s+Failed |\[FAIL\]" "$log" || true
  [ "$status" -eq 0 ] || failed=$((failed + 1))
done
echo "passes with a failure: $failed of $passes"
exit "$failed"
