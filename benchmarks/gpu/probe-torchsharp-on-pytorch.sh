#!/bin/bash
# Can TorchSharp 0.107's native library (built against LibTorch 2.10) run on this machine's PyTorch CUDA libs?
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
TORCH_LIB=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())'
strings -a $(ldconfig -p | awk '/libstdc\+\+.so.6 .*x86-64/{print $NF; exit}') | grep -c GLIBCXX_3.4.32 | sed 's/^/GLIBCXX_3.4.32 present: /'
ls $TORCH_LIB | head -40
python3 - "$TORCH_LIB" <<'PY'
import ctypes, os, sys
lib = sys.argv[1]
for name in ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"]:
    try:
        ctypes.CDLL(os.path.join(lib, name), mode=os.RTLD_NOW | os.RTLD_GLOBAL); print("loaded", name)
    except OSError as e:
        print("FAILED", name, e)
try:
    ctypes.CDLL(os.path.abspath("${LIBTORCHSHARP:-.gpu/libLibTorchSharp.so}"), mode=os.RTLD_NOW | os.RTLD_GLOBAL); print("loaded libLibTorchSharp.so: TorchSharp 0.107 binds to this PyTorch")
except OSError as e:
    print("FAILED libLibTorchSharp.so:", e)
PY
echo "--- all unresolved symbols (ldd -r), demangled, first 40:"
LD_LIBRARY_PATH=$TORCH_LIB ldd -r ${LIBTORCHSHARP:-.gpu/libLibTorchSharp.so} 2>&1 | grep -E "undefined symbol" | sed 's/undefined symbol: //; s/\s*(.*//' | c++filt | sort -u | tee ${OUT:-/tmp}/unresolved.txt | head -40
echo "count: $(wc -l < ${OUT:-/tmp}/unresolved.txt)"
