"""Build the optimizer a spec's training section asks for (with Lookahead around it when enabled)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.optimizers.base import OPTIMIZER_CLASSES, Optimizer
from core.optimizers.lookahead import Lookahead


def make_optimizer(training: dict[str, Any], params: np.ndarray) -> Optimizer | Lookahead:
    """`training` is spec["training"]: its "optimizer" dict and its "lookahead" section (optional)."""
    config = dict(training["optimizer"])
    name = config.pop("name", None)
    if name not in OPTIMIZER_CLASSES:
        raise ValueError(f"training.optimizer: name must be one of {', '.join(OPTIMIZER_CLASSES)}, got {name!r}")
    optimizer = OPTIMIZER_CLASSES[name](params, **config)
    lookahead = training.get("lookahead") or {}
    if lookahead.get("enabled", False):
        if name == "lbfgs":
            raise ValueError("training.lookahead: Lookahead cannot wrap L-BFGS (it steps by closure); "
                             "turn Lookahead off or choose another optimizer")
        return Lookahead(optimizer, k=lookahead.get("k", 5), alpha=lookahead.get("alpha", 0.5))
    return optimizer
