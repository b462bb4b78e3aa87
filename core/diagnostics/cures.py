"""The cures the doctor offers for each problem, from the seed guides' problems table, as dotted-path changes.

`cures_for(problem, spec)` lists only cures that apply to this spec (with_changes accepts them) and change
something (ReLU is no cure for a network that already uses it everywhere).
"""

from __future__ import annotations

from typing import Any, Callable

from core.diagnostics.finding import Cure


def _usual_rate(spec: dict[str, Any]) -> float:
    """The catalogue's default rate of the spec's optimizer: a rate that works for most small problems."""
    from core.spec.catalogue import OPTIMIZERS
    return float(OPTIMIZERS[spec["training"]["optimizer"]["name"]].defaults()["lr"])


def _lower_rate(spec: dict[str, Any]) -> Cure:
    """A tenth of the rate; a rate more than ten times the optimizer's usual one goes straight to the usual one (a
    tenth of 1000 is still far too high)."""
    lr, usual = float(spec["training"]["optimizer"]["lr"]), _usual_rate(spec)
    lower = usual if lr > 10.0 * usual else lr / 10.0
    return Cure(f"Lower the learning rate to {lower:.3g}", {"training.optimizer.lr": lower})


def _raise_rate(spec: dict[str, Any]) -> Cure:
    """Ten times the rate, and at least the optimizer's usual one."""
    lr = max(float(spec["training"]["optimizer"]["lr"]) * 10.0, _usual_rate(spec))
    return Cure(f"Raise the learning rate to {lr:.3g}", {"training.optimizer.lr": lr})


def _adam(spec: dict[str, Any]) -> Cure:
    return Cure("Switch to Adam (learning rate 0.001)", {"training.optimizer.name": "adam",
                                                        "training.optimizer.lr": 0.001})


def _brisk_adam(spec: dict[str, Any]) -> Cure:
    return Cure("Switch to Adam at the playground's rate 0.01", {"training.optimizer.name": "adam",
                                                                 "training.optimizer.lr": 0.01})


def _clipping(spec: dict[str, Any]) -> Cure:
    return Cure("Clip the gradient's global norm at 1", {"training.clipping.mode": "norm",
                                                         "training.clipping.value": 1.0})


def _relu_he(spec: dict[str, Any]) -> Cure:
    return Cure("Use ReLU with He initialisation in the hidden layers", {"layers[*].activation": "relu",
                                                                          "layers[*].init": "he_normal"})


def _leaky_relu(spec: dict[str, Any]) -> Cure:
    return Cure("Use leaky ReLU in the hidden layers (dead units can recover)",
                {"layers[*].activation": "leaky_relu", "layers[*].init": "he_normal"})


def _batch_norm(spec: dict[str, Any]) -> Cure:
    return Cure("Add batch norm to the hidden layers", {"layers[*].batch_norm": True})


def _dropout(spec: dict[str, Any]) -> Cure:
    return Cure("Add dropout 0.5 to the hidden layers", {"layers[*].dropout": 0.5})


def _l2(spec: dict[str, Any]) -> Cure:
    return Cure("Add L2 regularisation (λ = 0.01)", {"training.l2": 0.01})


def _early_stopping(spec: dict[str, Any]) -> Cure:
    return Cure("Stop early on the validation loss and restore the best weights",
                {"training.early_stopping.enabled": True, "training.early_stopping.monitor": "val_loss",
                 "training.early_stopping.restore_best": True})


def _warm_restarts(spec: dict[str, Any]) -> Cure:
    return Cure("Add warm restarts (cosine, restart every 10 epochs)", {"training.schedule.name": "cosine_restarts",
                                                                        "training.schedule.t_0": 10})


def _auto_init(spec: dict[str, Any]) -> Cure:
    return Cure("Start from the usual random initialisation (breaks the symmetry)", {"layers[*].init": "auto"})


# Clipping is no cure for a rate too high (a clipped step at η = 1000 is still 1000 times too long), nor Adam for
# vanishing gradients (it rescales the steps, the gradients still vanish), nor batch norm for dead ReLUs, nor a
# lower rate for units saturated by their initial weights.
_CURES: dict[str, tuple[Callable[[dict[str, Any]], Cure], ...]] = {
    "lr_too_high": (_lower_rate, _adam),
    "exploding_gradients": (_clipping, _batch_norm, _lower_rate),
    "vanishing_gradients": (_relu_he, _batch_norm),
    "saturation": (_batch_norm, _relu_he),  # from a high rate: the rate's own finding lowers it
    "dead_relu": (_leaky_relu, _lower_rate),
    "plateau": (_adam, _warm_restarts),
    "slow_convergence": (_raise_rate, _brisk_adam),
    "overfitting": (_early_stopping, _dropout, _l2),
}
_SYMMETRY = (_auto_init,)  # a plateau from zero initial weights: only breaking the symmetry ends it


def cures_for(problem: str, spec: dict[str, Any]) -> list[Cure]:
    """The cures for `problem` that apply to `spec` and change it."""
    from core.spec import SpecError, changed_paths, with_changes
    cures = []
    makers = _CURES[problem]
    if problem == "plateau" and any(layer["init"] == "zeros" for layer in spec["layers"]):
        makers = _SYMMETRY
    for make in makers:
        cure = make(spec)
        try:
            changed = changed_paths(spec, with_changes(spec, cure.changes))
        except SpecError:  # e.g. a rate above the field's limit, or L-BFGS without a schedule
            continue
        if changed:
            cures.append(cure)
    return cures
