"""Detectors of the optimisation going wrong as a whole: a learning rate too high, exploding gradients, a plateau
and slow convergence. Each is a pure function of the run's history returning (layer, evidence, message) or None.

What must not be confused:
- a rate too high moves every layer too far at once (large Δw/w) and the loss jumps or sits far above its start;
  its gradients are not ordered by depth;
- an exploding net has huge gradients (the forward signal and the backward signal grow layer by layer), or
  gradients that grow through depth (early layers ≫ the last) or from epoch to epoch, whatever the rate. A
  diverged run is "exploding" only when its last gradients show that; otherwise its rate was too high.
"""

from __future__ import annotations

import numpy as np

from core.diagnostics.finding import Verdict
from core.diagnostics.run_history import RunHistory

FAR_ABOVE_START = 3.0  # an epoch's mean loss at least this many times the start loss (RunHistory.start_loss)
FAR_EPOCHS = 3  # epochs in a row
LARGE_UPDATE_RATIO = 0.1  # ‖Δw‖/‖w‖ of one step: healthy runs sit near 1e-3
HUGE_GRADIENT = 1e3  # a mean |gradient| no healthy layer reaches (healthy runs: below ~1)
DEPTH_EXPLOSION = 10.0  # the first layer's mean |gradient| this many times the last layer's
GROWTH_PER_EPOCH = 10.0
LARGE_GRADIENT = 1.0  # a growing gradient counts once it is this large (near a minimum a tiny one jumps about)
FLAT_WINDOW = 5  # epochs
FLAT_RANGE = 0.02  # relative range of the train loss over the window that counts as flat
NO_PROGRESS = 0.8  # a loss at least this share of the start loss has learnt little
SMALL_GRADIENT = 1e-3  # median over layers of the mean |gradient|
USEFUL_SHARE = 0.25  # a useful loss: a quarter of the start loss
SLOW_MIN_FALL = 0.005  # a slow descent: lower every epoch of the window, and by this share of its mean in all
ACCELERATING = 1.5  # the window's last fall this many times its first: the fall is speeding up
SLOW_AFTER_SHARE = 0.25  # judge the pace only after this share of the planned epochs (a fall often speeds up)


def depth_ratio(grad_mean_abs: np.ndarray) -> float:
    """The first layer's mean |gradient| over the last layer's (nan when the last is 0)."""
    last = float(grad_mean_abs[-1])
    return float(grad_mean_abs[0]) / last if last > 0.0 else float("nan")


def lr_too_high(history: RunHistory) -> Verdict:
    first = history.start_loss
    if first is None or first <= 0.0:
        return None
    if history.diverged and not _exploded(history):
        grads = history.end_grad_mean_abs
        return None, {"start_loss": first, "max_mean_abs_gradient": float(np.max(grads)) if grads is not None
                      and len(grads) else float("nan")}, (
            "The run diverged with gradients of ordinary size: the steps, not the gradients, were too large, so "
            "the learning rate is too high for this network.")
    records = history.recent(FAR_EPOCHS)
    if len(records) < FAR_EPOCHS or not all(record.train_loss >= 0.9 * first for record in records):
        return None  # cheap first (every pass of a healthy run ends here): both verdicts below need this
    losses = history.train_losses(FAR_EPOCHS)
    if np.all(losses >= FAR_ABOVE_START * first):
        ratio = float(history.recent(1)[0].update_ratios.max())
        return None, {"start_loss": first, "loss": float(losses[-1]), "loss_over_start": float(losses[-1] / first),
                      "max_update_ratio": ratio}, (
            f"The loss stays far above where it started ({losses[-1]:.3g} against {first:.3g}): each step jumps "
            f"past the valley, the learning rate is too high.")
    ratios = np.array([record.update_ratios.max() for record in records])
    if np.all(ratios >= LARGE_UPDATE_RATIO):
        return None, {"start_loss": first, "loss": float(losses[-1]), "min_update_ratio": float(ratios.min())}, (
            f"The loss makes no progress while every step changes the weights by {ratios.min():.0%} or more: "
            f"the learning rate is too high.")
    return None


def _exploded(history: RunHistory) -> bool:
    """The last gradients before the end were huge, or ordered by depth (the first layer's ≫ the last's)."""
    grads = history.end_grad_mean_abs
    if grads is None or not len(grads):
        return False
    with np.errstate(invalid="ignore"):
        huge = not np.all(np.isfinite(grads)) or float(np.max(grads)) >= HUGE_GRADIENT
    return huge or (len(grads) >= 2 and depth_ratio(grads) >= DEPTH_EXPLOSION)


