#!/usr/bin/env bash
# Does caching backbone features in fp16 (the default) move the metrics? The same run twice, fp16 and fp32
# caches, same data, seed and budget. Usage: benchmarks/feature-cache-precision.sh [WORK_DIR] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/uniad-bench}; epochs=${2:-20}
dotnet build -c Release src/UniAD.Cli >/dev/null
uniad=src/UniAD.Cli/bin/Release/net10.0/uniad
[ -d "$work/demo" ] || $uniad demo-data --out "$work/demo" --image-size 256 --train 40 --test-good 10 --test-defect 5 --seed 0
for half in true false; do
  rm -rf "$work/cache-half-$half"
  /usr/bin/time -f "cache_features_half=$half: %e s wall, %M KB peak" \
    $uniad train --data "$work/demo" --out "$work/cache-half-$half" --preset quick --epochs "$epochs" \
      --set training.cache_features_half=$half --feature-cache "$work/feature-cache"
done
for half in true false; do echo "== cache_features_half=$half"; tail -1 "$work/cache-half-$half/results.csv"; tail -1 "$work/cache-half-$half/history.csv"; done
ls -la "$work/feature-cache"
