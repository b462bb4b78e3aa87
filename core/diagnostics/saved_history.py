"""The doctor over a trained project's saved history: the findings without training again, and what it could not
check.

A project keeps one record per epoch (`Trainer.history`): the losses, the metrics, the rate and, since the doctor
reads them, each layer's mean |gradient| and ‖Δw‖/‖w‖ of the epoch's last step, the figures the live doctor sees
in its epoch snapshot. Replayed as epoch snapshots into a `Doctor`, they give the same verdicts as the live run
for the detectors that need nothing else. What a saved history can't hold:
- the activation probe (a forward pass over sample rows while the run is going): saturation and dead ReLUs are
  not checked, and neither are vanishing gradients, which must tell a saturated layer from one deep in the net;
- a history saved before the per-layer figures were recorded has no gradients or update ratios: the learning
  rate, exploding gradients, plateau and slow convergence are not checked either; overfitting, which reads the
  losses only, always is.
- the first batch's loss, the "start" the losses are compared with: for classification the loss of a uniform
  guess (ln C) stands in, which the live doctor uses as its floor anyway; for regression the first epoch's mean
  loss does, a lower yardstick (the loss has already fallen during that epoch), so the checks against it are
  more cautious.
Each skipped problem is returned with the reason, so the caller can say what was not checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from core.diagnostics.doctor import Doctor
from core.diagnostics.finding import Finding

NEEDS_PROBE = ("saturation", "dead_relu", "vanishing_gradients")
NEEDS_PER_LAYER = ("lr_too_high", "exploding_gradients", "plateau", "slow_convergence")
PER_LAYER_KEYS = ("grad_mean_abs", "update_ratios")
PROBE_REASON = "they need the activation probe, which runs only while training"
PER_LAYER_REASON = "the saved history has no per-layer gradients (saved by an older version)"


@dataclass
class HistoryDiagnosis:
    findings: list[Finding]
    epochs: int  # the usable epoch records read
    skipped: dict[str, str] = field(default_factory=dict)  # problem -> why it was not checked


class _HistoryDoctor(Doctor):
    """A Doctor that never consults the detectors of `skipped` problems."""

    def __init__(self, spec: dict[str, Any], skipped: dict[str, str]):
        super().__init__(spec, every_epoch=True)
        self.skipped = skipped

    def _detectors(self) -> Iterator[tuple[str, Callable[[], Any]]]:
        for problem, detect in super()._detectors():
            if problem not in self.skipped:
                yield problem, detect


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _finite(value: Any) -> float | None:
    number = _number(value)
    return number if number is not None and math.isfinite(number) else None


def _per_layer(values: Any, layers: int) -> np.ndarray | None:
    """A list of `layers` numbers (infinite allowed: a gradient may blow up), else None."""
    if not isinstance(values, list) or len(values) != layers:
        return None
    numbers = [_number(v) for v in values]
    return None if any(v is None for v in numbers) else np.array(numbers, np.float64)


def usable_records(history: Any) -> list[dict[str, Any]]:
    """The records a Trainer wrote: epochs counting up from 1 with a finite training loss (others are skipped:
    the history comes from a file)."""
    records, last_epoch = [], 0
    for record in history if isinstance(history, list) else []:
        if not isinstance(record, dict):
            continue
        epoch = record.get("epoch")
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch <= last_epoch:
            continue
        if _finite(record.get("train_loss")) is None:
            continue
        records.append(record)
        last_epoch = epoch
    return records


def diagnose_history(spec: dict[str, Any], history: Any, layer_names: list[str]) -> HistoryDiagnosis | None:
    """The doctor's findings over a saved history (`layer_names`: the network's, one per dense block); None when
    the history holds no usable epoch record."""
    from core.training.snapshot import Snapshot
    records = usable_records(history)
    if not records:
        return None
    layers = len(layer_names)
    per_layer = all(_per_layer(record.get(key), layers) is not None for record in records for key in PER_LAYER_KEYS)
    skipped = {problem: PROBE_REASON for problem in NEEDS_PROBE}
    if not per_layer:
        skipped.update({problem: PER_LAYER_REASON for problem in NEEDS_PER_LAYER})
    doctor = _HistoryDoctor(spec, skipped)
    history_so_far = doctor.history
    history_so_far.first_loss = (history_so_far.chance_loss if history_so_far.chance_loss is not None
                                 else float(records[0]["train_loss"]))
    unknown = np.full(layers, np.nan)  # never read: the detectors that need them are skipped
    for record in records:
        epoch = int(record["epoch"])
        doctor.observe(Snapshot(
            kind="epoch", epoch=epoch, step=epoch, batches_per_epoch=1, batch_in_epoch=1,
            train_loss=float(record["train_loss"]), lr=_finite(record.get("lr")) or math.nan, metric_name="",
            val_loss=_finite(record.get("val_loss")), val_metric=_finite(record.get("val_metric")),
            layer_names=list(layer_names),
            grad_mean_abs=_per_layer(record.get("grad_mean_abs"), layers) if per_layer else unknown,
            update_ratios=_per_layer(record.get("update_ratios"), layers) if per_layer else unknown))
    return HistoryDiagnosis(doctor.findings(), len(records), skipped)
