"""One or two steps computed by hand for SGD, momentum, Nesterov, Adam and AdamW, in float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest

from core.optimizers import SGD, Adam, AdamW, Momentum, Nesterov

DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
def test_sgd_step(dtype: type) -> None:
    params = np.array([1.0, -2.0], dtype=dtype)
    SGD(params, lr=0.1).step(np.array([0.5, -1.0], dtype=dtype))
    np.testing.assert_allclose(params, [0.95, -1.9], rtol=1e-6)
    assert params.dtype == dtype


def test_sgd_with_coupled_weight_decay() -> None:
    params = np.array([1.0, -2.0])
    SGD(params, lr=0.1, weight_decay=0.5).step(np.array([0.5, -1.0]))
    # g + wd·w = [1.0, -2.0]
    np.testing.assert_allclose(params, [0.9, -1.8])


@pytest.mark.parametrize("dtype", DTYPES)
def test_momentum_two_steps(dtype: type) -> None:
    params = np.array([1.0], dtype=dtype)
    optimizer = Momentum(params, lr=0.1)  # momentum 0.9
    grads = np.array([1.0], dtype=dtype)
    optimizer.step(grads)  # buffer = g = 1 → w = 0.9
    optimizer.step(grads)  # buffer = 0.9·1 + 1 = 1.9 → w = 0.9 − 0.19
    np.testing.assert_allclose(params, [0.71], rtol=1e-6)
    np.testing.assert_allclose(optimizer.state["momentum_buffer"], [1.9], rtol=1e-6)


def test_nesterov_two_steps() -> None:
    params = np.array([1.0])
    optimizer = Nesterov(params, lr=0.1)
    optimizer.step(np.array([1.0]))  # buffer 1, step g + 0.9·1 = 1.9 → 0.81
    optimizer.step(np.array([1.0]))  # buffer 1.9, step 1 + 0.9·1.9 = 2.71 → 0.539
    np.testing.assert_allclose(params, [0.539])


@pytest.mark.parametrize("dtype", DTYPES)
def test_adam_first_step_moves_each_weight_by_lr(dtype: type) -> None:
    params = np.array([1.0, 1.0, 1.0], dtype=dtype)
    Adam(params, lr=0.01).step(np.array([4.0, -0.1, 0.0], dtype=dtype))
    # bias-corrected m̂ = g, v̂ = g² → step = lr·g/(|g| + 1e-8)
    np.testing.assert_allclose(params, [1.0 - 0.01 * 4 / (4 + 1e-8), 1.0 + 0.01 * 0.1 / (0.1 + 1e-8), 1.0],
                               rtol=1e-6)


def test_adam_second_step_by_hand() -> None:
    params = np.array([0.0])
    optimizer = Adam(params, lr=0.1)
    optimizer.step(np.array([1.0]))
    optimizer.step(np.array([3.0]))
    m = 0.9 * 0.1 + 0.1 * 3.0  # 0.39
    v = 0.999 * 0.001 + 0.001 * 9.0  # 0.009999
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
    expected = -0.1 / (1 + 1e-8) - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(params, [expected], rtol=1e-12)


def test_adamw_decays_the_weight_apart_from_the_gradient() -> None:
    params = np.array([2.0, 2.0])
    AdamW(params, lr=0.1, weight_decay=0.5).step(np.array([1.0, 0.0]))
    # w·(1 − 0.1·0.5) then the Adam step (±lr where g ≠ 0)
    np.testing.assert_allclose(params, [2.0 * 0.95 - 0.1 / (1 + 1e-8), 2.0 * 0.95], rtol=1e-12)


def test_the_gradient_buffer_is_not_modified() -> None:
    params, grads = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    Adam(params, weight_decay=0.1).step(grads)
    np.testing.assert_array_equal(grads, [0.5, 0.5])


@pytest.mark.parametrize("fast_path", [True, False], ids=["fused-kernel", "general-path"])
def test_adam_first_step_through_the_trainer_moves_each_weight_by_lr(fast_path: bool) -> None:
    """The fused kernel computes Adam's bias correction on its own: one step of a real run moves every entry
    with a clear gradient by lr·sign(g) (without the correction the first step would be lr·0.1/√0.001 ≈ 3.2·lr)."""
    from core.data import playground, prepare
    from core.network import Network
    from core.spec import default_spec
    from core.training import Trainer

    data = prepare(playground("circles", num_points=40, noise=0.1, seed=2), val_fraction=0.0)
    spec = default_spec(2, 2, hidden=(5,), activation="tanh").to_json()
    spec["training"].update(epochs=1, batch_mode="full", shuffle=False, optimizer={"name": "adam", "lr": 0.01})
    net = Network.from_spec(spec)
    before = net.params.copy()
    net.loss_and_grad(net.check_input(data.x_train), data.y_train)
    gradient = net.grads.copy()
    trainer = Trainer(net, data, report_every=0, fast_path=fast_path)
    assert (trainer.fast_path_refusal is None) == fast_path
    list(trainer.run())
    clear = np.abs(gradient) > 1e-4  # here eps = 1e-8 and float32 round-off are far below 1e-4 of the step
    assert clear.sum() > 10
    np.testing.assert_allclose((net.params - before)[clear], -0.01 * np.sign(gradient[clear]), rtol=1e-3)
