#!/usr/bin/env bash
# PatchCore (10% and 1% coresets) beside UniAD's quick and resnet18 presets, unified over the 5-category demo set at
# 224 pixels (400 training images, 130 test images), each run cold (its own feature cache), one after the other: wall
# time and peak memory of the whole `uniad train` process, and its mean row (image AUROC, pixel AUROC, AUPRO among
# them). The resnet18 preset's 1000 epochs would take days on a CPU; it runs RESNET18_EPOCHS (default 10) here.
#   benchmarks/baselines.sh [work=/tmp/uniad-bench-baselines]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/uniad-bench-baselines}
dotnet build -c Release -v q -nologo src/UniAD.Cli >/dev/null
uniad=src/UniAD.Cli/bin/Release/net10.0/uniad
[ -d "$work/demo" ] || $uniad demo-data --out "$work/demo" --image-size 224 --train 80 --test-good 10 --test-defect 5 \
  --categories fabric wood tile bottle_cap nut >/dev/null
run() {
  local name=$1; shift
  rm -rf "${work:?}/$name"
  /usr/bin/time -f "$name: %e s wall, %M KB peak" $uniad train --data "$work/demo" --out "$work/$name" "$@" > "$work/$name.log" 2>&1
  tail -1 "$work/$name.log"
  grep '│ category' "$work/$name.log" | tail -1
  grep '│ mean' "$work/$name.log" | tail -1
}
run patchcore-10 --method patchcore
run patchcore-1 --method patchcore --set patchcore.coreset_fraction=0.01
run uniad-quick --preset quick
run uniad-resnet18 --preset resnet18 --epochs "${RESNET18_EPOCHS:-10}"
