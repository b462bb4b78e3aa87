"""Words for a run that diverged: which quantity went non-finite (or exploded), when, the first layer that
broke, and what to try.

Besides inf/NaN, a batch loss above `EXPLOSION_FACTOR` × max(the first batch's loss, 1) counts as divergence:
a saturating network (tanh, sigmoid) with a stable softmax cross-entropy can run on at a loss of 10⁴ without
ever overflowing, and ten thousand times the starting loss is never a run that is still learning.
"""

from __future__ import annotations

import math

ADVICE = "Try a lower learning rate, gradient clipping or batch norm."
EXPLOSION_FACTOR = 1e4


def has_exploded(loss: float, first_loss: float | None, factor: float | None = EXPLOSION_FACTOR) -> bool:
    """True when `loss` exceeds factor × max(first_loss, 1); never when factor is None."""
    return factor is not None and first_loss is not None and loss > factor * max(first_loss, 1.0)


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


def explosion_reason(*, epoch: int, step: int, loss: float, first_loss: float, layer: str | None = None) -> str:
    """E.g. "diverged: the loss exploded to 3.3e+04 at epoch 1, step 5 (it started at 0.69); layer 1 (tanh)
    moved the most. Try …"."""
    where = f"; {layer} moved the most" if layer else ""
    return (f"diverged: the loss exploded to {loss:.3g} at epoch {epoch}, step {step} (it started at "
            f"{first_loss:.3g}){where}. {ADVICE}")
