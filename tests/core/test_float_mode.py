"""Denormals flush to zero while a run trains (core.kernels.float_mode), and only then: the caller's own arithmetic
between the Trainer's yields keeps IEEE denormals."""

import numpy as np
import pytest

from core.data import playground, prepare
from core.kernels.float_mode import FLUSH_SUPPORTED, flush_denormals, restore_float_mode
from core.network import Network
from core.spec import default_spec, with_changes
from core.training import Trainer

pytestmark = pytest.mark.skipif(not FLUSH_SUPPORTED, reason="the flush mode is set on x86-64 only")


def half_of_a_denormal() -> float:
    return float(np.float32(1e-39) * np.float32(0.5))  # 5e-40: a denormal, or 0 when flushed


def test_flush_and_restore_on_the_calling_thread():
    assert half_of_a_denormal() > 0.0
    previous = flush_denormals()
    try:
        assert half_of_a_denormal() == 0.0
        assert float(np.float64(1e-310) * 0.5) == 0.0  # float64 denormals too
        assert float(np.float32(1e-30) * np.float32(0.5)) == pytest.approx(5e-31)  # normal numbers untouched
    finally:
        restore_float_mode(previous)
    assert half_of_a_denormal() > 0.0
    restore_float_mode(None)  # a mode nobody saved (unsupported CPU) changes nothing
    assert half_of_a_denormal() > 0.0


@pytest.mark.parametrize("fast_path", [True, False])
def test_the_trainer_flushes_inside_its_steps_and_gives_the_caller_its_mode_back(fast_path):
    data = prepare(playground("xor", num_points=80, noise=0.0, seed=1), val_fraction=0.25)
    spec = with_changes(default_spec(2, 2, hidden=(4,)), {"training.epochs": 2, "training.batch_size": 20})
    trainer = Trainer(Network.from_spec(spec), data, report_every=1, fast_path=fast_path)
    seen_inside = []
    if fast_path:
        steps = trainer.fused
        original = steps.run
        steps.run = lambda *a, **k: (seen_inside.append(half_of_a_denormal()), original(*a, **k))[1]
    else:
        original = trainer.steps.run_batch
        trainer.steps.run_batch = lambda *a, **k: (seen_inside.append(half_of_a_denormal()), original(*a, **k))[1]
    for _ in trainer.run():
        assert half_of_a_denormal() > 0.0  # the caller, between yields
    assert seen_inside and set(seen_inside) == {0.0}
    assert half_of_a_denormal() > 0.0
