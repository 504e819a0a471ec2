#!/usr/bin/env bash
# The paper's CIFAR-10 protocol (5 normal classes, the rest anomalous; image score = mean of the map), all four
# splits, in a CPU budget: a fixed subset of the images, 128-pixel input (8x8 tokens), a narrower transformer
# (hidden 128, feed-forward 512), few epochs. Everything else is the paper's CIFAR config on ResNet-18.
# Usage: benchmarks/cifar10-cpu.sh [WORK_DIR] [EPOCHS] [TRAIN_PER_CLASS] [TEST_PER_CLASS] [more uniad train options]
# The full protocol (a GPU job): benchmarks/cifar10-cpu.sh DIR 1000 5000 1000 --set backbone.input_size=[224,224] \
#   --set model.hidden_dim=256 --set model.feed_forward_dim=1024     (later --set options win)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/uniad-cifar}; epochs=${2:-10}; train=${3:-100}; test=${4:-100}; shift $(( $# < 4 ? $# : 4 ))
dotnet build -c Release src/UniAD.Cli >/dev/null
uniad=src/UniAD.Cli/bin/Release/net10.0/uniad
mkdir -p "$work"
[ -d "$work/cifar10" ] || { mkdir -p "$work/cifar10"; tar xzf ../shared/data/cifar10-jpeg.tar.gz -C "$work/cifar10"; }
data=$work/cifar10; [ -d "$data/train" ] || data=$(dirname "$(find "$work/cifar10" -maxdepth 3 -type d -name train | head -1)")
for split in 01234 56789 02468 13579; do
  rm -rf "$work/split-$split"
  /usr/bin/time -f "split $split: %e s wall, %M KB peak" \
    $uniad train --data "$data" --normal-classes "$split" \
      --train-per-class "$train" --test-per-class "$test" --out "$work/split-$split" \
      --preset cifar-resnet18 --set backbone.input_size=[128,128] --set model.hidden_dim=128 --set model.feed_forward_dim=512 \
      --epochs "$epochs" --feature-cache "$work/feature-cache" "$@"
done
for split in 01234 56789 02468 13579; do echo "== $split"; cat "$work/split-$split/results.csv"; done
