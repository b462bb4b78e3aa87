"""The cures the doctor offers for each problem, from the seed guides' problems table, as dotted-path changes.

`cures_for(problem, spec)` lists only cures that apply to this spec (with_changes accepts them) and change
something (ReLU is no cure for a network that already uses it everywhere).
"""

from __future__ import annotations

from typing import Any, Callable

from core.diagnostics.finding import Cure


def _lower_rate(spec: dict[str, Any]) -> Cure:
    lr = float(spec["training"]["optimizer"]["lr"]) / 10.0
    return Cure(f"Lower the learning rate to {lr:.3g}", {"training.optimizer.lr": lr})


def _raise_rate(spec: dict[str, Any]) -> Cure:
    lr = float(spec["training"]["optimizer"]["lr"]) * 10.0
    return Cure(f"Raise the learning rate to {lr:.3g}", {"training.optimizer.lr": lr})


def _adam(spec: dict[str, Any]) -> Cure:
    return Cure("Switch to Adam (learning rate 0.001)", {"training.optimizer.name": "adam",
                                                        "training.optimizer.lr": 0.001})


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
    return Cure("Add dropout 0.2 to the hidden layers", {"layers[*].dropout": 0.2})


def _l2(spec: dict[str, Any]) -> Cure:
    return Cure("Add L2 regularisation (λ = 0.001)", {"training.l2": 0.001})


def _early_stopping(spec: dict[str, Any]) -> Cure:
    return Cure("Stop early on the validation loss and restore the best weights",
                {"training.early_stopping.enabled": True, "training.early_stopping.monitor": "val_loss",
                 "training.early_stopping.restore_best": True})


def _warm_restarts(spec: dict[str, Any]) -> Cure:
    return Cure("Add warm restarts (cosine, restart every 10 epochs)", {"training.schedule.name": "cosine_restarts",
                                                                        "training.schedule.t_0": 10})


def _auto_init(spec: dict[str, Any]) -> Cure:
    return Cure("Start from the usual random initialisation (breaks the symmetry)", {"layers[*].init": "auto"})


_CURES: dict[str, tuple[Callable[[dict[str, Any]], Cure], ...]] = {
    "lr_too_high": (_lower_rate, _clipping, _adam),
    "exploding_gradients": (_clipping, _batch_norm, _lower_rate),
    "vanishing_gradients": (_relu_he, _batch_norm, _adam),
    "saturation": (_batch_norm, _relu_he, _lower_rate),
    "dead_relu": (_leaky_relu, _lower_rate, _batch_norm),
    "plateau": (_auto_init, _adam, _warm_restarts),
    "slow_convergence": (_raise_rate, _adam),
    "overfitting": (_early_stopping, _dropout, _l2),
}


def cures_for(problem: str, spec: dict[str, Any]) -> list[Cure]:
    """The cures for `problem` that apply to `spec` and change it."""
    from core.spec import SpecError, changed_paths, with_changes
    cures = []
    for make in _CURES[problem]:
        cure = make(spec)
        try:
            changed = changed_paths(spec, with_changes(spec, cure.changes))
        except SpecError:  # e.g. a rate above the field's limit, or L-BFGS without a schedule
            continue
        if changed:
            cures.append(cure)
    return cures
