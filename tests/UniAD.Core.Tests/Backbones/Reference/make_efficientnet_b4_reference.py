"""Writes efficientnet_b4_reference.json: EfficientNet-B4 features computed by the official UniAD code.

The official ImageNet weights cannot be shipped, so every tensor of the state dict is filled by a
closed formula that EfficientNetB4ReferenceTests recomputes in C#. The formula weights go through the
official model (static 380 pads, SE, skips, BN eps 1e-3) in float64 on a fixed 224x224 image.

Usage: python make_efficientnet_b4_reference.py UNIAD_CHECKOUT [OUT_JSON]
UNIAD_CHECKOUT is a checkout of github.com/zhiyuanyou/UniAD (a5b9d9d); only
models/backbones/efficientnet is imported. Needs torch.
"""
import json
import math
import os
import sys

import torch

OUT_BLOCKS = [1, 5, 9, 21, 31]
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SAMPLES = 64


def formula_weight(key, index, like):
    """Deterministic, position-dependent values (same formula as the C# test)."""
    n = like.numel()
    s = torch.sin(0.61803 * torch.arange(n, dtype=torch.float64) + 0.5 * index)
    if key.endswith("running_mean") or key.endswith("bias"):
        v = 0.1 * s
    elif key.endswith("running_var"):
        v = 1 + 0.5 * s * s
    elif like.dim() == 1:  # BN gamma
        v = 1 + 0.2 * s
    else:  # conv / linear weight: variance 1/(2 fan_in), keeps 32 blocks finite
        v = s * math.sqrt(1.0 / (like[0].numel()))
    return v.float().double().reshape(like.shape)  # float32 values, as the C# model holds them


def formula_image():
    n = 3 * 224 * 224
    x = 0.5 + 0.5 * torch.sin(0.37 * torch.arange(n, dtype=torch.float64))
    return x.float().double().reshape(1, 3, 224, 224)


def main():
    sys.path.insert(0, os.path.join(sys.argv[1], "models", "backbones"))
    from efficientnet import EfficientNet

    out = sys.argv[2] if len(sys.argv) > 2 else "efficientnet_b4_reference.json"
    model = EfficientNet.from_name("efficientnet-b4", outblocks=OUT_BLOCKS, outstrides=[2, 4, 8, 16, 32])
    state = model.state_dict()
    weights = {}
    for index, key in enumerate(sorted(state)):
        if not key.endswith("num_batches_tracked"):
            weights[key] = formula_weight(key, index, state[key])
    model = model.double().eval()
    model.load_state_dict(weights, strict=False)

    image = formula_image()
    mean = torch.tensor(MEAN, dtype=torch.float64).view(1, 3, 1, 1)
    std = torch.tensor(STD, dtype=torch.float64).view(1, 3, 1, 1)
    with torch.no_grad():
        features = model({"image": (image - mean) / std})["features"]

    taps = []
    for f in features:
        flat = f.flatten()
        idx = [(k * 7919 + 13) % flat.numel() for k in range(SAMPLES)]
        taps.append({
            "shape": list(f.shape),
            "mean": flat.mean().item(),
            "mean_abs": flat.abs().mean().item(),
            "sample_indices": idx,
            "sample_values": [flat[i].item() for i in idx],
        })
    with open(out, "w") as fh:
        json.dump({"source": "zhiyuanyou/UniAD a5b9d9d models/backbones/efficientnet, float64",
                   "torch": torch.__version__, "out_blocks": OUT_BLOCKS, "taps": taps}, fh, indent=1)
    print("wrote", out, [t["shape"] for t in taps], [round(t["mean_abs"], 4) for t in taps])


if __name__ == "__main__":
    main()
