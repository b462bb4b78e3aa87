"""The loss landscape: a quadratic's slice matches its closed form, a trajectory inside the plane projects exactly,
filter normalisation holds per filter, PCA finds the trajectories' plane, and evaluation reports progress and
can be cancelled."""

import numpy as np
import pytest

from core.data import playground, prepare
from core.landscape import (PCA, RANDOM, Directions, LandscapeCancelled, LandscapeError, LossSurface,
                            filter_normalised_random, grid_axis, make_slice, pca_directions, project_trajectory,
                            residual_norms)
from core.network import Network
from core.network.layout import layer_views
from core.spec import default_spec, with_changes


def linear_regression_spec():
    spec = default_spec(3, 2, task="regression", hidden=())
    return with_changes(spec, {"training.loss": "mse", "training.dtype": "float64"})


def test_a_quadratic_loss_slice_matches_its_closed_form():
    rng = np.random.default_rng(1)
    spec = linear_regression_spec()
    x, y = rng.normal(size=(50, 3)), rng.normal(size=(50, 2))
    size = Network.from_spec(spec).params.size
    centre, d1, d2 = rng.normal(size=size), rng.normal(size=size), rng.normal(size=size)
    alpha, beta = grid_axis(2.0, 9), grid_axis(1.5, 7)
    grid = LossSurface(spec, x, y).evaluate(centre, Directions(d1, d2, RANDOM), alpha, beta)

    def residual(flat):  # the linear layer's output minus the targets: linear in the weights
        view = layer_views(spec, flat)[0]
        return x @ view.weight + view.bias

    r0 = residual(centre) - y
    r1, r2 = residual(d1), residual(d2)  # the direction's own change of the output
    a, b = alpha[None, :], beta[:, None]
    expected = (np.mean(r0 * r0) + 2 * a * np.mean(r0 * r1) + 2 * b * np.mean(r0 * r2)
                + a * a * np.mean(r1 * r1) + 2 * a * b * np.mean(r1 * r2) + b * b * np.mean(r2 * r2))
    assert grid.shape == (7, 9)
    np.testing.assert_allclose(grid, expected, rtol=1e-10)


