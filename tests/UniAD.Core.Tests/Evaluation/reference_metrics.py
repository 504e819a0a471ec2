"""Independent reference values for UniAD.Core.Evaluation, computed with scikit-learn and scipy.

Usage: reference_metrics.py CASE_DIR. Reads every case the C# tests wrote there and prints one JSON object
{case name: {metric: value}}. Inputs are raw little-endian files:
  NAME.scores.f32 + NAME.labels.u8             -> auroc, average_precision, f1_max, roc_fpr, roc_tpr
  NAME.maps.f32 + NAME.masks.u8 + NAME.aupro.json -> aupro ({"images", "height", "width", "max_fpr"})
"""
import json
import pathlib
import sys

import numpy as np
from scipy import ndimage
from sklearn import metrics


def ranking_metrics(scores, labels):
    precision, recall, _ = metrics.precision_recall_curve(labels, scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    fpr, tpr, _ = metrics.roc_curve(labels, scores, drop_intermediate=False)
    return {
        "auroc": metrics.roc_auc_score(labels, scores),
        "roc_fpr": fpr.tolist(),
        "roc_tpr": tpr.tolist(),
        "average_precision": metrics.average_precision_score(labels, scores),
        "f1_max": float(f1.max()),
    }


def aupro(maps, masks, max_fpr):
    """Sweeps every distinct threshold and measures FPR and mean per-region overlap directly."""
    regions = []  # one boolean volume per connected defect
    for i, mask in enumerate(masks):
        labeled, count = ndimage.label(mask, structure=np.ones((3, 3), dtype=int))
        for k in range(1, count + 1):
            region = np.zeros(masks.shape, dtype=bool)
            region[i] = labeled == k
            regions.append(region)
    normal = ~masks
    fprs, pros = [0.0], [0.0]
    for threshold in np.unique(maps)[::-1]:
        predicted = maps >= threshold
        fprs.append((predicted & normal).sum() / normal.sum())
        pros.append(np.mean([(predicted & r).sum() / r.sum() for r in regions]))
    fprs, pros = np.array(fprs), np.array(pros)

    inside = fprs <= max_fpr
    x, y = list(fprs[inside]), list(pros[inside])
    if x[-1] < max_fpr:
        after = np.argmax(fprs > max_fpr)
        before = after - 1
        t = (max_fpr - fprs[before]) / (fprs[after] - fprs[before])
        x.append(max_fpr)
        y.append(pros[before] + t * (pros[after] - pros[before]))
    return metrics.auc(x, y) / max_fpr


def main(case_dir):
    results = {}
    for scores_file in sorted(case_dir.glob("*.scores.f32")):
        name = scores_file.name[: -len(".scores.f32")]
        scores = np.fromfile(scores_file, dtype="<f4")
        labels = np.fromfile(case_dir / f"{name}.labels.u8", dtype=np.uint8).astype(bool)
        results[name] = ranking_metrics(scores, labels)
    for shape_file in sorted(case_dir.glob("*.aupro.json")):
        name = shape_file.name[: -len(".aupro.json")]
        shape = json.loads(shape_file.read_text())
        dims = (shape["images"], shape["height"], shape["width"])
        maps = np.fromfile(case_dir / f"{name}.maps.f32", dtype="<f4").reshape(dims)
        masks = np.fromfile(case_dir / f"{name}.masks.u8", dtype=np.uint8).astype(bool).reshape(dims)
        results[name] = {"aupro": aupro(maps, masks, shape["max_fpr"])}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]))
