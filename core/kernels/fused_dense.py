"""One Numba call trains a plain dense network on a run of consecutive batches (a "chunk").

For each batch, in the order of the general path's step (`core.training.step.StepRunner.run_batch`): gather the
rows → forward through every layer (matmul, bias + activation, inverted dropout) → loss and its gradient →
backward into the flat gradient buffer → L1/L2 terms → finite check → save the weights to `previous` → clipping
(value or global norm) → the optimizer's step → decoupled weight decay → finite check of the weights → explosion
check → running metric. Every elementwise step calls the same kernels as the general path (`activations`,
`losses`, `fused_update`, `optim_regularization`, `clip_kernels`, `batch_reductions`), so both compute the same
arithmetic; only the matrix products may round differently (`dense_matmul`).

The optimizer's step is `fused_update.fused_update` with the optimizer's own row of scalars for that step (its
kernel contract: the kernel knows no optimizer's hyperparameters and computes no bias correction). The chunk stops
early at the first batch that diverges and says why (`STATUS_*`); the caller rolls back exactly as the general
path does. The arguments come in a few groups: three tuples (the batches, the model, whose per-layer description
is a small int64 table of `LAYER_*` columns, and the workspace; `train_chunk` names their members) and two small
arrays of settings (`SETTING_*` float64, `FLAG_*` int64), so one compiled kernel per dtype serves every network
shape.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from core.kernels.activations import activation_backward, bias_activation, dropout_forward
from core.kernels.batch_reductions import accumulate_regression, all_finite, count_correct
from core.kernels.clip_kernels import clip_to_range, scale_in_place, sum_of_squares
from core.kernels.dense_matmul import matmul_nn, matmul_nt, matmul_tn
from core.kernels.fused_update import STEP_LR, fused_update
from core.kernels.losses import binary_cross_entropy_logits, regression_loss, softmax_cross_entropy
from core.kernels.optim_regularization import add_l1_l2_penalty, decay_weights

# Columns of the layer table (one row per dense layer, in forward order).
LAYER_IN, LAYER_UNITS, LAYER_W, LAYER_B, LAYER_CODE, LAYER_WORK = range(6)
LAYER_COLUMNS = 6
# Losses: softmax cross-entropy and binary cross-entropy read logits; the regression codes are losses.MSE + 2 ….
LOSS_CROSS_ENTROPY, LOSS_BINARY_CROSS_ENTROPY, LOSS_MSE, LOSS_MAE, LOSS_HUBER = range(5)
CLIP_NONE, CLIP_VALUE, CLIP_NORM = range(3)
# Float settings.
(SETTING_L1, SETTING_L2, SETTING_DECOUPLED_DECAY, SETTING_CLIP_VALUE, SETTING_EXPLOSION_FACTOR, SETTING_FIRST_LOSS,
 SETTING_HUBER_DELTA) = range(7)
SETTINGS = 7
# Integer flags: the optimizer's fused_kind, whether its momentum buffer has started, and the chunk's batches.
(FLAG_OPTIMIZER, FLAG_STARTED, FLAG_CLIP_MODE, FLAG_LOSS, FLAG_CONTIGUOUS, FLAG_CLASSIFICATION, FLAG_BATCH_SIZE,
 FLAG_FIRST_BATCH, FLAG_BATCHES) = range(9)
FLAGS = 9
# Why a chunk ended: all batches done; the loss or gradient of batch `done` is non-finite (no step taken); the
# weights went non-finite in batch `done`'s step; batch `done`'s loss exploded (after its step).
STATUS_DONE, STATUS_NONFINITE_LOSS, STATUS_NONFINITE_WEIGHTS, STATUS_EXPLODED = range(4)
CLIP_NORM_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_'s (core.clipping.NORM_EPS)


@njit(cache=True, nogil=True)
def _view(flat, offset, rows, columns):
    return flat[offset:offset + rows * columns].reshape((rows, columns))


@njit(cache=True, nogil=True)
def _batch(batches, start, n, contiguous, loss_code):
    """(x, labels, targets) of the batch of n rows from `start` in the epoch's order."""
    x, labels, targets, order, x_buffer, label_buffer, target_buffer = batches
    if contiguous:  # no shuffling: the batch is a slice of the data, nothing to gather
        return x[start:start + n], labels[start:start + n], targets[start:start + n]
    xb, yl, yt = x_buffer[:n], label_buffer[:n], target_buffer[:n]
    for i in range(n):
        row = order[start + i]
        xb[i] = x[row]
        if loss_code == LOSS_CROSS_ENTROPY:
            yl[i] = labels[row]
        else:
            yt[i] = targets[row]
    return xb, yl, yt


