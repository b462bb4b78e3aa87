"""The fused dense kernel against the general path: the same run (weights, optimizer state, history, random
streams) for every fused optimizer, activation, loss and setting, in float64 (tight) and float32."""

import numpy as np
import pytest

from core.data import playground, prepare
from core.network import Network
from core.optimizers import fused_optimizer_names
from core.spec import default_spec
from core.training import Trainer

ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus"]
# Every fused optimizer of the registry at its catalogue defaults (a new one is tested by registering it), then
# settings that switch on each branch of their updates.
OPTIMIZERS = [{"name": name} for name in fused_optimizer_names()] + [
    {"name": "adam", "lr": 0.01},
    {"name": "adam", "lr": 0.01, "amsgrad": True, "weight_decay": 0.01},
    {"name": "adamw", "lr": 0.01, "weight_decay": 0.1},
    {"name": "sgd", "lr": 0.05},
    {"name": "sgd", "lr": 0.05, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01},
    {"name": "momentum", "lr": 0.05},
    {"name": "nesterov", "lr": 0.05},
]


@pytest.fixture(scope="module")
def circles():
    return prepare(playground("circles", num_points=110, noise=0.1, seed=3), val_fraction=0.2)


@pytest.fixture(scope="module")
def plane():
    return prepare(playground("plane", num_points=110, noise=0.1, seed=4), val_fraction=0.2)


def make_spec(task="classification", hidden=(7, 5), activation="tanh", dropout=0.0, dtype="float64",
              loss=None, **training):
    spec = default_spec(2, 2 if task == "classification" else 1, task=task, hidden=hidden,
                        activation=activation).to_json()
    for layer in spec["layers"][:-1]:
        layer["dropout"] = dropout
    if loss == "binary_cross_entropy":
        spec["layers"][-1].update(units=1, activation="sigmoid")
    spec["training"].update({"epochs": 3, "batch_size": 16, "seed": 5, "dtype": dtype, **training})
    if loss is not None:
        spec["training"]["loss"] = loss
    return spec


def train_both(spec, data, report_every=0):
    """(network, trainer, snapshots) for the fused path, then for the general path."""
    runs = []
    for fast in (True, False):
        net = Network.from_spec(spec)
        trainer = Trainer(net, data, report_every=report_every, fast_path=fast)
        assert (trainer.fused is not None) == fast, trainer.fast_path_refusal
        runs.append((net, trainer, list(trainer.run())))
    return runs


def assert_same_run(fused, general, rtol):
    (net_f, trainer_f, snaps_f), (net_g, trainer_g, snaps_g) = fused, general
    atol = rtol * 1e-2
    np.testing.assert_allclose(net_f.params, net_g.params, rtol=rtol, atol=atol)
    np.testing.assert_allclose(net_f.grads, net_g.grads, rtol=rtol, atol=atol)
    np.testing.assert_allclose(trainer_f.steps.previous_params, trainer_g.steps.previous_params, rtol=rtol,
                               atol=atol)
    for key, array in trainer_g.steps.optimizer.state.items():
        np.testing.assert_allclose(trainer_f.steps.optimizer.state[key], array, rtol=rtol, atol=atol, err_msg=key)
    assert trainer_f.steps.optimizer.steps == trainer_g.steps.optimizer.steps == trainer_g.step == trainer_f.step
    assert trainer_f.rngs["dropout"].bit_generator.state == trainer_g.rngs["dropout"].bit_generator.state
    assert [s.kind for s in snaps_f] == [s.kind for s in snaps_g]
    assert [s.step for s in snaps_f] == [s.step for s in snaps_g]
    for record_f, record_g in zip(trainer_f.history, trainer_g.history, strict=True):
        for key in ("train_loss", "train_metric", "val_loss", "val_metric", "lr"):
            np.testing.assert_allclose(record_f[key], record_g[key], rtol=rtol * 10, err_msg=key)
        np.testing.assert_allclose(record_f["grad_norms"], record_g["grad_norms"], rtol=rtol * 10)


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_each_fused_optimizer_trains_like_the_general_path(circles, optimizer):
    assert_same_run(*train_both(make_spec(optimizer=optimizer), circles), rtol=1e-9)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_each_activation_trains_like_the_general_path(circles, activation):
    assert_same_run(*train_both(make_spec(activation=activation), circles), rtol=1e-9)


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_each_regression_loss_trains_like_the_general_path(plane, loss):
    spec = make_spec("regression", loss=loss, activation="relu", huber_delta=0.3)
    assert_same_run(*train_both(spec, plane), rtol=1e-9)


