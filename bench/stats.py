"""Agreement statistics for the benchmarks, in numpy only."""

from __future__ import annotations

import numpy as np


def pearson(x, y) -> float:
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def _ranks(x) -> np.ndarray:
    x = np.asarray(x, float)
    order = x.argsort()
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x))
    # average ties
    for v in np.unique(x):
        idx = x == v
        ranks[idx] = ranks[idx].mean()
    return ranks


def spearman(x, y) -> float:
    return pearson(_ranks(x), _ranks(y))


def rmse(x, y) -> float:
    return float(np.sqrt(np.mean((np.asarray(x, float) - np.asarray(y, float)) ** 2)))


def qwk(a, b, lo: int, hi: int) -> float:
    """Quadratic weighted kappa of two integer ratings on lo..hi."""
    a = np.clip(np.rint(a).astype(int), lo, hi) - lo
    b = np.clip(np.rint(b).astype(int), lo, hi) - lo
    k = hi - lo + 1
    observed = np.zeros((k, k))
    for i, j in zip(a, b):
        observed[i, j] += 1
    expected = np.outer(np.bincount(a, minlength=k), np.bincount(b, minlength=k)) / len(a)
    weights = np.array([[(i - j) ** 2 for j in range(k)] for i in range(k)]) / (k - 1) ** 2
    denom = (weights * expected).sum()
    return float(1 - (weights * observed).sum() / denom) if denom else float("nan")


def fit_linear(X: np.ndarray, y: np.ndarray, ridge: float = 1e-3) -> tuple[float, np.ndarray]:
    """Least squares with a small ridge penalty; returns (intercept, coefficients)."""
    A = np.hstack([np.ones((len(X), 1)), X])
    reg = ridge * np.eye(A.shape[1])
    reg[0, 0] = 0
    w = np.linalg.solve(A.T @ A + reg, A.T @ y)
    return float(w[0]), w[1:]


def group_folds(groups: list[str], k: int, seed: int = 0) -> list[np.ndarray]:
    """k folds of row indices such that no group (question) is split across folds."""
    rng = np.random.default_rng(seed)
    uniq = sorted(set(groups))
    rng.shuffle(uniq)
    fold_of = {g: i % k for i, g in enumerate(uniq)}
    idx = np.array([fold_of[g] for g in groups])
    return [np.where(idx == f)[0] for f in range(k)]
