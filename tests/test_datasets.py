"""The data generators are deterministic, shaped as documented, and have the stated structure."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.svm import LinearSVC

from lossbook import datasets


@pytest.mark.parametrize("make", [datasets.regression_with_outliers, datasets.blobs,
                                  datasets.imbalanced, datasets.tiny_images, datasets.anomalies])
def test_same_seed_same_data_other_seed_other_data(make):
    first, again, other = make(seed=1), make(seed=1), make(seed=2)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_outliers_are_the_shifted_points():
    X, y, outlier = datasets.regression_with_outliers(100, n_outliers=10, noise=0.1)
    assert X.shape == (100, 1) and outlier.sum() == 10
    residual = y - (2 * X[:, 0] + 1)
    assert residual[outlier].min() > 10 and np.abs(residual[~outlier]).max() < 1


def test_far_blobs_are_separable_and_close_blobs_are_not():
    for separation, separable in ((8.0, True), (0.5, False)):
        X, y = datasets.blobs(200, separation=separation)
        accuracy = LinearSVC(C=100.0, max_iter=100_000).fit(X, y).score(X, y)
        assert (accuracy == 1.0) == separable
    X, y = datasets.blobs(301, n_classes=3)
    assert np.bincount(y).tolist() == [101, 100, 100]


def test_imbalanced_has_the_asked_minority_share():
    _, y = datasets.imbalanced(1000, minority_fraction=0.05)
    assert y.sum() == 50 and y.dtype == np.int64


def test_tiny_images_are_in_the_unit_interval_with_four_balanced_classes():
    images, y = datasets.tiny_images(20, size=8)
    assert images.shape == (80, 8, 8) and images.min() >= 0 and images.max() <= 1
    assert np.bincount(y).tolist() == [20] * 4


def test_anomalies_reconstruct_badly_from_two_principal_components():
    X, anomaly = datasets.anomalies(300, anomaly_fraction=0.05)
    pca = PCA(n_components=2).fit(X[~anomaly])
    error = np.sum((X - pca.inverse_transform(pca.transform(X))) ** 2, axis=1)
    assert error[anomaly].min() > np.quantile(error[~anomaly], 0.95)


@pytest.mark.parametrize("call, message", [
    (lambda: datasets.blobs(n_classes=1), "n_classes"),
    (lambda: datasets.imbalanced(minority_fraction=0.7), "minority_fraction"),
    (lambda: datasets.regression_with_outliers(5, n_outliers=6), "cannot exceed"),
    (lambda: datasets.tiny_images(size=2), "size"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
