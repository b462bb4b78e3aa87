"""The six playground sets: shapes, seeds, noise, balance, and click-to-add points."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import CLASSIFICATION_SETS, PLAYGROUND_SETS, REGRESSION_SETS, DataError, add_point, load_source, playground


@pytest.mark.parametrize("name", PLAYGROUND_SETS)
def test_shapes_types_and_range(name: str) -> None:
    data = playground(name, num_points=301, noise=0.2, seed=3)
    assert data.x.shape == (301, 2) and data.x.dtype == np.float32 and data.x.flags.c_contiguous
    assert data.feature_names == ["x", "y"]
    assert np.abs(data.x).max() < 7.5  # Roughly [-6, 6]², a little more with noise.
    if name in CLASSIFICATION_SETS:
        assert data.task == "classification" and data.y.dtype == np.int64 and data.y.shape == (301,)
        assert data.class_names == ["class 0", "class 1"] and data.output_size == 2
    else:
        assert data.task == "regression" and data.y.shape == (301, 1) and data.y.dtype == np.float32
        assert -1.0 <= data.y.min() and data.y.max() <= 1.0 and data.output_size == 1


@pytest.mark.parametrize("name", PLAYGROUND_SETS)
def test_same_seed_same_points_other_seed_other_points(name: str) -> None:
    first, again, other = (playground(name, 200, 0.1, seed) for seed in (5, 5, 6))
    assert first.content_hash == again.content_hash
    np.testing.assert_array_equal(first.x, again.x)
    assert not np.array_equal(first.x, other.x)


@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
def test_classes_are_balanced(name: str) -> None:
    counts = np.bincount(playground(name, num_points=301, seed=1).y)
    assert counts.tolist() == [150, 151]


@pytest.mark.parametrize("name", PLAYGROUND_SETS)
def test_noise_moves_points_or_values(name: str) -> None:
    clean, noisy = playground(name, 400, 0.0, 2), playground(name, 400, 0.5, 2)
    changed = not np.allclose(clean.x, noisy.x) or not np.allclose(clean.y, noisy.y)
    assert changed


def test_noise_free_sets_follow_their_rules() -> None:
    circles = playground("circles", 400, 0.0, 0)
    radius = np.hypot(circles.x[:, 0], circles.x[:, 1])
    assert radius[circles.y == 0].max() <= 2.5 + 1e-5 and radius[circles.y == 1].min() >= 3.5 - 1e-5
    xor = playground("xor", 400, 0.0, 0)
    np.testing.assert_array_equal(xor.y, (xor.x[:, 0] * xor.x[:, 1] > 0).astype(int))
    plane = playground("plane", 400, 0.0, 0)
    np.testing.assert_allclose(plane.y[:, 0], np.clip(plane.x.sum(axis=1) / 10, -1, 1), atol=1e-6)
    gaussians = playground("gaussians", 400, 0.0, 0)
    assert gaussians.x[gaussians.y == 1].mean() > 1.0 > -1.0 > gaussians.x[gaussians.y == 0].mean()


def test_noise_makes_circle_classes_overlap() -> None:
    noisy = playground("circles", 1000, 0.5, 0)
    radius = np.hypot(noisy.x[:, 0], noisy.x[:, 1])
    assert radius[noisy.y == 0].max() > radius[noisy.y == 1].min()


def test_gaussian_noise_widens_the_clouds() -> None:
    narrow, wide = playground("gaussians", 1000, 0.0, 0), playground("gaussians", 1000, 0.5, 0)
    assert wide.x[wide.y == 1].std() > 2 * narrow.x[narrow.y == 1].std()


def test_add_point_appends_and_records_it() -> None:
    data = playground("xor", 100, 0.0, 0)
    more = add_point(data, 1.5, -2.0, 1)
    assert more.num_samples == 101 and data.num_samples == 100  # The original is untouched.
    np.testing.assert_array_equal(more.x[-1], [1.5, -2.0])
    assert more.y[-1] == 1 and more.source["added_points"] == [[1.5, -2.0, 1]]
    assert data.source["added_points"] == []
    assert more.content_hash != data.content_hash
    rebuilt = load_source(more.source)
    assert rebuilt.content_hash == more.content_hash


def test_add_point_to_a_regression_set_keeps_the_value() -> None:
    more = add_point(add_point(playground("plane", 50), 0.0, 0.0, 0.25), 1.0, 1.0, -0.5)
    assert more.y[-2:, 0].tolist() == [0.25, -0.5] and len(more.source["added_points"]) == 2


def test_add_point_refuses_a_class_that_does_not_exist() -> None:
    with pytest.raises(DataError, match="class 0 or 1"):
        add_point(playground("circles", 10), 0.0, 0.0, 2)


def test_add_point_refuses_non_playground_sets() -> None:
    from core.data import load_sklearn

    with pytest.raises(DataError, match="only be added to playground"):
        add_point(load_sklearn("iris"), 0.0, 0.0, 0)


@pytest.mark.parametrize("bad, field", [({"num_points": 0}, "num_points"), ({"noise": 1.5}, "noise"),
                                        ({"seed": -1}, "seed"), ({"name": "moons"}, "name")])
def test_bad_parameters_name_the_field(bad: dict, field: str) -> None:
    arguments = {"name": "circles", "num_points": 10, "noise": 0.1, "seed": 0} | bad
    with pytest.raises(DataError, match=f"field '{field}'"):
        playground(**arguments)


def test_regression_sets_listed() -> None:
    assert set(REGRESSION_SETS) == {"plane", "multi_gaussian"}
    assert set(PLAYGROUND_SETS) == {"circles", "xor", "gaussians", "spiral", "plane", "multi_gaussian"}
