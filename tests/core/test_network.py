"""The Network's contract: spec round trip, flat buffers and their views, input checks with located messages,
predict/evaluate/layer activations, state save/restore, divergence location and seeded reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from core.network import Network, NetworkError
from core.spec import SpecError, default_spec
from tests.core.gradcheck_helpers import make_data, make_spec


def _classifier(**kwargs) -> Network:
    spec = default_spec(2, 3).to_json()
    spec["layers"][0].update(batch_norm=True)
    spec["layers"][1].update(dropout=0.2, residual=True)
    return Network.from_spec(spec, **kwargs)


def _xy(n=20, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)), rng.integers(0, 3, size=n)


def test_spec_round_trip_rebuilds_the_same_network():
    net = _classifier(seed=3, dtype="float64")
    spec = net.to_spec()
    assert spec["training"]["seed"] == 3 and spec["training"]["dtype"] == "float64"
    twin = Network.from_spec(spec)
    assert twin.to_spec() == spec
    assert twin.dtype == np.float64 and twin.layer_names == net.layer_names
    np.testing.assert_array_equal(twin.params, net.params)
    with pytest.raises(TypeError, match="read-only"):  # the spec it hands out can't change the network's
        spec["layers"][0]["units"] = 99
    assert net.to_spec()["layers"][0]["units"] == 8


def test_invalid_spec_is_refused_with_the_spec_error():
    spec = default_spec().to_json()
    spec["layers"][0]["units"] = 0
    with pytest.raises(SpecError, match="layer 1"):
        Network.from_spec(spec)
    with pytest.raises(NetworkError, match="float32 or float64"):
        Network.from_spec(default_spec(), dtype="int32")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_one_flat_buffer_with_named_views(dtype):
    net = _classifier(dtype=dtype)
    assert net.params.dtype == net.grads.dtype == net.buffers.dtype == np.dtype(dtype)
    assert net.params.ndim == 1 and net.params.shape == net.grads.shape == net.weight_mask.shape
    names = [name for name, _ in net.parameters()]
    assert names == ["layers.0.weight", "layers.0.bias", "layers.0.bn.weight", "layers.0.bn.bias",
                     "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"]
    assert [name for name, _ in net.named_buffers()] == ["layers.0.bn.running_mean", "layers.0.bn.running_var"]
    shapes = {name: view.shape for name, view in net.parameters()}
    assert shapes["layers.0.weight"] == (2, 8) and shapes["layers.2.weight"] == (8, 3)
    assert sum(view.size for _, view in net.parameters()) == net.params.size == net.num_params
    for (name, view), (grad_name, grad) in zip(net.parameters(), net.named_grads()):
        assert name == grad_name and np.shares_memory(view, net.params) and np.shares_memory(grad, net.grads)
    net.params[:] = 0.5
    assert all((view == 0.5).all() for _, view in net.parameters())
    weights = sum(view.size for name, view in net.parameters() if name.endswith(".weight") and ".bn." not in name)
    assert net.weight_mask.sum() == weights
    slices = net.layer_param_slices
    assert slices[0].start == 0 and slices[-1].stop == net.params.size
    assert all(a.stop == b.start for a, b in zip(slices, slices[1:]))
    assert net.layer_names == ["layer 1 (tanh)", "layer 2 (tanh)", "output (softmax)"]


@pytest.mark.parametrize("bad,message", [
    (np.zeros((4, 3)), "input has 3 features, the network expects 2"),
    (np.where(np.arange(40).reshape(20, 2) == 35, np.nan, 0.0), "input row 17 contains NaN"),
    (np.where(np.arange(40).reshape(20, 2) == 4, np.inf, 0.0), "input row 2 contains inf"),
    (np.zeros(2), r"must be 2-D \(samples × features\), got a 1-D array of shape \(2,\); for one sample"),
    (np.zeros((2, 2, 2)), "got a 3-D array"),
    (np.zeros((0, 2)), "input has no rows"),
    (np.array([["a", "b"]]), "input must be numbers"),
    (np.full((1, 2), 1e300), "input row 0 contains inf .a value too large for float32"),
])
def test_bad_inputs_are_refused_everywhere_with_one_error_type(bad, message):
    net = _classifier()
    with pytest.raises(NetworkError, match=message):
        net.predict(bad)
    with pytest.raises(NetworkError, match=message):
        net.forward(bad, training=True)
    with pytest.raises(NetworkError, match=message):
        net.loss_and_grad(bad, np.zeros(len(bad), int))
    with pytest.raises(NetworkError, match=message):
        net.evaluate(bad, np.zeros(len(bad), int))


def test_lists_and_integers_are_accepted_as_input():
    net = _classifier()
    np.testing.assert_allclose(net.predict([[1, 2], [3, 4]]), net.predict(np.array([[1.0, 2.0], [3.0, 4.0]])))


def test_bad_targets_and_state_are_refused():
    net = _classifier()
    x, _ = _xy(5)
    with pytest.raises(NetworkError, match="targets have 3 rows but the input has 5 rows"):
        net.loss_and_grad(x, [0, 1, 2])
    with pytest.raises(NetworkError, match="has shape"):
        net.set_state({"params": np.zeros(3), "buffers": net.buffers})
    with pytest.raises(NetworkError, match="batch_size"):
        net.predict(x, batch_size=0)


def test_predict_gives_probabilities_and_evaluate_matches_the_loss():
    net = _classifier(dtype="float64")
    x, y = _xy(50)
    probabilities = net.predict(x, batch_size=7)
    assert probabilities.shape == (50, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(probabilities, net.predict(x), rtol=1e-12)
    loss, accuracy = net.evaluate(x, y, batch_size=7)
    logits = net.forward(x, training=False).copy()
    assert loss == pytest.approx(net.loss.value(logits, y), rel=1e-12)
    assert accuracy == np.mean(probabilities.argmax(axis=1) == y)
    assert net.evaluate(x, y) == pytest.approx((loss, accuracy), rel=1e-12)


def test_sigmoid_and_regression_outputs():
    binary = Network.from_spec(make_spec(3, [{"units": 4}], "binary_cross_entropy", output_units=1), seed=0)
    x, y = make_data(binary, 10)
    p = binary.predict(x)
    assert p.shape == (10, 1) and ((p > 0) & (p < 1)).all()
    regression = Network.from_spec(make_spec(3, [{"units": 4}], "mse", output_activation="tanh"), seed=0)
    out = regression.predict(x)
    np.testing.assert_array_equal(out, regression.forward(x, training=False))
    assert (np.abs(out) < 1).all()


def test_layer_activations_are_each_blocks_output_in_evaluation_mode():
    net = _classifier()
    x, _ = _xy(9)
    maps = net.layer_activations(x, batch_size=4)
    assert [m.shape for m in maps] == [(9, 8), (9, 8), (9, 3)]
    np.testing.assert_allclose(maps[-1], net.predict(x), rtol=1e-6)
    assert (np.abs(maps[0]) < 1).all()  # tanh


def test_backward_overwrites_and_loss_and_grad_is_reproducible_with_a_seeded_rng():
    net = _classifier(dtype="float64")
    x, y = _xy(16)
    first = net.loss_and_grad(x, y, rng=np.random.default_rng(5))
    grads = net.grads.copy()
    assert np.abs(grads).sum() > 0
    assert net.loss_and_grad(x, y, rng=np.random.default_rng(5)) == first
    np.testing.assert_array_equal(net.grads, grads)  # not accumulated
    net.loss_and_grad(x, y, rng=np.random.default_rng(6))
    assert not np.array_equal(net.grads, grads)


def test_backward_returns_the_input_gradient_and_checks_its_argument():
    net = _classifier()
    x, _ = _xy(4)
    out = net.forward(x, training=False)
    assert net.backward(np.ones_like(out)).shape == (4, 2)
    with pytest.raises(NetworkError, match="output gradient has shape"):
        net.backward(np.ones((3, 3)))


def test_state_round_trip_restores_outputs():
    net = _classifier(dtype="float64")
    x, y = _xy(30)
    state = net.get_state()
    before = net.predict(x)
    for _ in range(3):
        net.loss_and_grad(x, y)
        net.params -= 0.1 * net.grads
    assert not np.allclose(net.predict(x), before)
    net.set_state(state)
    np.testing.assert_array_equal(net.predict(x), before)
    assert state["params"] is not net.params


def test_first_nonfinite_layer_names_the_block():
    net = _classifier()
    x, y = _xy(8)
    net.loss_and_grad(x, y)
    assert net.first_nonfinite_layer() is None
    net.params[net.layer_param_slices[1]][0] = np.nan
    assert net.first_nonfinite_layer() == "layer 2 (tanh)"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_descent_learns_a_toy_problem(dtype):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # XOR-like quadrants
    spec = default_spec(2, 2, hidden=(16, 16), activation="relu")
    net = Network.from_spec(spec, seed=1, dtype=dtype)
    start, _ = net.evaluate(x, y)
    for _ in range(300):
        net.loss_and_grad(x, y)
        net.params -= 0.5 * net.grads
    loss, accuracy = net.evaluate(x, y)
    # Over initial-weight seeds 0–19 (both dtypes): loss ratio ≤ 0.39, training accuracy ≥ 0.915. 0.85 keeps 13
    # of the 200 points as margin (the old 0.9 was 3 points below the worst seed).
    assert loss < 0.5 * start
    assert accuracy > 0.85
