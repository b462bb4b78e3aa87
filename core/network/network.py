"""`Network`: a stack of dense blocks built from a validated spec, trained through forward/backward.

All trainable parameters live in ONE flat buffer `params` (float32 or float64), gradients in `grads`, batch-norm
running statistics in `buffers`; each block's W, b, γ, β are views into them (see `core.network.layout`).

The output is "what the loss sees": logits when the loss is fused with the output activation (softmax +
cross-entropy, sigmoid + binary cross-entropy), activations otherwise; `predict` applies softmax/sigmoid.
Buffers returned by `forward`/`backward` are reused by the next call: copy them to keep them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from core.activations import apply_output_activation
from core.initializers import initialize_into
from core.layers.dense_block import DenseBlock
from core.network.losses import Loss, make_loss
from core.network.errors import NetworkError
from core.network.inputs import as_float_dtype, check_input
from core.network.layout import build_layout
from core.network.memory import check_network_memory
from core.spec import Spec, check_setting, resolved_init, validate_spec

# Dropout draws come from a stream of their own, so changing dropout never changes the initial weights.
_DROPOUT_STREAM = 1


class Network:
    """A network described by a spec; build it with `Network.from_spec(spec)`."""

    def __init__(self, spec: Mapping[str, Any], *, seed: int | None = None, dtype: Any = None):
        spec = validate_spec(spec)  # the one check: code handed a Network (the Trainer) trusts its spec
        training = spec.training
        self.seed = int(training.seed if seed is None else seed)
        self.dtype = as_float_dtype(training.dtype if dtype is None else dtype)
        if seed is not None:  # an override is checked like the spec's own seed: `spec` stays valid
            check_setting(spec, "training.seed", self.seed)
        if (self.seed, self.dtype.name) != (training.seed, training.dtype):  # both checked: no second validation
            spec = replace(spec, training=replace(training, seed=self.seed, dtype=self.dtype.name))
        self.spec: Spec = spec  # valid and immutable, with this network's seed and dtype
        self.input_size: int = spec.input_size
        layers = spec.layers
        self.output_size: int = layers[-1].units
        self.loss: Loss = make_loss(spec.training)
        self.output_activation: str = layers[-1].activation

        check_network_memory(spec)  # MemoryBudgetError before a spec from a file allocates gigabytes
        layout = build_layout(self.input_size, layers, self.dtype)
        self.params, self.grads = layout.params, layout.grads
        self.weight_mask, self.buffers = layout.weight_mask, layout.buffers
        self.layer_param_slices: list[slice] = layout.param_slices
        self._named_params, self._named_buffers = layout.named_params, layout.named_buffers
        self._named_grads = layout.named_grads

        self.layer_names: list[str] = []
        self.blocks: list[DenseBlock] = []
        width = self.input_size
        for i, (layer, views) in enumerate(zip(layers, layout.views)):
            is_output = i == len(layers) - 1
            name = layer.name or (f"output ({layer.activation})" if is_output
                                  else f"layer {i + 1} ({layer.activation})")
            self.layer_names.append(name)
            self.blocks.append(DenseBlock(
                name, width, layer.units, layer.activation, views, batch_norm=layer.batch_norm,
                dropout=layer.dropout, residual=layer.residual, leaky_slope=layer.leaky_slope,
                fused=is_output and self.loss.fused_activation is not None))
            width = layer.units
        self.reset_parameters()
        self._dropout_rng = np.random.default_rng([self.seed, _DROPOUT_STREAM])
        self._last_output: np.ndarray | None = None

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], *, seed: int | None = None, dtype: Any = None) -> "Network":
        """Build from a spec (validated here). `seed` and `dtype` default to spec.training's."""
        return cls(spec, seed=seed, dtype=dtype)

    def to_spec(self) -> Spec:
        """The validated spec, with the seed and dtype actually used: from_spec(to_spec()) rebuilds the same
        architecture with the same initial weights. (Immutable, so no copy is needed.)"""
        return self.spec

    def reset_parameters(self) -> None:
        """Initial weights from the seed (each block's initialiser), zero biases, γ = 1, β = 0, running
        mean 0 and variance 1."""
        rng = np.random.default_rng(self.seed)
        for layer, block in zip(self.spec.layers, self.blocks):
            v = block.views
            initialize_into(resolved_init(layer), v.weight, rng)
            v.bias[:] = 0.0
            if block.batch_norm:
                v.gamma[:] = 1.0
                v.beta[:] = 0.0
                v.running_mean[:] = 0.0
                v.running_var[:] = 1.0
        self.grads[:] = 0.0

    # ------------------------------------------------------------------ introspection
    @property
    def num_params(self) -> int:
        return int(self.params.size)

    def parameters(self) -> list[tuple[str, np.ndarray]]:
        """Named views in order: "layers.{i}.weight" (in, out), "layers.{i}.bias", "layers.{i}.bn.weight"/"bias"."""
        return list(self._named_params)

    def named_grads(self) -> list[tuple[str, np.ndarray]]:
        """Views of `grads` with the same names and shapes as `parameters()`."""
        return list(self._named_grads)

    def named_buffers(self) -> list[tuple[str, np.ndarray]]:
        """Named views of non-trainable state: "layers.{i}.bn.running_mean" / "running_var"."""
        return list(self._named_buffers)

    def get_state(self) -> dict[str, np.ndarray]:
        """Copies of the parameters and buffers (for checkpoints and early stopping)."""
        return {"params": self.params.copy(), "buffers": self.buffers.copy()}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        """Copy a `get_state()` result back in (views stay valid)."""
        for key, target in (("params", self.params), ("buffers", self.buffers)):
            if key not in state:
                raise NetworkError(f"state has no {key!r} entry; expected keys 'params' and 'buffers'")
            value = np.asarray(state[key])
            if value.shape != target.shape:
                raise NetworkError(f"state {key!r} has shape {value.shape}, this network needs {target.shape}")
            np.copyto(target, value, casting="same_kind")

    # ------------------------------------------------------------------ checks
    def check_input(self, x: Any) -> np.ndarray:
        """`x` as this network's dtype, or NetworkError (wrong shape/width/dtype, NaN or inf with its row)."""
        return check_input(x, self.input_size, self.dtype)

    def check_targets(self, y: Any, n_rows: int) -> np.ndarray:
        """Targets in the loss's layout, or NetworkError naming the problem and row."""
        return self.loss.prepare_targets(y, n_rows, self.output_size, self.dtype)

    # ------------------------------------------------------------------ passes
    def forward(self, x: Any, *, training: bool, rng: np.random.Generator | None = None,
                check: bool = True) -> np.ndarray:
        """The output as the loss sees it (logits for fused losses), keeping what backward needs.

        Dropout draws its masks from `rng` (the network's own seeded stream if None). `check=False` skips the
        input checks for data already passed through `check_input` (the trainer's hot loop).
        """
        x = self.check_input(x) if check else x
        rng = self._dropout_rng if rng is None else rng
        for block in self.blocks:
            x = block.forward(x, training, rng)
        self._last_output = x
        return x

    def backward(self, grad_out: np.ndarray, *, need_input_grad: bool = True) -> np.ndarray | None:
        """Overwrite `grads` with dLoss/dparams from dLoss/d(output) and return dLoss/dx (None if not needed)."""
        if self._last_output is None:
            raise RuntimeError("backward needs a forward pass first")
        grad = np.asarray(grad_out)
        if grad.shape != self._last_output.shape:
            raise NetworkError(f"output gradient has shape {grad.shape}, the last forward pass produced "
                               f"{self._last_output.shape}")
        grad = np.ascontiguousarray(grad, dtype=self.dtype)
        for i in range(len(self.blocks) - 1, -1, -1):
            grad = self.blocks[i].backward(grad, need_input_grad=need_input_grad or i > 0)
        return grad

    def loss_and_grad(self, x: Any, y: Any, *, training: bool = True, rng: np.random.Generator | None = None,
                      check: bool = True) -> float:
        """Forward, data loss (no L1/L2) and backward in one call; `grads` holds the gradient afterwards."""
        if check:
            x = self.check_input(x)
            y = self.check_targets(y, x.shape[0])
        output = self.forward(x, training=training, rng=rng, check=False)
        value, grad = self.loss.value_and_grad(output, y, check=False)
        self.backward(grad, need_input_grad=False)
        return value

    # ------------------------------------------------------------------ evaluation
    def _batches(self, x: np.ndarray, batch_size: int):
        """Evaluation-mode outputs of a checked input, batch by batch: (start, stop, output buffer)."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise NetworkError(f"batch_size must be a whole number ≥ 1, got {batch_size!r}")
        for start in range(0, x.shape[0], batch_size):
            stop = min(start + batch_size, x.shape[0])
            yield start, stop, self.forward(x[start:stop], training=False, check=False)

    def evaluate(self, x: Any, y: Any, batch_size: int = 4096) -> tuple[float, float]:
        """(mean loss, metric) in evaluation mode; the metric is accuracy (classification) or R² (regression)."""
        x = self.check_input(x)
        targets = self.check_targets(y, x.shape[0])
        outputs = np.empty((x.shape[0], self.output_size), self.dtype)
        total = 0.0
        for start, stop, out in self._batches(x, batch_size):
            outputs[start:stop] = out
            total += self.loss.value(out, targets[start:stop], check=False) * (stop - start)
        return total / x.shape[0], self.loss.metric(outputs, targets)

    def predict(self, x: Any, batch_size: int = 4096) -> np.ndarray:
        """Evaluation-mode outputs: class probabilities (softmax/sigmoid applied) or regression values."""
        x = self.check_input(x)
        result = np.empty((x.shape[0], self.output_size), self.dtype)
        for start, stop, out in self._batches(x, batch_size):
            if self.loss.fused_activation:
                apply_output_activation(self.loss.fused_activation, out, result[start:stop])
            else:
                result[start:stop] = out
        return result

    def layer_activations(self, x: Any, batch_size: int = 4096) -> list[np.ndarray]:
        """Each block's output in evaluation mode (the output block's after softmax/sigmoid), one (n, units)
        array per block: the per-neuron activation maps the studio draws."""
        x = self.check_input(x)
        maps = [np.empty((x.shape[0], block.units), self.dtype) for block in self.blocks]
        for start, stop, _ in self._batches(x, batch_size):
            for block, target in zip(self.blocks, maps):
                target[start:stop] = block.last_output
        if self.loss.fused_activation:
            maps[-1] = apply_output_activation(self.loss.fused_activation, maps[-1])
        return maps

    def first_nonfinite_layer(self) -> str | None:
        """The name of the first block whose parameters, gradients or last outputs are NaN/inf, else None."""
        for name, block, s in zip(self.layer_names, self.blocks, self.layer_param_slices):
            output = block.last_output
            if (not np.isfinite(self.params[s]).all() or not np.isfinite(self.grads[s]).all()
                    or (output is not None and not np.isfinite(output).all())):
                return name
        return None

    def __repr__(self) -> str:
        widths = "-".join(str(w) for w in [self.input_size] + [b.units for b in self.blocks])
        return f"Network({widths}, {self.loss.name}, {self.dtype.name}, {self.num_params} parameters)"
