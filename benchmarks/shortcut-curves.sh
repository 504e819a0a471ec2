#!/usr/bin/env bash
# Test metrics over training, full UniAD vs the vanilla transformer, to see whether vanilla falls into the paper's
# "identical shortcut" (its test AUROC peaks, then falls while its training loss keeps dropping, and its identity
# pass-through, the share of a changed input token it copies into its reconstruction, climbs towards 1). Both variants train
# at the same time, one CPU thread each, on the demo set's hardest categories; the test set is evaluated every
# 10 epochs (training.evaluate_every_epochs, the official val_freq_epoch).
# Usage: benchmarks/shortcut-curves.sh [WORK_DIR] [EPOCHS] [CATEGORIES] [EXTRA --set ...]
#        (defaults: /tmp/uniad-shortcut, 160, mesh,screw,fabric,leather)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/uniad-shortcut}; epochs=${2:-160}; categories=${3:-mesh,screw,fabric,leather}; shift $(( $# < 3 ? $# : 3 ))
dotnet build -c Release src/UniAD.Cli >/dev/null
uniad=src/UniAD.Cli/bin/Release/net10.0/uniad
mkdir -p "$work"
[ -d "$work/demo" ] || $uniad demo-data --out "$work/demo" --image-size 256 --train 40 --test-good 10 --test-defect 5 --seed 0
# Features once, so the two runs below do not extract them at the same time.
$uniad train --data "$work/demo" --categories "$categories" --out "$work/warm-cache" --preset quick --epochs 1 \
  --feature-cache "$work/feature-cache" >/dev/null && rm -rf "$work/warm-cache"
for variant in full vanilla; do
  overrides=()
  [ $variant = vanilla ] && overrides=(--set model.queries=none --set model.neighbor_mask.enabled=false --set model.feature_jitter.enabled=false)
  rm -rf "$work/$variant"
  OMP_NUM_THREADS=1 /usr/bin/time -f "$variant: %e s wall, %M KB peak" \
    $uniad train --data "$work/demo" --categories "$categories" --out "$work/$variant" --preset quick --epochs "$epochs" \
      --batch-size 8 --set training.evaluate_every_epochs=10 --feature-cache "$work/feature-cache" "${overrides[@]}" "$@" \
      > "$work/$variant.log" 2>&1 &
done
wait
for variant in full vanilla; do
  echo "== $variant: epoch, mean image AUROC, mean pixel AUROC, identity pass-through (evaluations.csv), loss (history.csv)"
  join -t, <(awk -F, '$2=="mean"{print $1","$5","$8","$12}' "$work/$variant/evaluations.csv" | sort -t, -k1,1) \
           <(tail -n +2 "$work/$variant/history.csv" | cut -d, -f1,2 | sort -t, -k1,1) | sort -t, -n -k1,1
  tail -n 1 "$work/$variant.log"
done
