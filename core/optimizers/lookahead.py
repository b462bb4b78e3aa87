"""Lookahead (Zhang et al. 2019): slow weights that move a fraction α toward the fast weights every k steps.

Wraps any step-by-gradient optimizer (not L-BFGS, which takes a closure). The inner optimizer makes the fast
steps on the parameters in place; every k-th step the slow copy moves: slow += α·(fast − slow), fast = slow.
`hyper` is the inner optimizer's dict, so the Trainer's live settings reach it unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.kernels.optim_kernels import lookahead_sync
from core.optimizers.base import Optimizer
from core.spec.catalogue import LOOKAHEAD_FIELDS
from core.spec.validate import check_fields


class Lookahead:
    """An optimizer wrapper with the same step()/hyper/state_dict() interface as the optimizer it wraps."""

    name = "lookahead"

    def __init__(self, inner: Optimizer, k: int = 5, alpha: float = 0.5):
        if not isinstance(inner, Optimizer) or inner.name == "lbfgs":
            raise ValueError(f"lookahead: can only wrap a step-by-gradient optimizer, got "
                             f"{getattr(inner, 'name', type(inner).__name__)!r}; turn Lookahead off for L-BFGS")
        settings = check_fields(LOOKAHEAD_FIELDS, {"k": k, "alpha": alpha}, "training.lookahead", "lookahead")
        self.inner = inner
        self.k: int = settings["k"]
        self.alpha: float = settings["alpha"]
        self.slow = inner.params.copy()
        self.steps = 0

    @property
    def params(self) -> np.ndarray:
        return self.inner.params

    @property
    def hyper(self) -> dict[str, Any]:
        return self.inner.hyper

    def step(self, grads: np.ndarray) -> None:
        self.inner.step(grads)
        self.steps += 1
        if self.steps % self.k == 0:
            lookahead_sync(self.inner.params, self.slow, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "optimizer": self.inner.get_config(), "k": self.k, "alpha": self.alpha}

    @classmethod
    def from_config(cls, params: np.ndarray, config: dict[str, Any]) -> Lookahead:
        return cls(Optimizer.from_config(params, config["optimizer"]), k=config["k"], alpha=config["alpha"])

    def state_dict(self) -> dict[str, Any]:
        return {"config": self.get_config(), "steps": self.steps, "slow": self.slow.copy(),
                "inner": self.inner.state_dict()}

    def load_state_dict(self, d: dict[str, Any]) -> None:
        if d["config"].get("name") != self.name:
            raise ValueError(f"lookahead: cannot load the state of optimizer {d['config'].get('name')!r}")
        self.inner.load_state_dict(d["inner"])
        self.slow[...] = d["slow"]
        self.steps = int(d["steps"])
        self.k, self.alpha = int(d["config"]["k"]), float(d["config"]["alpha"])

    def __repr__(self) -> str:
        return f"Lookahead({self.inner!r}, k={self.k}, alpha={self.alpha})"
