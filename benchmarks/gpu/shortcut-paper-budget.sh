#!/usr/bin/env bash
# Full UniAD vs the vanilla transformer at the paper's token grid (224 input, 14×14 tokens, 7×7 neighbor mask) and
# batch (8), trained on a GPU for as many epochs as a lent session allows, with test AUROC and the identity
# pass-through every 25 epochs: does vanilla's pass-through climb towards 1 and its AUROC fall below full's?
# The GPU machine has PyTorch but no .NET and no backbone weights (ResNet18.onnx is 64 MB, over the 64 MiB that
# travels), so the features are computed here and carried, with the CLI bundle:
#   here:     benchmarks/gpu/shortcut-paper-budget.sh prepare .gpu-carry        (about 50 MB; .gpu-carry is git-ignored)
#   GPU:      benchmarks/gpu/shortcut-paper-budget.sh run .gpu-carry EPOCHS      (carry .gpu-carry; results in $OUT)
# The demo set is generated again there: generation is deterministic, so it imports as the same dataset version and
# the carried features (keyed by version) are found.
set -euo pipefail
mode=$1; carry=$(realpath -m "$2"); epochs=${3:-500}
categories=mesh,screw,fabric,leather
config=(--preset quick --set backbone.input_size=[224,224] --set model.neighbor_mask.size=[7,7] --set evaluation.avg_pool_kernel=16
        --batch-size 8 --set training.evaluate_every_epochs=25 --set training.checkpoint_every_epochs=25)
vanilla=(--set model.queries=none --set model.neighbor_mask.enabled=false --set model.feature_jitter.enabled=false)
demo() {  # $1: uniad command, $2: work folder; prints the stored version's folder
  $1 demo-data --out "$2/demo" --image-size 256 --train 40 --test-good 10 --test-defect 5 --seed 0 --categories ${categories//,/ } >/dev/null
  $1 dataset import "$2/demo" --name demo --store "$2/store" >/dev/null
  ls -d "$2"/store/demo/*/
}
case $mode in
prepare)
  cd "$(dirname "$0")/../.."
  mkdir -p "$carry" && work=$(mktemp -d)
  benchmarks/gpu/make-bundle.sh "$work/bundle.tar.gz" >/dev/null
  gunzip -c "$work/bundle.tar.gz" | xz -T0 -9 > "$carry/bundle.tar.xz"
  dotnet build -c Release src/UniAD.Cli >/dev/null
  uniad=src/UniAD.Cli/bin/Release/net10.0/uniad
  version=$(demo $uniad "$work")
  $uniad train --data "$version" --out "$work/warm" --epochs 1 --feature-cache "$work/cache" "${config[@]}" >/dev/null
  tar cJf "$carry/cache.tar.xz" -C "$work" cache
  basename "$version" > "$carry/version"
  rm -rf "$work"; du -sh "$carry"/* ;;
run)
  work=/tmp/uniad-shortcut && mkdir -p "$work" && tar xJf "$carry/bundle.tar.xz" -C "$work" && tar xJf "$carry/cache.tar.xz" -C "$work"
  export DOTNET_ROOT=$work/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1
  export LD_LIBRARY_PATH=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
  uniad="$work/dotnet/dotnet $work/app/uniad.dll"
  version=$(demo "$uniad" "$work")
  [ "$(basename "$version")" = "$(cat "$carry/version")" ] || { echo "the regenerated demo set is another version: the carried features do not apply"; exit 1; }
  for variant in full vanilla; do                       # side by side: at batch 8 one run leaves the GPU mostly idle
    overrides=(); [ $variant = vanilla ] && overrides=("${vanilla[@]}")
    resume=(); [ -f "$work/$variant/checkpoint.uniad" ] && resume=(--resume)
    $uniad train --data "$version" --out "$work/$variant" --epochs "$epochs" --device cuda --feature-cache "$work/cache" \
      "${config[@]}" "${overrides[@]}" "${resume[@]}" > "$work/$variant.log" 2>&1 &
  done
  wait || true
  for variant in full vanilla; do
    grep -E "^test after|error" "$work/$variant.log" | tail -n 40
    for f in evaluations.csv history.csv results.csv; do cp "$work/$variant/$f" "${OUT:-$work}/$variant-$f" 2>/dev/null || true; done
  done ;;
*) echo "usage: $0 prepare|run CARRY_DIR [EPOCHS]"; exit 2 ;;
esac
