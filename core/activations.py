"""The activation functions a dense block can use, by name, and the output transforms `predict` applies.

The arithmetic lives in `core.kernels.activations`; this module maps the spec's names to kernel codes.
Definitions (matching PyTorch):

- linear: z;  sigmoid: 1/(1+e^−z);  tanh;  relu: max(0, z) (derivative 0 at 0);
- leaky_relu: z if z > 0 else slope·z (slope from the layer's `leaky_slope`);
- elu: z if z > 0 else e^z − 1 (α = 1);
- gelu: the TANH APPROXIMATION 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))), PyTorch's `approximate="tanh"`;
- softplus: log(1 + e^z), computed stably (PyTorch switches to z above 20; the difference is < 3e-9);
- softmax: output layer only, always fused with cross-entropy during training (see `core.network.losses`).
"""

from __future__ import annotations

import numpy as np

from core.kernels import activations as k

ACTIVATION_CODES: dict[str, int] = {
    "linear": k.LINEAR, "sigmoid": k.SIGMOID, "tanh": k.TANH, "relu": k.RELU, "leaky_relu": k.LEAKY_RELU,
    "elu": k.ELU, "gelu": k.GELU, "softplus": k.SOFTPLUS,
}


def activation_code(name: str) -> int:
    """The kernel code of an elementwise activation; softmax is not elementwise and has none."""
    try:
        return ACTIVATION_CODES[name]
    except KeyError:
        raise ValueError(f"activation {name!r} has no elementwise kernel; choose one of "
                         f"{', '.join(ACTIVATION_CODES)}") from None


def apply_output_activation(name: str, logits: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Softmax or sigmoid of fused-loss logits, as `predict` reports them (a new array unless `out` is given)."""
    logits = np.ascontiguousarray(logits)
    if out is None:
        out = np.empty_like(logits)
    if name == "softmax":
        k.softmax_rows(logits, out)
    elif name == "sigmoid":
        k.sigmoid_into(logits, out)
    else:
        raise ValueError(f"output activation {name!r} is not fused with a loss; only softmax and sigmoid are")
    return out


def activate(name: str, z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """f(z) for any activation (softmax row-wise) as a new array: for tests, plots and one-off use, not the
    training hot path. `z` is 1-D or 2-D, float32 or float64."""
    z = np.asarray(z)
    rows = np.array(z.reshape(1, -1) if z.ndim == 1 else z, dtype=z.dtype if z.dtype.kind == "f" else np.float64)
    if name == "softmax":
        return apply_output_activation(name, rows).reshape(z.shape)
    out = np.empty_like(rows)
    k.bias_activation(rows, np.zeros(rows.shape[1], rows.dtype), False, activation_code(name), slope, out)
    return out.reshape(z.shape)
