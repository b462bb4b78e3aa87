"""Every step's loss reaches exactly one Snapshot (`batch_losses`), whatever `report_every` is, on both paths."""

import numpy as np
import pytest

from core.data import playground, prepare
from core.network import Network
from core.spec import default_spec
from core.training import Trainer
from core.training.step_losses import StepLosses


@pytest.fixture(scope="module")
def data():
    # 90 training rows in batches of 16: five full batches and a partial one of 10 per epoch.
    return prepare(playground("circles", num_points=120, noise=0.1, seed=3), val_fraction=0.25)


def make_spec(**training):
    spec = default_spec(2, 2, hidden=(6,), activation="tanh").to_json()
    spec["training"].update({"epochs": 4, "batch_size": 16, "seed": 5, **training})
    return spec


def run(spec, data, report_every, fast_path):
    trainer = Trainer(Network.from_spec(spec), data, report_every=report_every, fast_path=fast_path)
    assert (trainer.fused is not None) == fast_path, trainer.fast_path_refusal
    return trainer, list(trainer.run())


def per_batch_losses(spec, data, fast_path):
    """The losses a report_every=1 run reports as train_loss, one "batch" snapshot per step."""
    _, snaps = run(spec, data, 1, fast_path)
    batch = [s for s in snaps if s.kind == "batch"]
    assert [s.step for s in batch] == list(range(1, len(batch) + 1))
    return np.array([s.train_loss for s in batch])


@pytest.mark.parametrize("fast_path", [True, False], ids=["fused", "general"])
@pytest.mark.parametrize("report_every", [0, 1, 2, 4, 7])
@pytest.mark.parametrize("early_stopping", [False, True], ids=["all-epochs", "early-stopping"])
def test_the_snapshots_carry_every_steps_loss_exactly_once(data, fast_path, report_every, early_stopping):
    settings = {"early_stopping": {"enabled": True, "monitor": "train_loss", "patience": 1, "min_delta": 10.0}
                } if early_stopping else {}
    spec = make_spec(**settings)
    trainer, snaps = run(spec, data, report_every, fast_path)
    assert (snaps[-1].stop_reason == "early stopping") == early_stopping
    assert trainer.step == (2 if early_stopping else 4) * 6
    for snap in snaps:
        assert snap.batch_losses.dtype == np.float64
        steps = snap.batch_loss_steps()
        assert len(steps) == len(snap.batch_losses) and (not len(steps) or steps[-1] == snap.step)
    losses = np.concatenate([s.batch_losses for s in snaps])
    assert len(losses) == trainer.step
    np.testing.assert_array_equal(np.concatenate([s.batch_loss_steps() for s in snaps]),
                                  np.arange(1, trainer.step + 1))
    np.testing.assert_array_equal(losses, per_batch_losses(spec, data, fast_path))
    last_batch = [s for s in snaps if s.kind == "batch"]
    for snap in last_batch:  # a batch snapshot's train_loss is its newest batch's loss
        assert snap.batch_losses[-1] == snap.train_loss


def test_a_diverged_batch_is_no_step_and_has_no_loss(data):
    spec = make_spec(epochs=20, optimizer={"name": "sgd", "lr": 1e4})
    trainer, snaps = run(spec, data, 3, fast_path=True)
    assert snaps[-1].diverged
    assert sum(len(s.batch_losses) for s in snaps) == trainer.step
    assert np.isfinite(np.concatenate([s.batch_losses for s in snaps])).all()


def test_step_losses_grow_and_hand_out_copies():
    log = StepLosses(capacity=2)
    for value in range(5):
        log.append(float(value))
    log.extend(np.arange(5.0, 300.0))
    taken = log.take()
    np.testing.assert_array_equal(taken, np.arange(300.0))
    log.append(-1.0)
    np.testing.assert_array_equal(taken, np.arange(300.0))  # the taken array is not the buffer
    np.testing.assert_array_equal(log.take(), [-1.0])
    assert len(log) == 0 and log.take().size == 0
