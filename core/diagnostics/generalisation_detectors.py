"""Overfitting: the validation loss rising while the training loss falls, with the gap between them growing.

It reads the validation trend (`validation_trend`: losses smoothed over 3 epochs, so one noisy validation epoch
is no verdict), and the pattern must hold for `SUSTAINED_EPOCHS` epochs in a row.
"""

from __future__ import annotations

from core.diagnostics.finding import Verdict
from core.diagnostics.run_history import RunHistory
from core.diagnostics.validation_trend import TrendPoint

RISE = 1.5  # smoothed validation loss over its best
SUSTAINED_EPOCHS = 5
MIN_RISE = 0.2  # and by at least this share of the run's start loss (tiny losses rise by large factors, harmlessly:
#                an easy, separable set's val loss of 0.03 → 0.12); the gap must grow as much


def _overfit(point: TrendPoint | None, min_rise: float, start_loss: float) -> bool:
    # Memorising needs a network that fits its training set better than at the start: a training loss far above
    # its start (a rate so high the loss jumps about in the thousands) makes any validation rise noise, not
    # overfitting, and the lr finding names that run's problem.
    if point is None or not point.train < start_loss:
        return False
    rises = point.val >= RISE * point.best_val and point.val - point.best_val >= min_rise
    gap_grows = point.val - point.train >= point.best_val - point.train_at_best + min_rise
    return rises and point.train < point.train_at_best and gap_grows


def overfitting(history: RunHistory) -> Verdict:
    records = history.recent(SUSTAINED_EPOCHS)
    if len(records) < SUSTAINED_EPOCHS or history.start_loss is None:
        return None
    min_rise = MIN_RISE * history.start_loss
    if not all(_overfit(record.trend, min_rise, history.start_loss) for record in records):
        return None
    point = records[-1].trend
    return None, {"best_val_loss": point.best_val, "val_loss": point.val, "train_loss": point.train,
                  "gap": point.val - point.train, "gap_at_best": point.best_val - point.train_at_best,
                  "best_epoch": float(point.best_epoch)}, (
        f"The validation loss has risen from {point.best_val:.3g} to {point.val:.3g} while the training loss keeps "
        f"falling: the network memorises the training set.")
