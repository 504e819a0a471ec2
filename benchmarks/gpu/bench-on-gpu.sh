#!/usr/bin/env bash
# Runs `uniad bench` on a GPU machine from the bundle of make-bundle.sh, with TorchSharp bound to the
# machine's PyTorch CUDA libraries. Usage: bench-on-gpu.sh BUNDLE.tar.gz
set -u
mkdir -p /tmp/uniad-gpu && tar xzf "$1" -C /tmp/uniad-gpu
export DOTNET_ROOT=/tmp/uniad-gpu/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1
export LD_LIBRARY_PATH=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
uniad() { /tmp/uniad-gpu/dotnet/dotnet /tmp/uniad-gpu/app/uniad.dll "$@"; }
nvidia-smi --query-gpu=name --format=csv,noheader
for args in "--device cuda --preset paper-mvtec --steps 20" \
            "--device cuda --preset paper-mvtec --batch-size 64 --steps 10" \
            "--device cuda --preset paper-cifar --steps 10" \
            "--device cuda --preset paper-mvtec --set model.dropout=0 --steps 20" \
            "--device cpu --preset paper-mvtec --steps 5"; do
  echo "=== uniad bench $args"
  timeout 150 uniad bench $args 2>&1 | tail -12
done
