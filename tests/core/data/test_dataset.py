"""Dataset invariants, content hash and summaries."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import DataError, Dataset, playground


def _dataset(x, y, task="classification", class_names=("a", "b")) -> Dataset:
    return Dataset(name="t", x=np.asarray(x), y=np.asarray(y), task=task, feature_names=["f0", "f1"],
                   class_names=list(class_names) if task == "classification" else None,
                   target_names=["class"] if task == "classification" else ["v"], source={})


def test_arrays_are_normalised() -> None:
    data = _dataset(np.asfortranarray(np.ones((3, 2))), [0, 1, 0])
    assert data.x.dtype == np.float32 and data.x.flags.c_contiguous and data.y.dtype == np.int64
    regression = _dataset(np.ones((3, 2)), [0.5, 1.5, 2.5], task="regression")
    assert regression.y.shape == (3, 1) and regression.y.dtype == np.float32 and regression.num_classes == 0


def test_float32_input_is_not_copied() -> None:
    x = np.ones((4, 2), dtype=np.float32)
    assert _dataset(x, [0, 1, 0, 1]).x is x


@pytest.mark.parametrize("x, y, match", [
    (np.ones((3, 2)), [0, 1], "3 feature rows but 2 targets"),
    (np.ones(3), [0, 1, 0], "2-D"),
    (np.ones((3, 2)), [0, 1, 5], "class indices"),
])
def test_inconsistent_arrays_are_refused(x, y, match: str) -> None:
    with pytest.raises(DataError, match=match):
        _dataset(x, y)


def test_content_hash_changes_when_one_value_changes() -> None:
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10) % 2
    base = _dataset(x, y).content_hash
    assert len(base) == 64 and base == _dataset(x.copy(), y.copy()).content_hash
    changed_x = x.copy()
    changed_x[7, 1] += 1e-3
    assert _dataset(changed_x, y).content_hash != base
    changed_y = y.copy()
    changed_y[0] = 1
    assert _dataset(x, changed_y).content_hash != base
    # Same bytes, different shape: still a different data set.
    assert _dataset(x.reshape(5, 4)[:, :2].copy(), y[:5]).content_hash != _dataset(x[:5], y[:5]).content_hash


def test_summary_classification() -> None:
    summary = playground("circles", num_points=100, seed=0).summary()
    assert (summary.num_samples, summary.num_features, summary.task) == (100, 2, "classification")
    assert summary.class_counts == [50, 50] and summary.class_names == ["class 0", "class 1"]
    assert summary.feature_names == ["x", "y"] and len(summary.content_hash) == 64
    text = summary.describe()
    assert "100 samples" in text and "class 0 50" in text


def test_summary_regression_range() -> None:
    data = _dataset(np.ones((3, 2)), [-2.0, 0.5, 4.0], task="regression")
    summary = data.summary()
    assert summary.target_min == [-2.0] and summary.target_max == [4.0] and summary.class_counts is None
    assert "target v: -2 to 4" in summary.describe()
