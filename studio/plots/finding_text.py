"""How the studio words a training-doctor finding (core.diagnostics.Finding): its title, a short label for the
loss plot's marker, and its evidence as readable numbers. Shared by the Doctor dock and the loss plot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

TITLES = {
    "lr_too_high": "Learning rate too high",
    "exploding_gradients": "Exploding gradients",
    "vanishing_gradients": "Vanishing gradients",
    "saturation": "Saturated units",
    "dead_relu": "Dead ReLUs",
    "plateau": "Plateau",
    "slow_convergence": "Slow convergence",
    "overfitting": "Overfitting",
}
SHORT_TITLES = {  # the plot marker's label: a few characters over the curves
    "lr_too_high": "lr too high", "exploding_gradients": "exploding", "vanishing_gradients": "vanishing",
    "saturation": "saturated", "dead_relu": "dead ReLUs", "plateau": "plateau", "slow_convergence": "slow",
    "overfitting": "overfitting",
}
CHECKED = ("a learning rate too high, exploding and vanishing gradients, saturated units, dead ReLUs, a plateau, "
           "slow convergence and overfitting")
_EVIDENCE_NAMES = {  # names that need more than their underscores turned into spaces
    "loss_over_start": "loss ÷ start", "max_update_ratio": "largest Δw/w", "min_update_ratio": "smallest Δw/w",
    "val_loss": "validation loss", "best_val_loss": "best validation loss", "train_loss": "training loss",
    "max_mean_abs_gradient": "largest mean |gradient|", "mean_abs_gradient": "mean |gradient|",
    "median_mean_abs_gradient": "median mean |gradient|", "first_over_last_gradient": "first ÷ last layer gradient",
    "gradient_over_last_layer": "gradient ÷ last layer's", "gap": "validation − training gap",
    "gap_at_best": "gap at the best epoch", "relative_spread": "relative spread of the loss",
}
def evidence_text(evidence: Mapping[str, float]) -> str:
    """The numbers behind a finding, readable: "start loss 0.864 · loss 1,157 · largest Δw/w 0.247"."""
    return " · ".join(f"{_EVIDENCE_NAMES.get(name, name.replace('_', ' '))} {_number(name, value)}"
                      for name, value in evidence.items())


def _number(name: str, value: float) -> str:
    if not math.isfinite(value):
        return "not finite" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    if name.endswith("_share"):
        return f"{value:.0%}"
    if name in ("epochs", "best_epoch", "epochs_left"):
        return f"{value:.0f}"
    if abs(value) >= 1000 and abs(value) < 1e7:
        return f"{value:,.0f}"
    return f"{value:.3g}"
