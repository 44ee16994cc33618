"""Small seeded data sets for the chapters: no downloads, the same numbers on every machine.

Each generator returns (X, y) as float64 arrays (class labels as int64), fully determined by
`seed`. They are small on purpose: every chapter runs in seconds.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_integer, check_number


def regression_with_outliers(n_samples: int = 100, *, n_outliers: int = 10, slope: float = 2.0,
                             intercept: float = 1.0, noise: float = 0.5,
                             outlier_shift: float = 15.0, seed: int = 0):
    """A line y = slope x + intercept + Gaussian noise, with n_outliers points pushed up.

    X has shape (n_samples, 1) with x uniform in [0, 5]; the outliers are the samples with
    the largest x (so they pull hardest on a least-squares fit), shifted by outlier_shift.
    Returns X, y and the boolean mask of the outliers.
    """
    where = "regression_with_outliers"
    n = check_integer(n_samples, "n_samples", where)
    k = check_integer(n_outliers, "n_outliers", where, low=0)
    if k > n:
        raise ValueError(f"{where}: n_outliers ({k}) cannot exceed n_samples ({n})")
    noise = check_number(noise, "noise", where)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 5, n))
    y = slope * x + intercept + noise * rng.normal(size=n)
    outlier = np.zeros(n, dtype=bool)
    outlier[n - k:] = True
    y[outlier] += outlier_shift
    return x.reshape(-1, 1), y, outlier


def blobs(n_samples: int = 200, *, n_classes: int = 2, separation: float = 3.0,
          spread: float = 1.0, n_features: int = 2, seed: int = 0):
    """Gaussian blobs, one per class, with centres on a circle of radius separation / 2.

    Large separation / spread gives linearly separable classes; small gives overlapping ones.
    Labels are 0 .. n_classes - 1, in equal numbers (up to rounding).
    """
    where = "blobs"
    n = check_integer(n_samples, "n_samples", where, low=2)
    k = check_integer(n_classes, "n_classes", where, low=2)
    d = check_integer(n_features, "n_features", where, low=2)
    separation = check_number(separation, "separation", where)
    spread = check_number(spread, "spread", where, positive=True)
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(k) / k
    centres = np.zeros((k, d))
    centres[:, 0], centres[:, 1] = np.cos(angles), np.sin(angles)
    centres *= separation / 2
    y = np.arange(n) % k
    X = centres[y] + spread * rng.normal(size=(n, d))
    order = rng.permutation(n)
    return X[order], y[order]


def imbalanced(n_samples: int = 1000, *, minority_fraction: float = 0.05,
               separation: float = 2.0, n_features: int = 2, seed: int = 0):
    """Two Gaussian classes where class 1 is rare (minority_fraction of the samples)."""
    where = "imbalanced"
    n = check_integer(n_samples, "n_samples", where, low=2)
    fraction = check_number(minority_fraction, "minority_fraction", where, high=0.5,
                            positive=True)
    d = check_integer(n_features, "n_features", where)
    rng = np.random.default_rng(seed)
    n_minority = max(1, round(fraction * n))
    y = np.zeros(n, dtype=np.int64)
    y[:n_minority] = 1
    X = rng.normal(size=(n, d))
    X[y == 1, 0] += separation
    order = rng.permutation(n)
    return X[order], y[order]


def tiny_images(n_per_class: int = 50, *, size: int = 8, noise: float = 0.3, seed: int = 0):
    """A tiny image-like set: size x size grey images of four shapes, with pixel noise.

    Classes: 0 horizontal bar, 1 vertical bar, 2 diagonal, 3 square outline. Returns images of
    shape (n, size, size) with values in [0, 1], and labels (n,).
    """
    where = "tiny_images"
    m = check_integer(n_per_class, "n_per_class", where)
    s = check_integer(size, "size", where, low=4)
    noise = check_number(noise, "noise", where)
    rng = np.random.default_rng(seed)
    templates = np.zeros((4, s, s))
    mid = s // 2
    templates[0, mid - 1:mid + 1, 1:-1] = 1
    templates[1, 1:-1, mid - 1:mid + 1] = 1
    templates[2][np.arange(s), np.arange(s)] = 1
    templates[3, 1, 1:-1] = templates[3, -2, 1:-1] = templates[3, 1:-1, 1] = 1
    templates[3, 1:-1, -2] = 1
    y = np.repeat(np.arange(4), m)
    shifts = rng.integers(-1, 2, size=(4 * m, 2))
    images = np.array([np.roll(templates[c], tuple(shift), axis=(0, 1))
                       for c, shift in zip(y, shifts, strict=True)])
    images = np.clip(images + noise * rng.normal(size=images.shape), 0, 1)
    order = rng.permutation(4 * m)
    return images[order], y[order]


def anomalies(n_samples: int = 300, *, anomaly_fraction: float = 0.05, n_features: int = 5,
              seed: int = 0):
    """Normal points near a 2-D plane inside n_features dimensions, plus a few anomalies off it.

    A linear autoencoder (PCA with 2 components) reconstructs the normal points well and the
    anomalies badly, which is what chapter 09 uses as an anomaly score. Returns X and the
    boolean mask of the anomalies.
    """
    where = "anomalies"
    n = check_integer(n_samples, "n_samples", where)
    fraction = check_number(anomaly_fraction, "anomaly_fraction", where, high=0.5)
    d = check_integer(n_features, "n_features", where, low=3)
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.normal(size=(d, 2)))[0]
    X = rng.normal(size=(n, 2)) * [3.0, 1.5] @ basis.T + 0.1 * rng.normal(size=(n, d))
    k = round(fraction * n)
    anomaly = np.zeros(n, dtype=bool)
    anomaly[rng.choice(n, size=k, replace=False)] = True
    X[anomaly] += 2.5 * rng.normal(size=(k, d))
    return X, anomaly
