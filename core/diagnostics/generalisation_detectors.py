"""Overfitting: the validation loss rising while the training loss falls, with the gap between them growing.

Losses are smoothed over `SMOOTHING` epochs so one noisy validation epoch is no verdict, and the pattern must
hold for `SUSTAINED_EPOCHS` epochs in a row.
"""

from __future__ import annotations

import numpy as np

from core.diagnostics.run_history import RunHistory

SMOOTHING = 3
RISE = 1.5  # smoothed validation loss over its best
SUSTAINED_EPOCHS = 5
MIN_RISE = 0.2  # and by at least this share of the run's first loss (tiny losses rise by large factors, harmlessly:
#                an easy, separable set's val loss of 0.03 → 0.12); the gap must grow as much


def _smoothed(values: np.ndarray) -> np.ndarray:
    return np.convolve(values, np.ones(SMOOTHING) / SMOOTHING, mode="valid")


def _overfit_at(train: np.ndarray, val: np.ndarray, min_rise: float) -> dict[str, float] | None:
    train_s, val_s = _smoothed(train), _smoothed(val)
    best = int(np.argmin(val_s))
    now = len(val_s) - 1
    if best == now:
        return None
    rise_ok = val_s[now] >= RISE * val_s[best] and val_s[now] - val_s[best] >= min_rise
    train_falls = train_s[now] < train_s[best]
    gap_best, gap_now = val_s[best] - train_s[best], val_s[now] - train_s[now]
    if rise_ok and train_falls and gap_now >= gap_best + min_rise:
        return {"best_val_loss": float(val_s[best]), "val_loss": float(val_s[now]),
                "train_loss": float(train_s[now]), "gap": float(gap_now), "gap_at_best": float(gap_best),
                "best_epoch": float(best + SMOOTHING)}
    return None


def overfitting(history: RunHistory):
    val = history.val_losses()
    train = history.train_losses()
    if len(val) < SMOOTHING + SUSTAINED_EPOCHS or np.isnan(val).any() or history.start_loss is None:
        return None
    min_rise = MIN_RISE * history.start_loss
    evidence = None
    for end in range(len(val) - SUSTAINED_EPOCHS + 1, len(val) + 1):
        evidence = _overfit_at(train[:end], val[:end], min_rise)
        if evidence is None:
            return None
    return None, evidence, (
        f"The validation loss has risen from {evidence['best_val_loss']:.3g} to {evidence['val_loss']:.3g} while "
        f"the training loss keeps falling: the network memorises the training set.")
