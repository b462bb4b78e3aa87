"""Detectors of single layers going wrong: vanishing gradients, saturated units and dead ReLUs.

What must not be confused: saturated tanh/sigmoid units also have near-zero gradients, but that is the units
sitting in their flat tails, not the gradient shrinking with depth. So vanishing gradients are named only for
layers the activation probe does not find saturated, with a gradient that is small but not exactly zero (exactly
zero is symmetry or dead units), in a network of at least `MIN_HIDDEN_FOR_DEPTH` hidden layers.
"""

from __future__ import annotations

import numpy as np

from core.diagnostics.finding import Verdict
from core.diagnostics.run_history import RunHistory

VANISHING_RATIO = 1e-3  # an early layer's mean |gradient| over the last layer's
SUSTAINED_EPOCHS = 3
MIN_HIDDEN_FOR_DEPTH = 3
SATURATED_SHARE = 0.5  # share of a layer's outputs in the flat tails
SATURATION_HURTS = 0.5  # ... named only while the loss is above this share of a uniform guess's (of the start
#                         loss for regression): a confident, well-trained tanh net saturates too, harmlessly
DEAD_SHARE = 0.6  # share of a layer's ReLU units silent on every probe row (half of a small layer dead is common)
UNIT_EPOCHS = 2  # epochs in a row a saturation or dead share must hold


def _name(history: RunHistory, layer: int) -> str | None:
    return history.layer_names[layer] if layer < len(history.layer_names) else None


def vanishing_gradients(history: RunHistory) -> Verdict:
    records = history.recent(SUSTAINED_EPOCHS)
    if len(records) < SUSTAINED_EPOCHS or len(records[-1].grad_mean_abs) - 1 < MIN_HIDDEN_FOR_DEPTH:
        return None
    early = (len(records[-1].grad_mean_abs) - 1) // 2  # the first half of the hidden layers
    probed = history.recent_probed(1)  # epochs between the probe's passes: its latest measure stands for them
    latest_saturation = probed[0].saturation if probed else None
    ratios = []
    for record in records:
        last = float(record.grad_mean_abs[-1])
        grads = record.grad_mean_abs[:max(early, 1)]
        saturation_seen = record.saturation if record.saturation is not None else latest_saturation
        saturated = saturation_seen[:len(grads)] if saturation_seen is not None else np.zeros(len(grads))
        usable = (grads > 0.0) & ~(np.nan_to_num(saturated) >= SATURATED_SHARE)
        if last <= 0.0 or not usable.all():
            return None
        ratios.append(grads / last)
    ratios = np.array(ratios)
    worst = ratios.max(axis=0)  # each layer's largest ratio over the sustained epochs
    if worst.min() < VANISHING_RATIO:
        layer = int(np.argmin(worst))
        return _name(history, layer), {"gradient_over_last_layer": float(worst[layer]),
                                       "epochs": float(SUSTAINED_EPOCHS)}, (
            f"The gradient reaching {_name(history, layer) or 'an early layer'} is {worst[layer]:.1e} of the last "
            f"layer's for {SUSTAINED_EPOCHS} epochs: it vanishes on its way back through the depth.")
    return None


def _held_share(history: RunHistory, attribute: str, threshold: float):
    """(layer, smallest share over the last UNIT_EPOCHS probed epochs) of the layer whose share held above
    threshold."""
    records = history.recent_probed(UNIT_EPOCHS)
    measured = [getattr(r, attribute) for r in records]
    if len(records) < UNIT_EPOCHS or any(m is None for m in measured):
        return None
    if not any(share >= threshold for share in measured[-1].tolist()):
        return None  # cheap first: the latest shares are all below it (nan: not measured), so their minimum is
    shares = np.minimum.reduce(measured)  # each layer's smallest share; nan where any was nan (not measured) ...
    shares[np.isnan(shares)] = 0.0  # ... which counts as none
    if not len(shares) or shares.max() < threshold:
        return None
    layer = int(np.argmax(shares))
    return layer, float(shares[layer])


def saturation(history: RunHistory) -> Verdict:
    untrained = history.chance_loss or history.start_loss  # too-large weights inflate the start loss itself
    latest = history.recent(1)
    if untrained is None or not latest or latest[0].train_loss < SATURATION_HURTS * untrained:
        return None  # cheap first: a loss this low is no harm done (every pass of a trained net ends here)
    held = _held_share(history, "saturation", SATURATED_SHARE)
    if held is None:
        return None
    layer, share = held
    return _name(history, layer), {"saturated_share": share, "epochs": float(UNIT_EPOCHS)}, (
        f"{share:.0%} of the outputs of {_name(history, layer) or 'a layer'} sit in the flat tails of the "
        f"activation, where it passes almost no gradient: the units are saturated.")


def dead_relu(history: RunHistory) -> Verdict:
    held = _held_share(history, "dead", DEAD_SHARE)
    if held is None:
        return None
    layer, share = held
    return _name(history, layer), {"dead_share": share, "epochs": float(UNIT_EPOCHS)}, (
        f"{share:.0%} of the ReLU units of {_name(history, layer) or 'a layer'} output 0 for every sample: they "
        f"are dead and no longer learn.")
