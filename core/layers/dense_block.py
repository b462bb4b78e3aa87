"""A dense block: z = x·W + b → batch norm (optional) → activation → inverted dropout → + x (optional skip).

The block owns no parameter memory: W, b, γ, β, their gradients and the batch-norm running statistics are views
into the network's flat buffers (`BlockViews`). `forward` keeps what `backward` needs in per-batch-size buffers
that are allocated once and reused, so a training step allocates nothing. Elementwise work runs in Numba
kernels, the two matrix products per pass in NumPy/BLAS.

For an output layer whose loss is fused (softmax or sigmoid with cross-entropy), `fused=True`: the block stops at
the logits and the loss applies the activation.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from core.activations import activation_code
from core.kernels import activations as act_k
from core.kernels import batchnorm as bn_k

BN_MOMENTUM = 0.1  # PyTorch's BatchNorm1d defaults
BN_EPS = 1e-5
_MAX_CACHED_BATCH_SIZES = 4  # e.g. the batch size, the last short batch, the evaluation batch and one more


@dataclass
class BlockViews:
    """Views into the network's flat buffers for one block (γ, β and running stats only with batch norm)."""

    weight: np.ndarray  # (in, out)
    bias: np.ndarray  # (out,)
    grad_weight: np.ndarray
    grad_bias: np.ndarray
    gamma: np.ndarray | None = None
    beta: np.ndarray | None = None
    grad_gamma: np.ndarray | None = None
    grad_beta: np.ndarray | None = None
    running_mean: np.ndarray | None = None
    running_var: np.ndarray | None = None


class _Buffers:
    """Everything one forward/backward pass of one batch size writes."""

    def __init__(self, n: int, n_in: int, units: int, dtype: np.dtype, batch_norm: bool, dropout: bool,
                 residual: bool):
        shape = (n, units)
        self.z = np.empty(shape, dtype)  # x·W + b
        self.pre = np.empty(shape, dtype) if batch_norm else self.z  # what the activation reads
        self.z_hat = np.empty(shape, dtype) if batch_norm else None
        self.inv_std = np.empty(units, dtype) if batch_norm else None
        self.mask = np.empty(shape, dtype) if dropout else act_k.empty_mask(dtype)
        self.activation = np.empty(shape, dtype)  # f(pre), before dropout
        self.dropped = np.empty(shape, dtype) if dropout else self.activation  # after dropout in training
        self.output = np.empty(shape, dtype) if residual else None  # dropped + x
        self.grad_pre = np.empty(shape, dtype)
        self.grad_z = np.empty(shape, dtype) if batch_norm else self.grad_pre
        self.grad_x = np.empty((n, n_in), dtype)
        self.scratch_beta = np.empty(units, dtype)  # column sums of grad_pre when β takes them


class DenseBlock:
    """One block of the network; see the module docstring for what it computes."""

    def __init__(self, name: str, n_in: int, units: int, activation: str, views: BlockViews, *,
                 batch_norm: bool = False, dropout: float = 0.0, residual: bool = False,
                 leaky_slope: float = 0.01, fused: bool = False):
        if residual and n_in != units:
            raise ValueError(f"{name}: a residual skip needs equal widths, got {n_in} → {units}")
        self.name = name
        self.n_in = n_in
        self.units = units
        self.activation = activation
        self.fused = fused
        self.code = activation_code("linear" if fused else activation)
        self.slope = float(leaky_slope)
        self.batch_norm = batch_norm
        self.dropout = float(dropout)
        self.residual = residual
        self.views = views
        self.dtype = views.weight.dtype
        self._cache: OrderedDict[int, _Buffers] = OrderedDict()
        self._last: _Buffers | None = None
        self._last_x: np.ndarray | None = None
        self._last_training = False
        self._last_output: np.ndarray | None = None

    def _buffers(self, n: int) -> _Buffers:
        buffers = self._cache.get(n)
        if buffers is None:
            buffers = _Buffers(n, self.n_in, self.units, self.dtype, self.batch_norm, self.dropout > 0.0,
                               self.residual)
            self._cache[n] = buffers
            if len(self._cache) > _MAX_CACHED_BATCH_SIZES:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(n)
        return buffers

    @property
    def last_output(self) -> np.ndarray | None:
        """The block's output from the last forward pass (a reused buffer: copy it to keep it)."""
        return self._last_output

    @property
    def last_mask(self) -> np.ndarray | None:
        """The inverted-dropout mask (0 or 1/(1−p)) of the last training-mode forward pass, if any."""
        if self._last is None or self.dropout == 0.0 or not self._last_training:
            return None
        return self._last.mask

    def forward(self, x: np.ndarray, training: bool, rng: np.random.Generator) -> np.ndarray:
        """The block's output for a C-contiguous (n, n_in) batch of the block's dtype (a reused buffer)."""
        v = self.views
        buf = self._buffers(x.shape[0])
        np.matmul(x, v.weight, out=buf.z)
        if self.batch_norm:
            bn_k.batchnorm_forward(buf.z, v.bias, v.gamma, v.beta, BN_EPS, BN_MOMENTUM, training,
                                   v.running_mean, v.running_var, buf.z_hat, buf.inv_std, buf.pre)
        act_k.bias_activation(buf.pre, v.bias, not self.batch_norm, self.code, self.slope, buf.activation)
        out = buf.activation
        if training and self.dropout > 0.0:
            rng.random(out=buf.mask, dtype=self.dtype)
            act_k.dropout_forward(buf.activation, buf.mask, self.dropout, buf.dropped)
            out = buf.dropped
        if self.residual:
            act_k.add_into(x, out, buf.output)
            out = buf.output
        self._last, self._last_x, self._last_training, self._last_output = buf, x, training, out
        return out

    def backward(self, grad_out: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """Write dLoss/d(W, b, γ, β) into the gradient views (overwriting) and return dLoss/dx (a reused
        buffer), or None when `need_input_grad` is false (the first block of a training step)."""
        buf, x, v = self._last, self._last_x, self.views
        if buf is None or x is None:
            raise RuntimeError(f"{self.name}: backward called before forward")
        use_mask = self._last_training and self.dropout > 0.0
        # Without batch norm the activation's column sums are the bias gradient; with it they are β's.
        first_sums = v.grad_beta if self.batch_norm else v.grad_bias
        act_k.activation_backward(grad_out, buf.pre, buf.activation, self.code, self.slope, buf.mask, use_mask,
                                  buf.grad_pre, first_sums)
        if self.batch_norm:
            bn_k.batchnorm_backward(buf.grad_pre, buf.z_hat, v.gamma, buf.inv_std, self._last_training,
                                    buf.grad_z, v.grad_gamma, buf.scratch_beta, v.grad_bias)
        np.matmul(x.T, buf.grad_z, out=v.grad_weight)
        if not need_input_grad:
            return None
        np.matmul(buf.grad_z, v.weight.T, out=buf.grad_x)
        if self.residual:
            act_k.add_inplace(buf.grad_x, grad_out)
        return buf.grad_x
