"""Independent reference values for the PatchCore tests (PatchCoreReference.cs).

Reads FOLDER/cases.json, whose entries name raw float32 files in FOLDER, and prints one JSON object of results.
Every computation here is the plain, direct form: no pruning, no blocks, float64 where numpy allows; the patch
embedding follows the official code's tensor steps with PyTorch.
"""
import json
import os
import sys

import numpy as np
from scipy.ndimage import gaussian_filter
from scipy.spatial.distance import cdist


def load(folder, entry):
    return np.fromfile(os.path.join(folder, entry["file"]), dtype=np.float32).reshape(entry["shape"])


def greedy(points, starts, picks):
    """k-center greedy: start from the mean distance to the start points, then pick the farthest each time."""
    points = points.astype(np.float64)
    nearest = cdist(points, points[starts]).mean(axis=1)
    chosen = []
    for _ in range(picks):
        p = int(np.argmax(nearest))
        chosen.append(p)
        nearest = np.minimum(nearest, np.sqrt(((points - points[p]) ** 2).sum(axis=1)))
    return chosen


def neighbours(queries, bank, k):
    d = cdist(queries.astype(np.float64), bank.astype(np.float64))
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(d, order, axis=1), order


def reweighted(features, bank, k):
    """Roth et al. 2022, eq. 7, per image: features is P x D."""
    scores = []
    for patches in features.astype(np.float64):
        d = cdist(patches, bank.astype(np.float64))
        patch_scores = d.min(axis=1)
        top = int(np.argmax(patch_scores))
        m_star = bank[int(np.argmin(d[top]))].astype(np.float64)
        support = np.argsort(cdist(m_star[None, :], bank.astype(np.float64))[0], kind="stable")[:k]
        to_support = np.sqrt(((bank[support].astype(np.float64) - patches[top]) ** 2).sum(axis=1))
        weight = 1 - np.exp(to_support[0]) / np.exp(to_support).sum()
        scores.append(weight * patch_scores[top])
    return scores


def embedding(taps, patch_size, layer_dimension, dimension):
    """The official code's steps: unfold each tap into p x p neighbourhoods, upsample the deeper taps' neighbourhood
    maps bilinearly to the first tap's grid, pool each tap's flattened neighbourhood to layer_dimension, then the taps
    side by side to dimension."""
    import torch
    import torch.nn.functional as F

    first = taps[0].shape
    batch, height, width = first[0], first[2], first[3]
    per_layer = []
    for tap in taps:
        t = torch.from_numpy(tap)
        channels, h, w = t.shape[1], t.shape[2], t.shape[3]
        unfolded = F.unfold(t, kernel_size=patch_size, padding=(patch_size - 1) // 2)   # B x (C p p) x (h w)
        patches = unfolded.reshape(batch, channels, patch_size, patch_size, h * w).permute(0, 4, 1, 2, 3)
        if (h, w) != (height, width):
            grid = patches.reshape(batch, h, w, channels, patch_size, patch_size).permute(0, 3, 4, 5, 1, 2)
            grid = F.interpolate(grid.reshape(-1, 1, h, w), size=(height, width), mode="bilinear", align_corners=False)
            grid = grid.reshape(batch, channels, patch_size, patch_size, height, width).permute(0, 4, 5, 1, 2, 3)
            patches = grid.reshape(batch, height * width, channels, patch_size, patch_size)
        flat = patches.reshape(batch * height * width, 1, -1)
        per_layer.append(F.adaptive_avg_pool1d(flat, layer_dimension).squeeze(1))
    stacked = torch.stack(per_layer, dim=1).reshape(batch * height * width, 1, -1)
    return F.adaptive_avg_pool1d(stacked, dimension).reshape(batch, height * width, dimension).numpy()


def main(folder):
    with open(os.path.join(folder, "cases.json")) as f:
        cases = json.load(f)
    results = {}
    for name, case in cases.items():
        kind = case["kind"]
        if kind == "coreset":
            results[name] = greedy(load(folder, case["points"]), case["starts"], case["picks"])
        elif kind == "neighbours":
            distances, indices = neighbours(load(folder, case["queries"]), load(folder, case["bank"]), case["k"])
            results[name] = {"distances": distances.ravel().tolist(), "indices": indices.ravel().tolist()}
        elif kind == "reweighted":
            results[name] = reweighted(load(folder, case["features"]), load(folder, case["bank"]), case["k"])
        elif kind == "gaussian":
            maps = load(folder, case["maps"]).astype(np.float64)
            smoothed = [gaussian_filter(m[0], sigma=case["sigma"], mode="reflect", truncate=4.0) for m in maps]
            results[name] = np.stack(smoothed).ravel().tolist()
        elif kind == "embedding":
            taps = [load(folder, t) for t in case["taps"]]
            results[name] = embedding(taps, case["patch_size"], case["layer_dimension"], case["dimension"]).ravel().tolist()
        else:
            raise ValueError(f"unknown case kind {kind}")
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