@njit(cache=True, nogil=True, error_model="numpy")
def _forward(model, workspace, uniforms, uniform_at, mask_offsets, xb, n):
    """Every layer's matmul, bias + activation and inverted dropout; (the output, the next unused draw)."""
    layers, slopes, dropouts, params, _, _, _ = model
    pre, act, dropped, _, _, _ = workspace
    out = xb
    for layer in range(layers.shape[0]):
        k, m = layers[layer, LAYER_IN], layers[layer, LAYER_UNITS]
        work = layers[layer, LAYER_WORK]
        z, a = _view(pre, work, n, m), _view(act, work, n, m)
        matmul_nn(out, _view(params, layers[layer, LAYER_W], k, m), z)
        bias_activation(z, params[layers[layer, LAYER_B]:layers[layer, LAYER_B] + m], True,
                        layers[layer, LAYER_CODE], slopes[layer], a)
        if dropouts[layer] > 0.0:
            mask_offsets[layer] = uniform_at
            d = _view(dropped, work, n, m)
            dropout_forward(a, _view(uniforms, uniform_at, n, m), dropouts[layer], d)
            uniform_at += n * m
            out = d
        else:
            out = a
    return out, uniform_at


@njit(cache=True, nogil=True, error_model="numpy")
def _loss(out, yl, yt, loss_code, huber_delta, grad_out):
    """The batch's data loss, and its gradient with respect to the output into `grad_out`."""
    if loss_code == LOSS_CROSS_ENTROPY:
        return softmax_cross_entropy(out, yl, grad_out)
    if loss_code == LOSS_BINARY_CROSS_ENTROPY:
        return binary_cross_entropy_logits(out, yt, grad_out)
    return regression_loss(out, yt, loss_code - LOSS_MSE, huber_delta, grad_out)


@njit(cache=True, nogil=True, error_model="numpy")
def _backward(model, workspace, uniforms, mask_offsets, no_mask, xb, n):
    """Backward from the output's gradient (in grad_a), last layer first, into the flat gradient buffer."""
    layers, slopes, dropouts, params, grads, _, _ = model
    pre, act, dropped, grad_a, grad_b, grad_pre = workspace
    flowing, spare = grad_a, grad_b  # they take turns as the gradient flowing down
    for layer in range(layers.shape[0] - 1, -1, -1):
        k, m = layers[layer, LAYER_IN], layers[layer, LAYER_UNITS]
        work = layers[layer, LAYER_WORK]
        b_at = layers[layer, LAYER_B]
        use_mask = dropouts[layer] > 0.0
        mask = _view(uniforms, mask_offsets[layer], n, m) if use_mask else no_mask
        gz = _view(grad_pre, 0, n, m)
        activation_backward(_view(flowing, 0, n, m), _view(pre, work, n, m), _view(act, work, n, m),
                            layers[layer, LAYER_CODE], slopes[layer], mask, use_mask, gz, grads[b_at:b_at + m])
        if layer > 0:
            below = layers[layer - 1, LAYER_WORK]
            source = _view(dropped, below, n, k) if dropouts[layer - 1] > 0.0 else _view(act, below, n, k)
        else:
            source = xb
        matmul_tn(source, gz, _view(grads, layers[layer, LAYER_W], k, m))
        if layer > 0:
            matmul_nt(gz, _view(params, layers[layer, LAYER_W], k, m), _view(spare, 0, n, k))
            flowing, spare = spare, flowing


@njit(cache=True, nogil=True, error_model="numpy")
def _clip(grads, mode, value):
    """Clip the gradient buffer by value or by global norm (torch.nn.utils.clip_grad_norm_'s arithmetic)."""
    if mode == CLIP_VALUE:
        clip_to_range(grads, value)
    elif mode == CLIP_NORM:
        coefficient = value / (math.sqrt(sum_of_squares(grads)) + CLIP_NORM_EPS)
        if coefficient < 1.0:
            scale_in_place(grads, coefficient)


