#!/usr/bin/env bash
# Peak memory (max RSS) and wall time of `uniad dataset import` for ~3 GB of 1024x1024 demo images, from a
# folder and from a zip of it. The import streams files (copy, unzip, hash) and decodes one image per core at a
# time, so its memory must not grow with the dataset. Usage: benchmarks/import-memory.sh [work folder]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/uniad-import-memory}
mkdir -p "$work"
dotnet build -c Release src/UniAD.Cli >/dev/null
uniad=(dotnet "$PWD/src/UniAD.Cli/bin/Release/net10.0/uniad.dll")

[ -d "$work/demo" ] || "${uniad[@]}" demo-data --out "$work/demo" --image-size 1024 --train 280 --test-good 20 --test-defect 8 --seed 7
echo "source: $(find "$work/demo" -type f | wc -l) files, $(du -sb "$work/demo" | cut -f1) bytes"
[ -f "$work/demo.zip" ] || (cd "$work" && zip -q -r demo.zip demo)
echo "zip: $(stat -c %s "$work/demo.zip") bytes"

for source in "$work/demo" "$work/demo.zip"; do
  rm -rf "$work/store"
  /usr/bin/time -f "import of $(basename "$source"): peak RSS %M KiB, wall %e s" \
    "${uniad[@]}" dataset import "$source" --name big --store "$work/store" | tail -1
done
