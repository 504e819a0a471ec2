#!/usr/bin/env bash
# Full UniAD vs the paper's "vanilla" transformer (no neighbor mask, no jitter, no layer-wise queries), one
# unified model over all demo categories, same data, seed and training budget.
# Usage: benchmarks/demo-ablation.sh [WORK_DIR] [EPOCHS]     (defaults: /tmp/uniad-bench, 60)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/uniad-bench}; epochs=${2:-60}
dotnet build -c Release src/UniAD.Cli >/dev/null
uniad=src/UniAD.Cli/bin/Release/net10.0/uniad
mkdir -p "$work"
[ -d "$work/demo" ] || $uniad demo-data --out "$work/demo" --image-size 256 --train 40 --test-good 10 --test-defect 5 --seed 0
for variant in full vanilla; do
  overrides=()
  [ $variant = vanilla ] && overrides=(--set model.queries=none --set model.neighbor_mask.enabled=false --set model.feature_jitter.enabled=false)
  rm -rf "$work/$variant"
  /usr/bin/time -f "$variant: %e s wall, %M KB peak" \
    $uniad train --data "$work/demo" --out "$work/$variant" --preset quick --epochs "$epochs" \
      --feature-cache "$work/feature-cache" "${overrides[@]}"
done
for variant in full vanilla; do echo "== $variant"; cat "$work/$variant/results.csv"; done
