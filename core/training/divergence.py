"""Words for a run that went non-finite: which quantity, when, the first layer that broke, and what to try."""

from __future__ import annotations

import math

ADVICE = "Try a lower learning rate, gradient clipping or batch norm."


def describe_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "inf" if value > 0 else "-inf"


def divergence_reason(*, epoch: int, step: int, loss: float, gradient_finite: bool, layer: str | None) -> str:
    """E.g. "diverged: the loss became inf at epoch 3, step 41; layer 2 (tanh) went non-finite first. Try …".

    `epoch` and `step` are 1-based (the epoch in progress and the step that failed).
    """
    if not math.isfinite(loss):
        what = f"the loss became {describe_value(loss)}"
    elif not gradient_finite:
        what = "the gradient became non-finite"
    else:
        what = "the weights became non-finite"
    where = f"; {layer} went non-finite first" if layer else ""
    return f"diverged: {what} at epoch {epoch}, step {step}{where}. {ADVICE}"
