"""Gradient descent and its momentum variants: SGD, SGD with momentum, Nesterov — one class, three presets.

As in tinygrad, the variants are not copies: `Momentum` and `Nesterov` are the general `SGD` with other
catalogue defaults (momentum 0.9) and, for Nesterov, the look-ahead switched on. The arithmetic is
torch.optim.SGD's (`kernels.optim_kernels.sgd_step`); all three are fusable (`kernels.fused_update.FUSED_SGD`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.kernels.fused_update import FUSED_SGD, fill_sgd_scalars
from core.optimizers.base import FusableOptimizer, register


@register
class SGD(FusableOptimizer):
    """w ← w − η·g, with optional momentum buffer, dampening, Nesterov look-ahead and coupled weight decay."""

    name = "sgd"
    fused_kind = FUSED_SGD
    always_nesterov = False  # Nesterov's preset has no switch: it is always on

    def __init__(self, params: np.ndarray, **hyper: Any):
        super().__init__(params, **hyper)
        nesterov = self.always_nesterov or self.hyper.get("nesterov", False)
        if nesterov and (self.hyper["momentum"] <= 0.0 or self.hyper.get("dampening", 0.0) != 0.0):
            raise ValueError(f"optimizer {self.name}: nesterov needs momentum > 0 and dampening 0, got "
                             f"momentum {self.hyper['momentum']!r}, dampening {self.hyper.get('dampening', 0.0)!r}")

    def _init_state(self) -> None:
        self.state["momentum_buffer"] = self.zeros()
        self._buffer_started = False  # PyTorch starts the buffer at the first gradient, not at zero

    def kernel_scalars(self, first_step: int, rows: np.ndarray) -> None:
        h = self.hyper
        fill_sgd_scalars(rows, float(h["lr"]), float(h["weight_decay"]), float(h["momentum"]),
                         float(h.get("dampening", 0.0)), bool(self.always_nesterov or h.get("nesterov", False)))

    def kernel_state(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        empty = self.params[:0]
        return self.state["momentum_buffer"], empty, empty

    def kernel_started(self) -> bool:
        return self._buffer_started

    def set_kernel_started(self, started: bool) -> None:
        self._buffer_started = bool(started)

    def _scalars(self) -> dict[str, Any]:
        return {"buffer_started": self._buffer_started}

    def _load_scalars(self, scalars: dict[str, Any]) -> None:
        self._buffer_started = bool(scalars.get("buffer_started", self.steps > 0))


@register
class Momentum(SGD):
    """SGD with momentum 0.9 by default (the catalogue's "momentum")."""

    name = "momentum"


@register
class Nesterov(SGD):
    """Nesterov accelerated gradient: SGD with momentum, the gradient taken at the look-ahead point."""

    name = "nesterov"
    always_nesterov = True
