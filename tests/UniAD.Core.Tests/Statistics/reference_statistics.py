"""Independent reference values for UniAD.Core.Statistics, computed with numpy and scipy.

Usage: reference_statistics.py < cases.json. Each case is {"x": [...], "y": [...]}; prints one JSON object
{case name: {...}} with the mean and sample std of x, and the two-sided Wilcoxon signed-rank test of x against y
under the rules in docs/statistics.md: differences rounded to 1e-12, zero differences dropped, tied absolute
differences sharing their mean rank. The p-value comes from
  - scipy.stats.wilcoxon (exact) when there are neither ties nor zeros and at most 50 pairs,
  - scipy.stats.permutation_test over every sign assignment of the ranks when there are ties or zeros,
  - scipy.stats.wilcoxon(method="approx") above 50 non-zero pairs.
"""
import json
import sys

import numpy as np
from scipy import stats


def signed_rank_sum(x, y):
    d = x - y
    return np.sum(stats.rankdata(np.abs(d))[d > 0])


def wilcoxon(x, y):
    d = np.round((x - y) / 1e-12) * 1e-12
    keep = d != 0
    n = int(keep.sum())
    if n == 0:
        return {"nonzero": 0}
    nz = d[keep]
    ties = len(np.unique(np.abs(nz))) < n
    if n > 50:
        result = stats.wilcoxon(nz, method="approx")
        source = "wilcoxon approx"
    elif ties or n < len(d):
        # Flipping a pair's sign is swapping x and y within the pair: 'samples' permutations, all 2^n of them.
        result = stats.permutation_test((nz, np.zeros(n)), signed_rank_sum, permutation_type="samples",
                                        n_resamples=np.inf, alternative="two-sided")
        source = "permutation_test"
    else:
        result = stats.wilcoxon(nz, method="exact")
        source = "wilcoxon exact"
    w_plus = float(signed_rank_sum(nz, np.zeros(n)))
    return {"nonzero": n, "w_plus": w_plus, "statistic": min(w_plus, n * (n + 1) / 2 - w_plus),
            "p": float(result.pvalue), "ties": bool(ties), "source": source}


def main():
    cases = json.load(sys.stdin)
    out = {}
    for name, case in cases.items():
        x, y = np.array(case["x"], dtype=float), np.array(case["y"], dtype=float)
        out[name] = {"mean": float(np.mean(x)), "std": float(np.std(x, ddof=1)) if len(x) > 1 else None, **wilcoxon(x, y)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
