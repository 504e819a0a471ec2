"""Real PyTorch on the two sides of the lab's official-checkpoint interop (run by OfficialTorch.cs).

wrap WEIGHTS OUT [--legacy]: write WEIGHTS (a state dict of the reconstruction module, optionally with
    backbone.* keys) as tools/train_val.py does: {"epoch", "arch", "state_dict", "best_metric", "optimizer"},
    keys under module., with a real AdamW state after one step. --legacy: PyTorch's pre-1.6 file format.
resave IN OUT [--legacy]: torch.load IN and torch.save it again as OUT (--legacy: the pre-1.6 format).
keys CKPT: torch.load a checkpoint and print its layout as JSON: the top-level keys, epoch, best_metric and the
    state_dict's keys with their shapes and dtypes.
"""
import json
import sys

import torch


def wrap(weights_path, out_path, legacy):
    weights = torch.load(weights_path)
    state_dict = {}
    for key, value in weights.items():
        part = "backbone" if key.startswith("backbone.") else "reconstruction"
        local = key[len("backbone."):] if part == "backbone" else key
        state_dict[f"module.{part}.{local}"] = value
    params = [torch.nn.Parameter(v.clone().float()) for k, v in state_dict.items() if v.is_floating_point()]
    optimizer = torch.optim.AdamW(params, lr=1e-4, weight_decay=1e-4)
    for p in params:
        p.grad = torch.ones_like(p)
    optimizer.step()
    checkpoint = {
        "epoch": 7,
        "arch": [{"name": "backbone", "type": "models.backbones.efficientnet_b4"}],
        "state_dict": state_dict,
        "best_metric": 0.875,
        "optimizer": optimizer.state_dict(),
    }
    torch.save(checkpoint, out_path, _use_new_zipfile_serialization=not legacy)


def keys(path):
    checkpoint = torch.load(path, map_location="cpu")
    print(json.dumps({
        "top": sorted(checkpoint.keys()),
        "epoch": checkpoint.get("epoch"),
        "best_metric": checkpoint.get("best_metric"),
        "state_dict": {k: [list(v.shape), str(v.dtype)] for k, v in checkpoint["state_dict"].items()},
    }))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "wrap":
        wrap(sys.argv[2], sys.argv[3], "--legacy" in sys.argv[4:])
    elif command == "resave":
        torch.save(torch.load(sys.argv[2]), sys.argv[3], _use_new_zipfile_serialization="--legacy" not in sys.argv[4:])
    elif command == "keys":
        keys(sys.argv[2])
    else:
        sys.exit(f"unknown command {command}")
