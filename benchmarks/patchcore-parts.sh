#!/usr/bin/env bash
# PatchCore's steps timed on real ResNet-18 patch features: a demo dataset of 5 categories × 80 training images at 224
# pixels (400 training images, 313,600 patches), the coreset at a fraction (pruned greedy; plain greedy for its first
# picks, same picks checked), and nearest-neighbour scoring against a matrix product of the same size.
#   benchmarks/patchcore-parts.sh [work=/tmp/uniad-bench-patchcore] [fraction=0.1]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/uniad-bench-patchcore}
fraction=${2:-0.1}
for project in src/UniAD.Cli benchmarks/PatchCoreParts; do dotnet build -c Release -v q -nologo "$project" >/dev/null; done
[ -d "$work/demo" ] || src/UniAD.Cli/bin/Release/net10.0/uniad demo-data --out "$work/demo" --image-size 224 --train 80 \
  --test-good 10 --test-defect 5 --categories fabric wood tile bottle_cap nut
/usr/bin/time -f "%e s wall, %M KB peak" dotnet run -c Release --no-build --project benchmarks/PatchCoreParts -- "$work/demo" "$fraction"
