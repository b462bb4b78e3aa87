"""Convergence through the Trainer: the toy problems and digits reach their accuracy targets on held-out TEST
data, and every optimizer in the catalogue lowers the loss.

Seeds are fixed, so each run is deterministic on one machine, but not across machines: another CPU's BLAS kernel
or Numba's SIMD code rounds differently, and a training trajectory amplifies that. So each threshold was chosen
from the spread over training seeds, not from one run: the test's setting was run with seeds 0–19 here (a Xeon,
AVX2, OpenBLAS) and with seeds 0–7 (the spiral 0–9) under OPENBLAS_CORETYPE=Sandybridge and NUMBA_CPU_NAME=generic
(other CPUs' code paths), and the threshold sits several test samples below the worst of all those runs. The
comment beside each threshold gives the measured spread."""

import numpy as np
import pytest

from core.data import load_sklearn, playground, prepare
from core.network import Network
from core.spec import OPTIMIZERS, default_spec
from core.training import Trainer, fit


def toy(name, num_points, noise):
    """60 % train, 20 % validation, 20 % test."""
    return prepare(playground(name, num_points=num_points, noise=noise, seed=0), val_fraction=0.2,
                   test_fraction=0.2)


def held_out_accuracy(net, data):
    return net.evaluate(data.x_test, data.y_test)[1]


# Plain SGD, Adagrad and Adadelta crawl at Adam's rate; L-BFGS uses its default. Adadelta at 4.0 with Lookahead
# left 0.79 of its loss on seed 14 against the 0.8 asked; at 8.0 the worst of 20 seeds is 0.50.
LEARNING_RATES = {"sgd": 0.5, "adagrad": 0.2, "adadelta": 8.0, "lbfgs": 1.0}


def toy_spec(hidden, epochs):
    spec = default_spec(2, 2, hidden=hidden, activation="tanh").to_json()
    spec["training"].update(epochs=epochs, batch_size=16, optimizer={"name": "adam", "lr": 0.01})
    return spec


@pytest.mark.slow
def test_xor_reaches_90_percent():
    """XOR, 400 points, noise 0.05: a 2-8-8-2 tanh network, Adam lr 0.01, batch 16, 100 epochs."""
    data = toy("xor", 400, 0.05)
    net, _ = fit(toy_spec((8, 8), 100), data)
    # 80 test points. Seeds 0–19: 0.95–1.0 (worst: seed 8, 76/80); seeds 0–7 gave the same under both
    # emulations. 0.90 (72/80) leaves 4 points of margin; the old 0.97 failed seed 8.
    assert held_out_accuracy(net, data) >= 0.90


@pytest.mark.slow
def test_two_circles_reach_95_percent():
    """Two circles, 400 points, noise 0.1: a 2-8-8-2 tanh network, Adam lr 0.01, batch 16, 100 epochs."""
    data = toy("circles", 400, 0.1)
    net, _ = fit(toy_spec((8, 8), 100), data)
    # 80 test points. Seeds 0–19: 0.9875–1.0 (worst: seed 18, 79/80); seeds 0–7 gave the same under both
    # emulations. 0.95 (76/80) leaves 3 points of margin.
    assert held_out_accuracy(net, data) >= 0.95


@pytest.mark.slow
def test_two_arm_spiral_reaches_92_percent():
    """Two-arm spiral, 1,000 points, noise 0.05: a 2-16-16-16-2 tanh network, Adam lr 0.005, batch 16,
    300 epochs."""
    data = toy("spiral", 1000, 0.05)
    spec = toy_spec((16, 16, 16), 300)
    # lr 0.005, not 0.01: at 0.01 seed 14 collapsed to 0.585 and seed 0 reached 0.95 here but 0.995 under
    # Sandybridge: the run is at the edge of stability. At 0.005, seeds 0–19: 0.975–1.0; seeds 0–9 under
    # Sandybridge 0.985–0.995 and under generic 0.96–0.995. 0.92 (184/200) is 8 points below the worst.
    spec["training"]["optimizer"]["lr"] = 0.005
    net, _ = fit(spec, data)
    assert held_out_accuracy(net, data) >= 0.92


@pytest.mark.slow
def test_digits_reach_94_percent():
    """scikit-learn's digits (65 % train, 15 % validation, 20 % test, standard scaling): a 64-64-10 ReLU
    network, Adam lr 0.001, L2 0.001, batch 32, up to 60 epochs with early stopping (patience 10 on val loss)
    restoring the best weights."""
    data = prepare(load_sklearn("digits"), val_fraction=0.15, test_fraction=0.2)
    spec = default_spec(64, 10, hidden=(64,), activation="relu").to_json()
    spec["training"].update(epochs=60, batch_size=32, l2=1e-3, optimizer={"name": "adam", "lr": 0.001},
                            early_stopping={"enabled": True, "monitor": "val_loss", "patience": 10})
    net, _ = fit(spec, data)
    # 359 test images. Seeds 0–19: 0.958–0.972 (worst: seed 17, 344/359; seeds 1 and 2: 0.9666, 0.9638); seeds
    # 0–7 gave the same under both emulations. 0.94 (338/359) leaves 6 images of margin; the old 0.96 failed
    # seed 17.
    assert held_out_accuracy(net, data) >= 0.94


@pytest.mark.slow
@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("lookahead", [False, True])
def test_every_optimizer_lowers_the_loss(name, lookahead):
    """Circles (200 points) on a 2-8-2 tanh network, 20 epochs of batch 16 (L-BFGS: full batch), each optimizer
    at a learning rate that suits it; the training loss must fall by at least 20 %."""
    if name == "lbfgs" and lookahead:
        pytest.skip("Lookahead cannot wrap L-BFGS (refused by make_optimizer)")
    data = toy("circles", 200, 0.1)
    spec = default_spec(2, 2, hidden=(8,), activation="tanh").to_json()
    spec["training"].update(epochs=20, batch_size=16,
                            optimizer={"name": name, "lr": LEARNING_RATES.get(name, 0.05)},
                            batch_mode="full" if name == "lbfgs" else "mini",
                            lookahead={"enabled": lookahead})
    net = Network.from_spec(spec)
    initial_loss = net.evaluate(data.x_train, data.y_train)[0]
    snaps = list(Trainer(net, data, report_every=0).run())
    final_loss = net.evaluate(data.x_train, data.y_train)[0]
    assert snaps[-1].stop_reason == "completed" and np.isfinite(final_loss)
    # Seeds 0–19, the worst ratio of any optimizer: 0.61 (Adamax + Lookahead), Adadelta + Lookahead 0.50.
    assert final_loss < 0.8 * initial_loss, (initial_loss, final_loss)