def exploding_gradients(history: RunHistory) -> Verdict:
    if history.diverged and _exploded(history):
        grads = history.end_grad_mean_abs
        return history.diverged_layer, {"max_mean_abs_gradient": float(np.nan_to_num(np.max(grads), nan=np.inf)),
                                        "first_over_last_gradient": depth_ratio(grads)}, (
            f"The run diverged with gradients of {np.max(grads):.3g} on average per weight: they explode on their "
            f"way through the network (a healthy gradient is below 1).")
    records = history.recent(3)
    if len(records) < 3 or not records[-1].train_loss > records[0].train_loss:
        return None  # a loss that does not rise: cheap first, every healthy pass ends here
    if not np.any(records[-1].grad_mean_abs >= LARGE_GRADIENT):
        return None  # no layer's gradient is large yet (a nan is not large)
    grads = np.array([record.grad_mean_abs for record in records])
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = grads[1:] / grads[:-1]
    losses = history.train_losses(3)
    growing = np.all(growth >= GROWTH_PER_EPOCH, axis=0) & (grads[-1] >= LARGE_GRADIENT) & (losses[-1] > losses[0])
    if growing.any():
        layer = int(np.argmax(np.where(growing, growth.min(axis=0), 0.0)))
        return history.layer_names[layer] if layer < len(history.layer_names) else None, {
            "growth_per_epoch": float(growth[:, layer].min()), "mean_abs_gradient": float(grads[-1, layer])}, (
            f"The gradients grow {growth[:, layer].min():.3g}× or more every epoch while the loss rises: they are "
            f"exploding.")
    return None


def plateau(history: RunHistory) -> Verdict:
    first = history.start_loss
    if first is None or not _window_at_most_fell_to(history, NO_PROGRESS * first):
        return None  # cheap first: a loss that fell below this is no plateau (every healthy pass ends here)
    window = history.train_losses(FLAT_WINDOW)
    spread = float((window.max() - window.min()) / max(window.mean(), 1e-12))
    gradient = float(np.median(history.recent(1)[0].grad_mean_abs))
    if spread < FLAT_RANGE and window[-1] >= NO_PROGRESS * first and gradient < SMALL_GRADIENT:
        return None, {"loss": float(window[-1]), "start_loss": first, "relative_spread": spread,
                      "median_mean_abs_gradient": gradient}, (
            f"The loss has been flat near its start ({window[-1]:.3g}) for {FLAT_WINDOW} epochs while the gradients "
            f"are tiny: the run is stuck on a plateau or saddle.")
    return None


def _window_at_most_fell_to(history: RunHistory, floor: float) -> bool:
    """A full window of `FLAT_WINDOW` epochs whose last training loss is still at or above `floor`: what a
    plateau and a slow descent both need, checked before any array is made."""
    records = history.recent(FLAT_WINDOW)
    return len(records) == FLAT_WINDOW and records[-1].train_loss >= floor


def _slope(values: np.ndarray) -> float:
    """The least-squares slope of `values` against 0, 1, 2, … (per epoch)."""
    steps = np.arange(len(values), dtype=np.float64) - (len(values) - 1) / 2.0
    return float(np.dot(steps, values - values.mean()) / np.dot(steps, steps))


def slow_convergence(history: RunHistory, planned_epochs: int | None) -> Verdict:
    first = history.start_loss
    if (first is None or planned_epochs is None or history.last_epoch < SLOW_AFTER_SHARE * planned_epochs
            or not _window_at_most_fell_to(history, NO_PROGRESS * first)):
        return None  # cheap first: a loss below this has made progress (every healthy pass ends here)
    window = history.train_losses(FLAT_WINDOW)
    slope = _slope(window)
    spread = float((window.max() - window.min()) / max(window.mean(), 1e-12))
    if spread < SLOW_MIN_FALL or float(np.median(history.recent(1)[0].grad_mean_abs)) < SMALL_GRADIENT:
        return None  # a flat loss or flat gradients: a plateau or saddle, not a slow descent
    if (slope >= 0.0 or np.any(np.diff(window) >= 0.0) or window[-1] < NO_PROGRESS * first
            or window[-1] >= FAR_ABOVE_START * first):  # falling steadily, from near its start
        return None
    falls = -np.diff(window)  # all > 0 here
    if falls[-1] >= ACCELERATING * falls[0]:
        return None  # the fall is speeding up (a tanh net leaving its start often does): no verdict on its pace yet
    left = max(planned_epochs - history.last_epoch, 0)
    projected = float(window[-1] + slope * left)  # a steady or slowing fall: a straight line is optimistic
    if projected > USEFUL_SHARE * first:
        return None, {"loss": float(window[-1]), "loss_change_per_epoch": slope, "epochs_left": float(left),
                      "projected_loss": projected, "start_loss": first}, (
            f"The loss falls by only {-slope:.3g} an epoch: even at that pace it would end near {projected:.3g} "
            f"after the {left} epochs left, far from a useful value.")
    return None