@njit(cache=True, nogil=True)
def _count_metric(output, yl, yt, loss_code, classification, label_buffer, metric_sums):
    """The batch's correct predictions (classification; regression adds to `metric_sums` and counts 0)."""
    if not classification:
        accumulate_regression(output, yt, metric_sums)
        return 0
    if loss_code == LOSS_CROSS_ENTROPY:
        return count_correct(output, yl)
    lb = label_buffer[:yt.shape[0]]
    for i in range(yt.shape[0]):
        lb[i] = 1 if yt[i, 0] >= output.dtype.type(0.5) else 0
    return count_correct(output, lb)


@njit(cache=True, nogil=True, error_model="numpy")
def train_chunk(batches, model, workspace, uniforms, settings, flags, step_scalars, optimizer_state, losses,
                metric_sums):
    """Train on batches flags[FLAG_FIRST_BATCH] … + flags[FLAG_BATCHES] − 1 of the epoch's order.

    `batches` is (x, labels, targets, order, x_buffer, label_buffer, target_buffer): the data, the epoch's order
    of rows and the buffers a shuffled batch is gathered into; `model` is (layers, slopes, dropouts, params, grads,
    previous, weight_mask): the layer table, per-layer slopes and dropout rates, and the flat buffers; `workspace`
    is (pre, act, dropped, grad_a, grad_b, grad_pre), flat arrays of the parameters' dtype.

    `uniforms` holds the dropout draws of the whole chunk (batch by batch, layer by layer, row-major), which is
    exactly the sequence the general path draws. `step_scalars[b]` is the optimizer's row for batch b's step and
    `optimizer_state` its state arrays (`core.kernels.fused_update`). `losses[b]` receives each batch's loss
    (data + L1/L2). Returns (batches completed, status, correct predictions, first loss, momentum buffer started).
    """
    layers, _, _, params, grads, previous, weight_mask = model
    n_samples, label_buffer, grad_a = batches[0].shape[0], batches[5], workspace[3]
    batch_size, first_batch, n_batches = flags[FLAG_BATCH_SIZE], flags[FLAG_FIRST_BATCH], flags[FLAG_BATCHES]
    l1, l2 = settings[SETTING_L1], settings[SETTING_L2]
    decoupled_decay = settings[SETTING_DECOUPLED_DECAY]
    factor, first_loss = settings[SETTING_EXPLOSION_FACTOR], settings[SETTING_FIRST_LOSS]
    loss_code, classification = flags[FLAG_LOSS], flags[FLAG_CLASSIFICATION] != 0
    kind, started = flags[FLAG_OPTIMIZER], flags[FLAG_STARTED] != 0
    mask_offsets = np.zeros(layers.shape[0], np.int64)
    no_mask = np.zeros((1, 1), params.dtype)
    uniform_at = 0
    correct = 0
    for b in range(n_batches):
        start = (first_batch + b) * batch_size
        n = min(start + batch_size, n_samples) - start
        xb, yl, yt = _batch(batches, start, n, flags[FLAG_CONTIGUOUS] != 0, loss_code)
        output, uniform_at = _forward(model, workspace, uniforms, uniform_at, mask_offsets, xb, n)
        grad_out = _view(grad_a, 0, n, layers[layers.shape[0] - 1, LAYER_UNITS])
        loss = _loss(output, yl, yt, loss_code, settings[SETTING_HUBER_DELTA], grad_out)
        _backward(model, workspace, uniforms, mask_offsets, no_mask, xb, n)
        if l1 != 0.0 or l2 != 0.0:
            loss += add_l1_l2_penalty(params, grads, weight_mask, l1, l2)
        losses[b] = loss
        if not (math.isfinite(loss) and all_finite(grads)):
            return b, STATUS_NONFINITE_LOSS, correct, first_loss, started
        previous[:] = params
        _clip(grads, flags[FLAG_CLIP_MODE], settings[SETTING_CLIP_VALUE])
        step_row = step_scalars[b]
        started = fused_update(kind, params, grads, optimizer_state, step_row, started)
        if decoupled_decay != 0.0:
            decay_weights(params, weight_mask, 1.0 - step_row[STEP_LR] * decoupled_decay)
        if not all_finite(params):
            return b, STATUS_NONFINITE_WEIGHTS, correct, first_loss, started
        if not math.isnan(first_loss) and loss > factor * max(first_loss, 1.0):
            return b, STATUS_EXPLODED, correct, first_loss, started
        if math.isnan(first_loss):
            first_loss = loss
        correct += _count_metric(output, yl, yt, loss_code, classification, label_buffer, metric_sums)
    return n_batches, STATUS_DONE, correct, first_loss, started
