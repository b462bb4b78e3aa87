"""The doctor's thinning cadence: the probe and the detectors run every epoch at first, then ever more rarely,
always at the end; a problem that persists is still found on the sparse passes, from probes far apart."""

from __future__ import annotations

import numpy as np

from core.diagnostics import Doctor
from core.diagnostics.doctor import EVERY_EPOCH_UNTIL
from core.spec import default_spec
from core.training.snapshot import Snapshot

LAYERS = ["layer 1 (tanh)", "layer 2 (tanh)", "output (softmax)"]


class CountingProbe:
    """Stands in for ActivationProbe: saturated from `saturated_from` on, and counts its measurements."""

    def __init__(self, saturated_from: int):
        self.saturated_from, self.epochs = saturated_from, []
        self.epoch = 0

    def measure(self):
        self.epochs.append(self.epoch)
        share = 0.9 if self.epoch >= self.saturated_from else 0.0
        return np.array([share, 0.0]), np.array([np.nan, np.nan])


def snapshot(kind: str, epoch: int, loss: float) -> Snapshot:
    return Snapshot(kind=kind, epoch=epoch, step=epoch * 10, batches_per_epoch=10, batch_in_epoch=10,
                    train_loss=loss, lr=0.01, metric_name="accuracy", layer_names=list(LAYERS),
                    grad_mean_abs=np.array([1e-2, 1e-2, 1e-2]), update_ratios=np.array([1e-3, 1e-3, 1e-3]),
                    batch_losses=np.full(10, loss))


def watch(epochs: int, saturated_from: int, every_epoch: bool = False) -> tuple[Doctor, CountingProbe]:
    probe = CountingProbe(saturated_from)
    doctor = Doctor(default_spec(2, 2), planned_epochs=epochs, probe=probe, every_epoch=every_epoch)
    for epoch in range(1, epochs + 1):
        probe.epoch = epoch
        doctor.observe(snapshot("epoch", epoch, 0.69))  # a loss that stays at a uniform guess's: no learning
    doctor.observe(snapshot("end", epochs, 0.69))
    return doctor, probe


def test_every_epoch_at_first_then_thinning_and_always_at_the_end():
    doctor, probe = watch(100, saturated_from=10**9)
    assert probe.epochs[:EVERY_EPOCH_UNTIL] == list(range(1, EVERY_EPOCH_UNTIL + 1))
    gaps = np.diff(probe.epochs)
    assert np.all(gaps[EVERY_EPOCH_UNTIL:] >= 2) and np.all(np.diff(gaps) >= 0)  # ever rarer
    assert len(probe.epochs) <= 20 and doctor.passes == len(probe.epochs) + 1  # + the end's pass (no probe)
    _, every = watch(100, saturated_from=10**9, every_epoch=True)
    assert every.epochs == list(range(1, 101))


def test_a_problem_that_starts_late_is_found_from_probes_far_apart():
    doctor, probe = watch(100, saturated_from=40)
    found = {finding.problem: finding for finding in doctor.findings()}
    assert "saturation" in found
    later_probes = [epoch for epoch in probe.epochs if epoch >= 40]
    assert found["saturation"].epoch == later_probes[1]  # the second probe that saw it: "held" over two probes
    assert later_probes[1] - later_probes[0] > 2  # probes far apart, not consecutive epochs