def test_a_trajectory_inside_the_plane_projects_exactly_and_one_outside_reports_its_distance():
    rng = np.random.default_rng(2)
    centre, d1, d2 = rng.normal(size=(3, 40))
    directions = Directions(d1, d2, RANDOM)
    coords = rng.normal(size=(12, 2))
    trajectory = centre + coords @ np.stack([d1, d2])
    np.testing.assert_allclose(project_trajectory(trajectory, centre, directions), coords, rtol=1e-10, atol=1e-12)
    assert residual_norms(trajectory, centre, directions).max() < 1e-10
    normal = rng.normal(size=40)
    normal -= np.column_stack([d1, d2]) @ np.linalg.lstsq(np.column_stack([d1, d2]), normal, rcond=None)[0]
    off = trajectory + 0.5 * normal / np.linalg.norm(normal)
    np.testing.assert_allclose(project_trajectory(off, centre, directions), coords, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(residual_norms(off, centre, directions), 0.5, rtol=1e-9)


def test_filter_normalisation_holds_per_filter_and_batch_norm_gets_no_direction():
    spec = default_spec(4, 3, hidden=(5, 6))
    spec = with_changes(spec, {"layers[0].batch_norm": True})
    centre = np.random.default_rng(3).normal(size=Network.from_spec(spec).params.size)
    layer_views(spec, centre)[1].weight[:, 2] = 0.0  # a dead unit: its filter has no norm to match
    layer_views(spec, centre)[1].bias[2] = 0.0
    directions = filter_normalised_random(spec, centre, seed=4)
    assert directions.kind == RANDOM and not np.array_equal(directions.first, directions.second)
    for direction in (directions.first, directions.second):
        for d, c in zip(layer_views(spec, direction), layer_views(spec, centre)):
            d_norms = np.sqrt((d.weight ** 2).sum(axis=0) + d.bias ** 2)
            c_norms = np.sqrt((c.weight ** 2).sum(axis=0) + c.bias ** 2)
            np.testing.assert_allclose(d_norms, c_norms, rtol=1e-12)
            if d.gamma is not None:
                assert not d.gamma.any() and not d.beta.any()
        assert not layer_views(spec, direction)[1].weight[:, 2].any()
    again = filter_normalised_random(spec, centre, seed=4)
    np.testing.assert_array_equal(again.first, directions.first)


def test_pca_directions_span_the_trajectories_plane_largest_variance_first():
    rng = np.random.default_rng(5)
    centre = rng.normal(size=30)
    u, v = np.linalg.qr(rng.normal(size=(30, 2)))[0].T
    steps = np.linspace(-1, 1, 20)[:, None]
    # v's shares are even in the (symmetric) steps, u's odd: uncorrelated, so the axes are exactly u and v
    trajectories = [centre + 3.0 * steps * u + 0.5 * np.cos(5 * steps) * v,
                    centre - 2.0 * steps * u + 0.3 * steps ** 2 * v]
    directions = pca_directions(trajectories, centre)
    assert directions.kind == PCA and "of the variance" in directions.describe()
    assert abs(directions.first @ u) == pytest.approx(1.0, abs=1e-6)
    assert abs(directions.second @ v) == pytest.approx(1.0, abs=1e-6)
    assert sum(directions.explained) == pytest.approx(1.0) and directions.explained[0] > directions.explained[1]
    for trajectory in trajectories:
        assert residual_norms(trajectory, centre, directions).max() < 1e-9
    with pytest.raises(LandscapeError, match="fewer than two directions"):
        pca_directions([centre + steps * u], centre)


@pytest.fixture(scope="module")
def data():
    return prepare(playground("circles", num_points=150, noise=0.1, seed=2), val_fraction=0.2)


def test_the_grids_centre_is_the_networks_own_evaluation(data):
    spec = with_changes(default_spec(2, 2, hidden=(6,)), {"training.dtype": "float64", "layers[0].dropout": 0.3})
    network = Network.from_spec(spec)
    network.params[:] = np.random.default_rng(6).normal(size=network.params.size)
    result = make_slice(spec, data.x_train, data.y_train, network.params, centre_label="random", grid=5)
    expected, _ = network.evaluate(data.x_train, data.y_train)  # inference mode: no dropout
    assert result.loss[2, 2] == pytest.approx(expected, rel=1e-12)
    assert result.directions.kind == RANDOM and list(result.alpha) == [-1, -0.5, 0, 0.5, 1]
    assert np.isfinite(result.loss).all() and result.paths == {}


def test_progress_is_reported_and_cancel_stops_the_evaluation(data):
    spec = default_spec(2, 2, hidden=(4,))
    centre = Network.from_spec(spec).params
    seen = []
    make_slice(spec, data.x_train, data.y_train, centre, centre_label="start", grid=4,
               progress=lambda done, total: seen.append((done, total)))
    assert seen == [(4, 16), (8, 16), (12, 16), (16, 16)]
    calls = []

    def cancel_after_two_rows():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(LandscapeCancelled):
        make_slice(spec, data.x_train, data.y_train, centre, centre_label="start", grid=4,
                   cancelled=cancel_after_two_rows)
    assert len(calls) == 3


def test_pca_slice_holds_every_projected_path(data):
    rng = np.random.default_rng(7)
    spec = default_spec(2, 2, hidden=(4,))
    centre = Network.from_spec(spec).params.astype(np.float64)
    walks = {name: centre + np.cumsum(rng.normal(scale=0.1, size=(6, centre.size)), axis=0)
             for name in ("adam", "sgd")}
    result = make_slice(spec, data.x_train, data.y_train, centre, centre_label="start", trajectories=walks,
                        grid=7)
    assert result.directions.kind == PCA and set(result.paths) == {"adam", "sgd"}
    for points in result.paths.values():
        assert points.shape == (6, 2)
        assert np.abs(points[:, 0]).max() <= result.alpha[-1] and np.abs(points[:, 1]).max() <= result.beta[-1]


@pytest.mark.parametrize("half_width, points, words", [(1.0, 1, "2 to 401 points"), (1.0, 402, "2 to 401"),
                                                        (0.0, 5, "positive"), (np.nan, 5, "positive")])
def test_bad_grids_are_refused(half_width, points, words):
    with pytest.raises(LandscapeError, match=words):
        grid_axis(half_width, points)
