"""The Optimizer base class: validated hyperparameters, state arrays over the flat buffer, config and state I/O.

An optimizer owns the network's FLAT 1-D parameter buffer (a view, updated in place) and state arrays of the same
size and dtype. Its hyperparameters are the fields of the optimizer's entry in `core.spec.OPTIMIZERS` (PyTorch's
defaults), validated in `__init__`; `hyper` stays a plain dict so the Trainer can change live settings ("lr",
"weight_decay", "momentum") between steps. Subclasses implement `_update(grads)` with one fused kernel call.

A `FusableOptimizer` (one the fused dense kernel can step, `core.kernels.fused_dense`) sets `fused_kind` and
states its kernel contract (`core.kernels.fused_update`); its own step runs through that contract too. The others
keep `fused_kind = None`, and runs with them take the general path.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from core.kernels.fused_update import STEP_SCALARS, fused_update, guarded_update
from core.spec.catalogue import OPTIMIZERS, Choice
from core.spec.validate import check_fields

#: name → class, filled by `register`; `Optimizer.from_config` and `make_optimizer` look names up here.
OPTIMIZER_CLASSES: dict[str, type[Optimizer]] = {}


def register(cls: type[Optimizer]) -> type[Optimizer]:
    """Class decorator: make an optimizer constructible by its catalogue name."""
    OPTIMIZER_CLASSES[cls.name] = cls
    return cls


def check_params(params: Any, owner: str) -> np.ndarray:
    """The flat buffer must be a contiguous 1-D float32/float64 array (it is updated in place)."""
    if not isinstance(params, np.ndarray):
        raise TypeError(f"{owner}: params must be a NumPy array (the network's flat buffer), "
                        f"got {type(params).__name__}")
    if params.ndim != 1 or not params.flags.c_contiguous:
        raise ValueError(f"{owner}: params must be a contiguous 1-D buffer, got shape {params.shape}")
    if params.dtype not in (np.float32, np.float64):
        raise ValueError(f"{owner}: params must be float32 or float64, got {params.dtype}")
    return params


class Optimizer:
    """Base class: keeps hyperparameters and state; `step(grads)` updates `params` in place."""

    name: ClassVar[str] = ""
    #: which update of `core.kernels.fused_update` (FUSED_*) performs this optimizer's step; None: not fusable
    fused_kind: ClassVar[int | None] = None

    def __init__(self, params: np.ndarray, **hyper: Any):
        self.params = check_params(params, f"optimizer {self.name}")
        self.hyper: dict[str, Any] = check_fields(self.choice().fields, hyper, "training.optimizer",
                                                  f"optimizer {self.name}")
        self.steps = 0  # completed steps (PyTorch's state["step"])
        self.state: dict[str, np.ndarray] = {}
        self._init_state()

    @classmethod
    def choice(cls) -> Choice:
        return OPTIMIZERS[cls.name]

    def zeros(self) -> np.ndarray:
        """A state array shaped and typed like the parameters."""
        return np.zeros_like(self.params)

    def _init_state(self) -> None:
        """Allocate the state arrays in `self.state` (none for a stateless optimizer)."""

    def _update(self, grads: np.ndarray) -> None:  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def step(self, grads: np.ndarray) -> None:
        """One update of `params` in place from the gradient buffer (not modified)."""
        self._check_like_params(grads, "grads")
        self.steps += 1
        self._update(grads)

    def _check_like_params(self, array: np.ndarray, what: str) -> None:
        if array.shape != self.params.shape or array.dtype != self.params.dtype:
            raise ValueError(f"optimizer {self.name}: {what} must match params ({self.params.shape}, "
                             f"{self.params.dtype}), got {array.shape}, {array.dtype}")

    # --- configuration -------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The spec's optimizer dict: {"name": ..., field: value, ...}."""
        return {"name": self.name, **self.hyper}

    @classmethod
    def from_config(cls, params: np.ndarray, config: dict[str, Any]) -> Optimizer:
        """Build from `get_config()`'s dict (or the spec's); works on the base class for any name."""
        config = dict(config)
        name = config.pop("name", cls.name)
        if name not in OPTIMIZER_CLASSES:
            raise ValueError(f"optimizer: name must be one of {', '.join(OPTIMIZER_CLASSES)}, got {name!r}")
        target = OPTIMIZER_CLASSES[name]
        if cls is not Optimizer and not issubclass(target, cls):
            raise ValueError(f"optimizer: config names {name!r}, which is not a {cls.__name__}")
        return target(params, **config)

    # --- state -----------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Copies of everything needed to resume: config, step count, state arrays and scalars."""
        return {"config": self.get_config(), "steps": self.steps,
                "state": {k: v.copy() for k, v in self.state.items()}, "scalars": self._scalars()}

    def load_state_dict(self, d: dict[str, Any]) -> None:
        """Restore from `state_dict()`; arrays are copied into the existing ones (kernels keep their buffers)."""
        name = d["config"].get("name")
        if name != self.name:
            raise ValueError(f"optimizer {self.name}: cannot load the state of optimizer {name!r}")
        missing = set(self.state) - set(d["state"])
        if missing:
            raise ValueError(f"optimizer {self.name}: saved state lacks {sorted(missing)}")
        for key, array in self.state.items():
            saved = np.asarray(d["state"][key])
            if saved.shape != array.shape:
                raise ValueError(f"optimizer {self.name}: saved {key} has shape {saved.shape}, "
                                 f"the parameters need {array.shape}")
            array[...] = saved
        self.hyper.update({k: v for k, v in d["config"].items() if k != "name"})
        self.steps = int(d["steps"])
        self._load_scalars(d.get("scalars", {}))

    def _scalars(self) -> dict[str, Any]:
        """Scalar state beyond the step count (NAdam's μ product, SGD's momentum flag)."""
        return {}

    def _load_scalars(self, scalars: dict[str, Any]) -> None:
        """Restore what `_scalars` saved."""

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"{type(self).__name__}({settings})"


