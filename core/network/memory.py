"""How much memory a network will take, estimated from its spec BEFORE anything is allocated.

A project file can describe a network of any size (10⁹ inputs, two layers of 65,536 units, 10⁵ layers). The
estimate counts the flat parameter buffers (parameters, gradients, weight mask, a best-weights copy and the copy
a save makes), the optimizer's state, and the per-batch activations of every block (forward values, dropout
masks, gradients) for the training batch and the evaluation batch. `check_network_memory` refuses a spec whose
estimate is over `core.memory_budget`'s budget, in one line naming the figure. Nothing here imports numba:
core.project checks a file's network with it before anything is built.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.memory_budget import check_allocation
from core.spec import LayerSpec, Spec, TrainingSpec
from core.spec.parameter_count import layers_parameter_count

EVALUATION_ROWS = 4096  # rows per evaluation forward pass (core.training.epoch_end.EVALUATION_BATCH)
# Copies of the flat parameter vector besides the optimizer's: params, grads, weight mask, best weights, a save.
_PARAMETER_COPIES = 5
# Per-parameter state vectors each optimizer keeps (the worst case of its options).
_OPTIMIZER_STATE_VECTORS = {"sgd": 1, "momentum": 1, "nesterov": 1, "rmsprop": 3, "adagrad": 1, "adadelta": 2,
                            "adam": 3, "adamw": 3, "adamax": 2, "nadam": 3}
_LBFGS_WORK_VECTORS = 6  # besides its history of (s, y) pairs: direction, previous gradient and parameters...
# Per row and unit, the arrays a block keeps for one batch: z, pre, ẑ, mask, activation, dropped, output,
# grad_pre, grad_z (plus grad_x of the block's input width).
_ACTIVATION_ARRAYS_PER_UNIT = 9


def parameter_counts(input_size: int, layers: Sequence[LayerSpec]) -> tuple[int, int]:
    """(trainable parameters, batch-norm buffer values) of a validated spec's layers, without allocating.

    The parameter figure is `core.spec.parameter_count`, the one count every view shows.
    """
    n_params = layers_parameter_count(input_size, layers)
    n_buffers = sum(2 * layer.units for layer in layers if layer.batch_norm)
    return n_params, n_buffers


def training_rows(spec: Spec, num_samples: int | None = None) -> int:
    """Rows in one training batch: 1 (stochastic), the batch size (mini), or every sample (full batch).

    Without `num_samples` (the data is not known yet) a full batch counts as the evaluation batch.
    """
    training = spec.training
    if training.batch_mode == "stochastic":
        return 1
    if training.batch_mode == "full":
        return num_samples if num_samples is not None else EVALUATION_ROWS
    batch = int(training.batch_size)
    return batch if num_samples is None else min(batch, num_samples)


def estimate_network_bytes(spec: Spec, batch_rows: int | None = None) -> int:
    """Bytes a validated spec's network needs to train on batches of `batch_rows` (default: its batch size)."""
    itemsize = np.dtype(spec.training.dtype).itemsize
    layers = spec.layers
    n_params, n_buffers = parameter_counts(spec.input_size, layers)
    vectors = _PARAMETER_COPIES + _optimizer_vectors(spec.training)
    rows = (training_rows(spec) if batch_rows is None else batch_rows) + EVALUATION_ROWS
    widths = [spec.input_size] + [layer.units for layer in layers]
    per_row = sum(_ACTIVATION_ARRAYS_PER_UNIT * units + n_in for n_in, units in zip(widths, widths[1:]))
    return itemsize * (vectors * n_params + 2 * n_buffers + rows * per_row)


def check_network_memory(spec: Spec, batch_rows: int | None = None) -> None:
    """Raise core.memory_budget.MemoryBudgetError when the spec's network would not fit in the budget."""
    widths = "-".join(str(width) for width in [spec.input_size] + [layer.units for layer in spec.layers])
    if len(widths) > 60:
        widths = f"{len(spec.layers)} layers, {spec.input_size} inputs"
    check_allocation(f"the network ({widths})", estimate_network_bytes(spec, batch_rows))


def _optimizer_vectors(training: TrainingSpec) -> int:
    optimizer = training.optimizer
    if optimizer.name == "lbfgs":
        steps = int(training.epochs) * int(optimizer.max_iter)
        return 2 * min(int(optimizer.history_size), steps) + _LBFGS_WORK_VECTORS
    lookahead = 1 if training.lookahead.enabled else 0  # the slow weights
    return _OPTIMIZER_STATE_VECTORS.get(optimizer.name, 3) + lookahead
