"""Build the optimizer a spec's training section asks for (with Lookahead around it when enabled), and the registry
of optimizers: every class registered by name (`base.register`), and which of them the fused kernel can step."""

from __future__ import annotations

import numpy as np

from core.optimizers.base import OPTIMIZER_CLASSES, Optimizer
from core.optimizers.lookahead import Lookahead
from core.spec import TrainingSpec


def optimizer_class(name: str) -> type[Optimizer]:
    """The registered optimizer class of a catalogue name."""
    if name not in OPTIMIZER_CLASSES:
        raise ValueError(f"training.optimizer: name must be one of {', '.join(OPTIMIZER_CLASSES)}, got {name!r}")
    return OPTIMIZER_CLASSES[name]


def fused_optimizer_names() -> list[str]:
    """The registered optimizers whose step the fused dense kernel performs (those with a `fused_kind`)."""
    return [name for name, cls in OPTIMIZER_CLASSES.items() if cls.fused_kind is not None]


def make_optimizer(training: TrainingSpec, params: np.ndarray) -> Optimizer | Lookahead:
    """The optimizer a spec's validated training settings ask for (`spec.training`): its optimizer, wrapped in
    Lookahead when that section is enabled."""
    name = training.optimizer.name
    optimizer = optimizer_class(name)(params, **training.optimizer.hyper)
    lookahead = training.lookahead
    if lookahead.enabled:
        if name == "lbfgs":  # validation refuses this too; a TrainingSpec built by hand is refused here
            raise ValueError("training.lookahead: Lookahead cannot wrap L-BFGS (it steps by closure); "
                             "turn Lookahead off or choose another optimizer")
        return Lookahead(optimizer, k=lookahead.k, alpha=lookahead.alpha)
    return optimizer