class FusableOptimizer(Optimizer):
    """An optimizer whose step is one `fused_update` of kind `fused_kind`, described by its public kernel contract
    (`core.kernels.fused_update`): the fused dense kernel reads only these methods, and `step` uses them too, so
    both paths compute the same scalars and run the same update."""

    fused_kind: ClassVar[int]

    def __init__(self, params: np.ndarray, **hyper: Any):
        super().__init__(params, **hyper)
        self._row = np.empty((1, STEP_SCALARS), np.float64)  # the scalars of the general path's step

    def kernel_scalars(self, first_step: int, rows: np.ndarray) -> None:  # pragma: no cover - subclasses
        """Fill `rows` (count × STEP_SCALARS float64) with the scalars of steps first_step, first_step + 1, …
        (a step's number is `steps` after it, from 1)."""
        raise NotImplementedError

    def kernel_state(self) -> tuple[np.ndarray, ...]:  # pragma: no cover - subclasses
        """The STATE_ARRAYS state arrays the update changes in place (views, an empty array where unused)."""
        raise NotImplementedError

    def kernel_started(self) -> bool:
        """Whether the momentum buffer holds a gradient yet (an optimizer without one: False)."""
        return False

    def set_kernel_started(self, started: bool) -> None:
        """Take over what the update says about the momentum buffer (nothing to keep without one)."""

    def _update(self, grads: np.ndarray) -> None:
        self.kernel_scalars(self.steps, self._row)
        self.set_kernel_started(fused_update(self.fused_kind, self.params, grads, self.kernel_state(), self._row[0],
                                             self.kernel_started()))

    def guarded_step(self, grads: np.ndarray, previous: np.ndarray) -> bool:
        """`step`, keeping the old weights in `previous` (the general training step's roll-back copy) in the same
        pass; whether every new weight is finite. One pass instead of three (copy, step, check): the passes are
        bound by memory bandwidth, so this saves most of the copy's and the check's time."""
        self._check_like_params(grads, "grads")
        self._check_like_params(previous, "previous")
        self.steps += 1
        self.kernel_scalars(self.steps, self._row)
        started, finite = guarded_update(self.fused_kind, self.params, grads, self.kernel_state(), self._row[0],
                                         self.kernel_started(), previous)
        self.set_kernel_started(started)
        return finite