@pytest.mark.parametrize("shuffle", [True, False])
def test_binary_cross_entropy_trains_like_the_general_path(circles, shuffle):
    assert_same_run(*train_both(make_spec(loss="binary_cross_entropy", shuffle=shuffle), circles), rtol=1e-9)


def test_regression_without_shuffling_reads_the_targets_in_place(plane):
    assert_same_run(*train_both(make_spec("regression", shuffle=False), plane), rtol=1e-9)


@pytest.mark.parametrize("settings", [
    {"l1": 0.01, "l2": 0.02, "decoupled_weight_decay": 0.05},
    {"clipping": {"mode": "value", "value": 0.05}},
    {"clipping": {"mode": "norm", "value": 0.1}},
    {"shuffle": False},
    {"batch_mode": "full"},
    {"batch_mode": "stochastic", "epochs": 1},
], ids=["l1-l2-decay", "clip-value", "clip-norm", "no-shuffle", "full-batch", "stochastic"])
def test_regularisation_clipping_and_batch_modes_match(circles, settings):
    assert_same_run(*train_both(make_spec(**settings), circles), rtol=1e-9)


def test_dropout_uses_the_same_masks_and_leaves_the_stream_where_the_general_path_does(circles):
    spec = make_spec(dropout=0.3, hidden=(9, 6, 4), activation="relu")
    assert_same_run(*train_both(spec, circles), rtol=1e-9)


def test_float32_runs_match_within_float32_rounding(circles):
    spec = make_spec(dtype="float32", dropout=0.2, l2=0.01)
    assert_same_run(*train_both(spec, circles, report_every=3), rtol=2e-4)


def test_matrices_large_enough_for_blas_match(circles):
    """Hidden widths of 64 push the products past the loop threshold (BLAS inside the kernel)."""
    assert_same_run(*train_both(make_spec(hidden=(64, 48), activation="relu"), circles), rtol=1e-9)


def test_per_batch_snapshots_report_what_the_general_path_reports(circles):
    fused, general = train_both(make_spec(epochs=2), circles, report_every=1)
    assert_same_run(fused, general, rtol=1e-9)
    for snap_f, snap_g in zip(fused[2], general[2], strict=True):
        assert (snap_f.kind, snap_f.epoch, snap_f.batch_in_epoch) == (snap_g.kind, snap_g.epoch, snap_g.batch_in_epoch)
        np.testing.assert_allclose(snap_f.train_loss, snap_g.train_loss, rtol=1e-9)
        np.testing.assert_allclose(snap_f.update_ratios, snap_g.update_ratios, rtol=1e-7, atol=1e-12)


def test_chunks_cut_anywhere_in_an_epoch_give_the_same_run(circles, monkeypatch):
    """A bound on the work per call (here ~3 batches) cuts epochs at points that are no report points."""
    import core.training.fused_steps as fused_steps
    spec = make_spec(dropout=0.25)
    batch_macs = 16 * (2 * 7 + 7 * 5 + 5 * 2)
    monkeypatch.setattr(fused_steps, "CHUNK_MACS", 3 * batch_macs)
    fused, general = train_both(spec, circles)
    assert fused[1].fused.max_chunk == 3
    assert_same_run(fused, general, rtol=1e-9)
