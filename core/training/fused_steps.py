"""Runs of batches through the fused dense kernel, for a Trainer whose run passed `fast_path.fused_path_refusal`.

`FusedSteps` owns the kernel's workspace (allocated once for the batch size) and translates between the
Trainer's objects and the kernel's grouped arguments: the optimizer, through its public kernel contract only
(`core.kernels.fused_update`: its kind, a row of step scalars per batch, its state arrays and momentum flag, read
at every chunk, so live changes apply from the next chunk on), the dropout stream (the chunk's draws are taken in
one call, in the order the general path draws them), and the outcome (per-batch losses, the running metric's
counts, and a `StepOutcome` for a batch that diverged, which the Trainer handles exactly as the general path's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.kernels import fused_dense as k
from core.kernels.batch_reductions import all_finite
from core.kernels.fused_update import STEP_SCALARS
from core.training.fast_path import macs_per_batch
from core.training.step import StepOutcome

_LOSS_CODES = {"cross_entropy": k.LOSS_CROSS_ENTROPY, "binary_cross_entropy": k.LOSS_BINARY_CROSS_ENTROPY,
               "mse": k.LOSS_MSE, "mae": k.LOSS_MAE, "huber": k.LOSS_HUBER}
_CLIP_CODES = {"none": k.CLIP_NONE, "value": k.CLIP_VALUE, "norm": k.CLIP_NORM}
# Bounds on one chunk: multiply-adds (≈ 10 ms, so a stop() or live change waits at most that long) and dropout
# draws held at once (4 MB in float32).
CHUNK_MACS = 50_000_000
CHUNK_DROPOUT_DRAWS = 1_000_000


@dataclass
class ChunkResult:
    losses: np.ndarray  # loss of each completed batch (float64)
    batch_sizes: list[int]  # samples of each completed batch
    first_loss: float | None
    failed: StepOutcome | None = None  # the batch after the completed ones, when it diverged


class FusedSteps:
    """Trains chunks of consecutive batches of the current epoch in one kernel call each."""

    def __init__(self, network, steps, sampler, running_metric, dropout_rng: np.random.Generator):
        self.network, self.steps = network, steps  # the settings are `steps.training` (a live change replaces them)
        self.sampler, self.running_metric, self.dropout_rng = sampler, running_metric, dropout_rng
        dtype = network.params.dtype
        blocks = network.blocks
        n = sampler.batch_size
        self.layers = np.zeros((len(blocks), k.LAYER_COLUMNS), np.int64)
        base, itemsize = network.params.ctypes.data, network.params.itemsize
        work = 0
        for row, block in zip(self.layers, blocks):
            v = block.views
            row[k.LAYER_IN], row[k.LAYER_UNITS], row[k.LAYER_CODE] = block.n_in, block.units, block.code
            row[k.LAYER_W] = (v.weight.ctypes.data - base) // itemsize
            row[k.LAYER_B] = (v.bias.ctypes.data - base) // itemsize
            row[k.LAYER_WORK] = work
            work += n * block.units
        self.slopes = np.array([b.slope for b in blocks], np.float64)
        self.dropouts = np.array([b.dropout for b in blocks], np.float64)
        self.dropout_units = sum(b.units for b in blocks if b.dropout > 0.0)
        self.max_chunk = max(1, min(CHUNK_MACS // max(1, macs_per_batch(network, n)),
                                    CHUNK_DROPOUT_DRAWS // max(1, n * self.dropout_units)))
        widest = max([network.input_size] + [b.units for b in blocks])
        self.pre, self.act, self.dropped = (np.empty(work, dtype) for _ in range(3))
        self.grad_a, self.grad_b, self.grad_pre = (np.empty(n * widest, dtype) for _ in range(3))
        self.workspace = (self.pre, self.act, self.dropped, self.grad_a, self.grad_b, self.grad_pre)
        gathered = n if sampler.shuffle else 0  # without shuffling the kernel reads slices of the data instead
        self.x_buffer = np.empty((gathered, network.input_size), dtype)
        self.loss_code = _LOSS_CODES[network.loss.name]
        y = sampler.y
        if self.loss_code == k.LOSS_CROSS_ENTROPY:
            self.labels, self.targets = y, np.zeros((0, network.output_size), dtype)
            self.target_buffer = self.targets
        else:
            self.labels, self.targets = np.zeros(0, np.int64), y
            self.target_buffer = np.empty((gathered,) + y.shape[1:], dtype)
        self.label_buffer = np.empty(n, np.int64)
        self.model = (self.layers, self.slopes, self.dropouts, network.params, network.grads, steps.previous_params,
                      steps.weight_mask)
        self.losses = np.empty(0, np.float64)  # each batch's loss, and the optimizer's row of scalars for its step
        self.step_scalars = np.zeros((0, STEP_SCALARS), np.float64)
        self._settings = np.zeros(k.SETTINGS, np.float64)
        self._flags = np.zeros(k.FLAGS, np.int64)
        self._key: tuple | None = None  # the settings `_settings`/`_flags` were built from

    # --- arguments ------------------------------------------------------------------------------------------
    def _arguments(self, first_batch: int, count: int, first_loss: float | None,
                   explosion_factor: float | None) -> tuple[np.ndarray, np.ndarray]:
        """(settings, flags) for the next chunk. The parts that only change with the settings are rebuilt when
        a setting changed (a live change, a loaded checkpoint), the rest every call."""
        optimizer, t = self.steps.optimizer, self.steps.training
        key = (t.l1, t.l2, t.decoupled_weight_decay, t.clipping.mode, t.clipping.value, t.huber_delta)
        if key != self._key:
            self._key = key
            s = self._settings
            s[k.SETTING_L1], s[k.SETTING_L2] = float(t.l1), float(t.l2)
            s[k.SETTING_DECOUPLED_DECAY] = float(t.decoupled_weight_decay)
            s[k.SETTING_CLIP_VALUE] = float(t.clipping.value)
            s[k.SETTING_HUBER_DELTA] = float(t.huber_delta)
            f = self._flags
            f[k.FLAG_OPTIMIZER] = optimizer.fused_kind
            f[k.FLAG_CLIP_MODE] = _CLIP_CODES[t.clipping.mode]
            f[k.FLAG_LOSS] = self.loss_code
            f[k.FLAG_CONTIGUOUS] = not self.sampler.shuffle
            f[k.FLAG_CLASSIFICATION] = self.running_metric.classification
            f[k.FLAG_BATCH_SIZE] = self.sampler.batch_size
        self._settings[k.SETTING_EXPLOSION_FACTOR] = math.inf if explosion_factor is None else explosion_factor
        self._settings[k.SETTING_FIRST_LOSS] = math.nan if first_loss is None else first_loss
        self._flags[k.FLAG_STARTED] = optimizer.kernel_started()
        self._flags[k.FLAG_FIRST_BATCH], self._flags[k.FLAG_BATCHES] = first_batch, count
        return self._settings, self._flags

    def _rows(self, first_batch: int, count: int) -> list[int]:
        size, total = self.sampler.batch_size, self.sampler.num_samples
        return [min(size, total - (first_batch + b) * size) for b in range(count)]

    # --- a chunk --------------------------------------------------------------------------------------------
    def run(self, first_batch: int, count: int, first_loss: float | None,
            explosion_factor: float | None) -> ChunkResult:
        """Train batches first_batch … first_batch + count − 1 of the current epoch (count ≤ `max_chunk`)."""
        rows = self._rows(first_batch, count)
        rng_state = None
        if self.dropout_units:
            rng_state = self.dropout_rng.bit_generator.state
            uniforms = self.dropout_rng.random(sum(rows) * self.dropout_units, dtype=self.network.params.dtype)
        else:
            uniforms = self.network.params[:0]
        if self.losses.size < count:
            self.losses = np.empty(count, np.float64)
            self.step_scalars = np.zeros((count, STEP_SCALARS), np.float64)
        net, optimizer, sampler = self.network, self.steps.optimizer, self.sampler
        step_scalars = self.step_scalars[:count]
        optimizer.kernel_scalars(optimizer.steps + 1, step_scalars)
        batches = (sampler.x, self.labels, self.targets, sampler.order, self.x_buffer, self.label_buffer,
                   self.target_buffer)
        done, status, correct, first, started = k.train_chunk(
            batches, self.model, self.workspace, uniforms,
            *self._arguments(first_batch, count, first_loss, explosion_factor), step_scalars,
            optimizer.kernel_state(), self.losses, self.running_metric.sums)
        optimizer.steps += done + (status in (k.STATUS_NONFINITE_WEIGHTS, k.STATUS_EXPLODED))
        optimizer.set_kernel_started(bool(started))
        self.running_metric.correct += int(correct)
        self.running_metric.count += sum(rows[:done])
        if rng_state is not None and status != k.STATUS_DONE:  # leave the stream where the general path would
            self.dropout_rng.bit_generator.state = rng_state
            self.dropout_rng.random(sum(rows[:done + 1]) * self.dropout_units, dtype=net.params.dtype)
        result = ChunkResult(self.losses[:done], rows[:done], None if math.isnan(first) else float(first))
        if status != k.STATUS_DONE:
            result.failed = self._failure(status, float(self.losses[done]), rows[done])
        return result

    def _failure(self, status: int, loss: float, rows: int) -> StepOutcome:
        """The failed batch as the general step reports it (weights rolled back where it rolls them back)."""
        if status == k.STATUS_EXPLODED:  # the Trainer names the layer from the update ratios, then rolls back
            return StepOutcome(loss)
        net = self.network
        if status == k.STATUS_NONFINITE_WEIGHTS:
            broken = net.params.copy()
            self.steps.roll_back()
            return StepOutcome(loss, diverged=True, gradient_finite=True, nonfinite_params=broken)
        gradient_finite = bool(all_finite(net.grads))
        self.steps.roll_back()
        return StepOutcome(loss, diverged=True, gradient_finite=gradient_finite,
                           locate_layer=lambda: self._first_nonfinite_layer(rows))

    def _first_nonfinite_layer(self, rows: int) -> str | None:
        """`Network.first_nonfinite_layer` for the kernel's last batch: params, gradients or outputs."""
        net = self.network
        for index, (name, s) in enumerate(zip(net.layer_names, net.layer_param_slices)):
            row = self.layers[index]
            source = self.dropped if self.dropouts[index] > 0.0 else self.act
            output = source[row[k.LAYER_WORK]:row[k.LAYER_WORK] + rows * row[k.LAYER_UNITS]]
            if (not np.isfinite(net.params[s]).all() or not np.isfinite(net.grads[s]).all()
                    or not np.isfinite(output).all()):
                return name
        return None
