"""Splits, scaling fitted on the training part only, feature transforms, one-hot, and `prepare`."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import (
    DataError, Dataset, FeatureTransform, Scaler, load_sklearn, one_hot, playground, prepare, split_indices,
)


def test_split_covers_everything_once_without_overlap() -> None:
    y = np.repeat([0, 1, 2], [50, 30, 20])
    train, val, test = split_indices(y, "classification", 0.2, 0.1, seed=4)
    combined = np.concatenate([train, val, test])
    assert sorted(combined.tolist()) == list(range(100))
    assert (len(train), len(val), len(test)) == (70, 20, 10)


def test_split_is_stratified() -> None:
    y = np.repeat([0, 1, 2], [60, 30, 10])
    train, val, test = split_indices(y, "classification", 0.2, 0.2, seed=0)
    for part, fraction in ((val, 0.2), (test, 0.2), (train, 0.6)):
        np.testing.assert_array_equal(np.bincount(y[part], minlength=3), np.array([60, 30, 10]) * fraction)


def test_split_is_seeded() -> None:
    y = np.arange(200) % 3
    first, again, other = (split_indices(y, "classification", 0.25, 0.0, seed) for seed in (1, 1, 2))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], other[1])


def test_split_regression_and_tiny_classes() -> None:
    train, val, test = split_indices(np.zeros((10, 1)), "regression", 0.3, 0.2, seed=0)
    assert (len(train), len(val), len(test)) == (5, 3, 2)
    # A class of one sample stays in training.
    train, val, _ = split_indices(np.array([0, 0, 0, 0, 0, 1]), "classification", 0.5, 0.0, seed=0)
    assert 5 in train.tolist()


@pytest.mark.parametrize("val, test", [(-0.1, 0.0), (0.6, 0.5), (1.0, 0.0)])
def test_split_refuses_bad_fractions(val: float, test: float) -> None:
    with pytest.raises(DataError):
        split_indices(np.zeros(10, dtype=int), "classification", val, test)


def test_one_hot() -> None:
    np.testing.assert_array_equal(one_hot(np.array([2, 0, 1]), 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert one_hot(np.array([0]), 2).dtype == np.float32
    with pytest.raises(DataError):
        one_hot(np.array([3]), 3)


def test_scalers() -> None:
    x = np.array([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0]], dtype=np.float32)
    standard = Scaler("standard").fit(x)
    np.testing.assert_allclose(standard.transform(x), [[-1, -1, 0], [1, 1, 0]])  # Constant column → 0.
    minmax = Scaler("minmax").fit(x)
    np.testing.assert_allclose(minmax.transform(x), [[0, 0, 0], [1, 1, 0]])
    np.testing.assert_allclose(minmax.inverse_transform(minmax.transform(x)), x)
    np.testing.assert_array_equal(Scaler("none").fit(x).transform(x), x)


def test_scaler_dict_round_trip() -> None:
    scaler = Scaler("standard").fit(np.random.default_rng(0).normal(3, 2, size=(50, 4)).astype(np.float32))
    again = Scaler.from_dict(scaler.to_dict())
    assert again.kind == "standard"
    np.testing.assert_array_equal(again.offset, scaler.offset)
    np.testing.assert_array_equal(again.scale, scaler.scale)
    with pytest.raises(DataError):
        Scaler.from_dict({"kind": "standard", "offset": [0.0], "scale": [0.0]})
    with pytest.raises(DataError):
        Scaler("log")


def test_scaler_is_fitted_on_the_training_part_only() -> None:
    # Training rows (by seed) get values near 0; the rest are huge. A leak would shift the offset.
    y = np.arange(100) % 2
    train, val, test = split_indices(y, "classification", 0.2, 0.1, seed=7)
    x = np.zeros((100, 1), dtype=np.float32)
    x[train, 0] = np.tile([-1.0, 1.0], len(train) // 2 + 1)[: len(train)]
    x[np.concatenate([val, test]), 0] = 1000.0
    data = Dataset("crafted", x, y, "classification", ["f"], ["a", "b"], ["class"], {})
    prepared = prepare(data, val_fraction=0.2, test_fraction=0.1, seed=7)
    assert abs(float(prepared.scaler.offset[0])) < 0.05 and abs(float(prepared.scaler.scale[0]) - 1.0) < 0.05
    assert prepared.x_val.min() > 900 and prepared.x_test.min() > 900
    assert abs(prepared.x_train.mean()) < 0.05


def test_feature_transform() -> None:
    transform = FeatureTransform(["x", "Y", "x^2", "y²", "xy", "Sin  X", "sin(y)"])
    assert transform.names == ["x", "y", "x²", "y²", "xy", "sin x", "sin y"]
    out = transform.apply(np.array([[2.0, 3.0]]))
    np.testing.assert_allclose(out, [[2, 3, 4, 9, 6, np.sin(2), np.sin(3)]], rtol=1e-6)
    assert out.dtype == np.float32
    assert FeatureTransform.from_dict(transform.to_dict()) == transform
    with pytest.raises(DataError, match="unknown feature 'cos x'"):
        FeatureTransform(["cos x"])
    with pytest.raises(DataError, match="2-D points"):
        transform.apply(np.ones((2, 3)))


def test_prepare_playground_with_transform() -> None:
    data = playground("circles", num_points=200, seed=1)
    prepared = prepare(data, val_fraction=0.25, test_fraction=0.1, feature_transform=["x²", "y²"], seed=3)
    assert prepared.input_size == 2 and prepared.feature_names == ["x²", "y²"] and prepared.output_size == 2
    assert (len(prepared.x_train), len(prepared.x_val), len(prepared.x_test)) == (130, 50, 20)
    for x in (prepared.x_train, prepared.x_val, prepared.x_test):
        assert x.dtype == np.float32 and x.flags.c_contiguous
    np.testing.assert_allclose(prepared.x_train.mean(axis=0), 0, atol=1e-5)
    # preprocess replays transform + scaling on raw points.
    train, _, _ = split_indices(data.y, "classification", 0.25, 0.1, 3)
    np.testing.assert_allclose(prepared.preprocess(data.x[train]), prepared.x_train, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(prepared.y_train, data.y[train])
    settings = prepared.preprocessing_dict()
    assert settings["feature_transform"] == {"names": ["x²", "y²"]} and settings["scaler"]["kind"] == "standard"


def test_prepare_regression_and_no_validation() -> None:
    prepared = prepare(load_sklearn("diabetes"), val_fraction=0.0, scaling="minmax")
    assert prepared.x_val.shape == (0, 10) and prepared.y_train.shape == (442, 1)
    assert prepared.x_train.min() == 0.0 and prepared.x_train.max() == 1.0
    assert prepared.num_classes == 0 and prepared.output_size == 1 and prepared.class_names is None


def test_prepare_does_not_touch_the_dataset() -> None:
    data = load_sklearn("iris")
    before = data.x.copy()
    prepare(data)
    np.testing.assert_array_equal(data.x, before)


def test_prepare_refuses_a_transform_for_wide_data() -> None:
    with pytest.raises(DataError, match="2-D data sets"):
        prepare(load_sklearn("iris"), feature_transform=["x", "y"])


def test_prepare_refuses_a_transform_given_as_one_string() -> None:
    with pytest.raises(DataError, match="list of feature names"):
        prepare(playground("xor", 20), feature_transform="xy")
