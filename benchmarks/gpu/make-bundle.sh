#!/usr/bin/env bash
# Packs the uniad CLI (framework-dependent, without LibTorch) and the .NET runtime into one archive for a
# GPU machine that has PyTorch (CUDA) but no .NET: TorchSharp then binds to that PyTorch's libraries.
# Usage: benchmarks/gpu/make-bundle.sh OUT.tar.gz
set -euo pipefail
out=$(realpath -m "$1")
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
dotnet publish src/UniAD.Cli -c Release -r linux-x64 --self-contained false -o "$work/pub" >/dev/null
mkdir -p "$work/bundle/app" "$work/bundle/dotnet/shared"
cp "$work"/pub/*.dll "$work"/pub/uniad.deps.json "$work"/pub/uniad.runtimeconfig.json \
   "$work"/pub/libLibTorchSharp.so "$work"/pub/libSkiaSharp.so "$work/bundle/app/"
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
cp -r "$dotnet_root/dotnet" "$dotnet_root/host" "$work/bundle/dotnet/"
cp -r "$dotnet_root/shared/Microsoft.NETCore.App" "$work/bundle/dotnet/shared/"
tar czf "$out" -C "$work/bundle" app dotnet
rm -rf "$work"
echo "wrote $out ($(du -h "$out" | cut -f1))"
