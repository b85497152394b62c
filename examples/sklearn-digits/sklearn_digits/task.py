"""Data, model and parameter plumbing shared by the ServerApp and the ClientApp.

Data: scikit-learn's bundled 8x8 digits (`sklearn.datasets.load_digits`, shipped inside the
package, no download). Model: multinomial logistic (softmax) regression in numpy, trained by
full-batch gradient descent.

Everything is deterministic: the split and the partitions derive from one seed and training
has no randomness, so the same config gives the same accuracies on every run.

Why numpy and a cache: every message a SuperNode receives starts a fresh `flwr-clientapp`
process, and importing scikit-learn costs about as much as the rest of the ClientApp. The first
process to need the data loads it with `load_digits` and caches the arrays in a small `.npz`
file; later processes read that with numpy alone.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

NUM_CLASSES = 10
NUM_FEATURES = 64  # 8x8 grey-level images, values 0..16

Weights = list[np.ndarray]  # [W (NUM_FEATURES x NUM_CLASSES), b (NUM_CLASSES)]


# MARK: - Data


def _cache_file() -> Path:
    base = os.environ.get("SKLEARN_DIGITS_CACHE_DIR") or Path(tempfile.gettempdir()) / (
        f"sklearn-digits-cache-{os.getuid()}"
    )
    return Path(base) / "digits-v2.npz"


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits as (x in [0, 1], y), from the cache or from scikit-learn."""
    cache = _cache_file()
    try:
        with np.load(cache) as stored:
            pixels, labels = stored["pixels"], stored["labels"]
    except (OSError, KeyError, ValueError):
        from sklearn.datasets import load_digits  # noqa: PLC0415 - slow import, only on a miss

        digits = load_digits()
        pixels, labels = digits.data.astype(np.uint8), digits.target.astype(np.uint8)
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        with open(partial, "wb") as file:
            np.savez(file, pixels=pixels, labels=labels)
        os.replace(partial, cache)  # atomic: concurrent ClientApps never see half a file
    return pixels.astype(np.float64) / 16.0, labels.astype(np.int64)


def load_split(seed: int, test_fraction: float) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test): a stratified split, the same in every process."""
    x, y = load_digits_arrays()
    rng = np.random.default_rng(seed)
    test_rows = []
    for digit in range(NUM_CLASSES):
        rows = rng.permutation(np.flatnonzero(y == digit))
        test_rows.append(rows[: round(len(rows) * test_fraction)])
    is_test = np.zeros(len(y), dtype=bool)
    is_test[np.concatenate(test_rows)] = True
    return x[~is_test], y[~is_test], x[is_test], y[is_test]


def partition(x: np.ndarray, y: np.ndarray, partition_id: int, num_partitions: int):
    """Split (x, y) into `num_partitions` disjoint, label-balanced shards and return one.

    Sorting by label (stably) and dealing rows round-robin gives every shard every digit.
    """
    if not 0 <= partition_id < num_partitions:
        raise ValueError(f"partition-id {partition_id} not in [0, {num_partitions})")
    order = np.argsort(y, kind="stable")
    mine = order[partition_id::num_partitions]
    return x[mine], y[mine]


# MARK: - Model


def initial_weights() -> Weights:
    """The global model before round 1: all zeros (every class equally likely)."""
    return [np.zeros((NUM_FEATURES, NUM_CLASSES)), np.zeros(NUM_CLASSES)]


def _probabilities(weights: Weights, x: np.ndarray) -> np.ndarray:
    w, b = weights
    logits = x @ w + b
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def train(weights: Weights, x: np.ndarray, y: np.ndarray, epochs: int, learning_rate: float,
          l2_penalty: float) -> Weights:
    """`epochs` full-batch gradient steps on the L2-regularised cross-entropy."""
    w, b = (np.array(a, dtype=np.float64) for a in weights)
    one_hot = np.eye(NUM_CLASSES)[y]
    for _ in range(epochs):
        gradient = (_probabilities([w, b], x) - one_hot) / len(y)
        w = w - learning_rate * (x.T @ gradient + l2_penalty * w)
        b = b - learning_rate * gradient.sum(axis=0)
    return [w, b]


def evaluate(weights: Weights, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of the model on (x, y)."""
    probabilities = _probabilities(weights, x)
    loss = float(-np.mean(np.log(probabilities[np.arange(len(y)), y] + 1e-12)))
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y))
    return loss, accuracy
