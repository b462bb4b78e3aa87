"""scikit-learn's bundled real data sets load with the right shapes and tasks."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import SKLEARN_SETS, DataError, load_sklearn, load_source


@pytest.mark.parametrize("name, samples, features, classes", [
    ("iris", 150, 4, 3), ("wine", 178, 13, 3), ("breast_cancer", 569, 30, 2), ("digits", 1797, 64, 10),
])
def test_classification_sets(name: str, samples: int, features: int, classes: int) -> None:
    data = load_sklearn(name)
    assert data.x.shape == (samples, features) and data.x.dtype == np.float32
    assert data.task == "classification" and data.num_classes == classes == len(data.class_names)
    assert data.y.dtype == np.int64 and set(np.unique(data.y)) == set(range(classes))
    assert len(data.feature_names) == features
    assert data.source == {"kind": "sklearn", "name": name}


def test_diabetes_is_regression() -> None:
    data = load_sklearn("diabetes")
    assert data.x.shape == (442, 10) and data.y.shape == (442, 1) and data.task == "regression"
    assert data.num_classes == 0 and data.output_size == 1 and data.class_names is None
    summary = data.summary()
    assert summary.target_min == [25.0] and summary.target_max == [346.0]


def test_iris_class_names_match_indices() -> None:
    data = load_sklearn("iris")
    assert data.class_names == ["setosa", "versicolor", "virginica"]
    assert data.summary().class_counts == [50, 50, 50]


def test_source_round_trip_gives_the_same_hash() -> None:
    data = load_sklearn("wine")
    assert load_source(data.source).content_hash == data.content_hash


def test_unknown_name() -> None:
    with pytest.raises(DataError, match="field 'name'"):
        load_sklearn("titanic")
    assert set(SKLEARN_SETS) == {"iris", "wine", "breast_cancer", "digits", "diabetes"}
