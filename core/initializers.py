"""Weight initialisers: Xavier/Glorot, He/Kaiming, LeCun (uniform and normal) and zeros, from a seeded generator.

Each draws a (fan_in × fan_out) weight matrix with the variance its name promises:

| name | distribution | variance |
| --- | --- | --- |
| xavier_uniform / xavier_normal | U(±√(6/(fan_in+fan_out))) / N(0, σ²) | 2/(fan_in+fan_out) |
| he_uniform / he_normal | U(±√(6/fan_in)) / N(0, σ²) | 2/fan_in |
| lecun_uniform / lecun_normal | U(±√(3/fan_in)) / N(0, σ²) | 1/fan_in |
| zeros | 0 | 0 |

Values are drawn in float64 and then stored in the target dtype, so a float32 and a float64 network built from
the same seed start from the same weights (up to rounding). "auto" is resolved by `core.spec.resolved_init`.
"""

from __future__ import annotations

import math
import numpy as np


def init_variance(name: str, fan_in: int, fan_out: int) -> float:
    """The variance of the weights an initialiser draws (0 for zeros)."""
    if name.startswith("xavier"):
        return 2.0 / (fan_in + fan_out)
    if name.startswith("he"):
        return 2.0 / fan_in
    if name.startswith("lecun"):
        return 1.0 / fan_in
    if name == "zeros":
        return 0.0
    raise ValueError(f"unknown initialiser {name!r}; choose one of {', '.join(INITIALIZER_NAMES)}")


def initial_weights(name: str, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """A float64 (fan_in × fan_out) weight matrix drawn by the named initialiser from `rng`."""
    variance = init_variance(name, fan_in, fan_out)
    shape = (fan_in, fan_out)
    if name == "zeros":
        return np.zeros(shape)
    if name.endswith("uniform"):
        limit = math.sqrt(3.0 * variance)  # U(±a) has variance a²/3
        return rng.uniform(-limit, limit, size=shape)
    return rng.normal(0.0, math.sqrt(variance), size=shape)


def initialize_into(name: str, weights: np.ndarray, rng: np.random.Generator) -> None:
    """Fill a (fan_in × fan_out) weight view in place, in its own dtype."""
    fan_in, fan_out = weights.shape
    weights[...] = initial_weights(name, fan_in, fan_out, rng)


INITIALIZER_NAMES = ("xavier_uniform", "xavier_normal", "he_uniform", "he_normal", "lecun_uniform",
                     "lecun_normal", "zeros")
