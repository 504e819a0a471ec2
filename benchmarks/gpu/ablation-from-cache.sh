#!/bin/bash
# Full vs vanilla UniAD on the demo set, 200 epochs each, on a GPU machine with PyTorch but no .NET, from cached
# features (the backbone is never loaded). Usage: ablation-from-cache.sh BUNDLE.tar.xz DEMO.tar CACHE_DIR
# (bundle: make-bundle.sh, then xz; DEMO.tar keeps the files' times, which the cache keys include.)
set -u
mkdir -p /tmp/u && tar xJf "$1" -C /tmp/u && tar xf "$2" -C /tmp/u
export DOTNET_ROOT=/tmp/u/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1
export LD_LIBRARY_PATH=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
U="/tmp/u/dotnet/dotnet /tmp/u/app/uniad.dll"
for variant in full vanilla; do
  o=""; [ $variant = vanilla ] && o="--set model.queries=none --set model.neighbor_mask.enabled=false --set model.feature_jitter.enabled=false"
  start=$(date +%s)
  $U train --data /tmp/u/demo --out /tmp/u/$variant --preset quick --epochs 200 --device cuda --feature-cache "$3" $o 2>&1 | grep -E "epoch (1|50|100|150|200)/|error|features" 
  echo "$variant: $(( $(date +%s) - start )) s"
  cp /tmp/u/$variant/results.csv ${OUT:-/tmp/u}/$variant-results.csv 2>/dev/null; cp /tmp/u/$variant/history.csv ${OUT:-/tmp/u}/$variant-history.csv 2>/dev/null
  tail -1 /tmp/u/$variant/results.csv 2>/dev/null
done
