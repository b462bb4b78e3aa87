"""One Numba call trains a plain dense network on a run of consecutive batches (a "chunk").

For each batch, in the Trainer's documented order: gather the rows → forward through every layer (matmul, bias +
activation, inverted dropout) → loss and its gradient → backward into the flat gradient buffer → L1/L2 terms →
finite check → save the weights to `previous` → clipping (value or global norm) → optimizer step (Adam/AdamW,
SGD/momentum/Nesterov) → decoupled weight decay → finite check of the weights → explosion check → running metric.
Every elementwise step calls the same kernels as the general path (`activations`, `losses`, `optim_kernels`,
`optim_regularization`, `clip_kernels`, `batch_reductions`), so both compute the same arithmetic; only the
matrix products may round differently (`dense_matmul`).

The chunk stops early at the first batch that diverges and says why (`STATUS_*`); the caller rolls back exactly
as the general path does. The per-layer description is a small int64 table (`LAYER_*` columns) and the settings
are two small arrays (`SETTING_*`, `FLAG_*`), so one compiled kernel per dtype serves every network shape.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from core.kernels.activations import activation_backward, bias_activation, dropout_forward
from core.kernels.batch_reductions import accumulate_regression, all_finite, count_correct
from core.kernels.clip_kernels import clip_to_range, scale_in_place, sum_of_squares
from core.kernels.dense_matmul import matmul_nn, matmul_nt, matmul_tn
from core.kernels.losses import binary_cross_entropy_logits, regression_loss, softmax_cross_entropy
from core.kernels.optim_kernels import adam_step, sgd_step
from core.kernels.optim_regularization import add_l1_l2_penalty, decay_weights

# Columns of the layer table (one row per dense layer, in forward order).
LAYER_IN, LAYER_UNITS, LAYER_W, LAYER_B, LAYER_CODE, LAYER_WORK = range(6)
LAYER_COLUMNS = 6
# Losses: softmax cross-entropy and binary cross-entropy read logits; the regression codes are losses.MSE + 2 ….
LOSS_CROSS_ENTROPY, LOSS_BINARY_CROSS_ENTROPY, LOSS_MSE, LOSS_MAE, LOSS_HUBER = range(5)
OPTIMIZER_ADAM, OPTIMIZER_SGD = range(2)
CLIP_NONE, CLIP_VALUE, CLIP_NORM = range(3)
# Float settings.
(SETTING_LR, SETTING_BETA1, SETTING_BETA2, SETTING_EPS, SETTING_WEIGHT_DECAY, SETTING_MOMENTUM, SETTING_DAMPENING,
 SETTING_L1, SETTING_L2, SETTING_DECOUPLED_DECAY, SETTING_CLIP_VALUE, SETTING_EXPLOSION_FACTOR, SETTING_FIRST_LOSS,
 SETTING_HUBER_DELTA) = range(14)
SETTINGS = 14
# Integer flags.
(FLAG_OPTIMIZER, FLAG_DECOUPLED, FLAG_AMSGRAD, FLAG_NESTEROV, FLAG_BUFFER_STARTED, FLAG_CLIP_MODE, FLAG_STEP,
 FLAG_LOSS, FLAG_CONTIGUOUS, FLAG_CLASSIFICATION) = range(10)
FLAGS = 10
# Why a chunk ended: all batches done; the loss or gradient of batch `done` is non-finite (no step taken); the
# weights went non-finite in batch `done`'s step; batch `done`'s loss exploded (after its step).
STATUS_DONE, STATUS_NONFINITE_LOSS, STATUS_NONFINITE_WEIGHTS, STATUS_EXPLODED = range(4)
CLIP_NORM_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_'s (core.clipping.NORM_EPS)


@njit(cache=True, nogil=True)
def _view(flat, offset, rows, columns):
    return flat[offset:offset + rows * columns].reshape((rows, columns))


@njit(cache=True, nogil=True, error_model="numpy")
def train_chunk(x, labels, targets, order, batch_size, first_batch, n_batches, layers, slopes, dropouts, uniforms,
                params, grads, previous, weight_mask, settings, flags, state1, state2, state3, x_buffer,
                label_buffer, target_buffer, pre, act, dropped, grad_a, grad_b, grad_pre, losses,
                metric_sums):
    """Train on batches first_batch … first_batch + n_batches − 1 of the epoch's `order`.

    `uniforms` holds the dropout draws of the whole chunk (batch by batch, layer by layer, row-major), which is
    exactly the sequence the general path draws. `losses[b]` receives each batch's loss (data + L1/L2).
    Returns (batches completed, status, correct predictions, first loss, momentum buffer started).
    """
    dtype = params.dtype.type
    n_samples = x.shape[0]
    n_layers = layers.shape[0]
    lr = settings[SETTING_LR]
    l1, l2 = settings[SETTING_L1], settings[SETTING_L2]
    decoupled_decay = settings[SETTING_DECOUPLED_DECAY]
    factor, first_loss = settings[SETTING_EXPLOSION_FACTOR], settings[SETTING_FIRST_LOSS]
    loss_code, classification = flags[FLAG_LOSS], flags[FLAG_CLASSIFICATION] != 0
    buffer_started = flags[FLAG_BUFFER_STARTED] != 0
    no_mask = np.zeros((1, 1), params.dtype)
    mask_offsets = np.zeros(n_layers, np.int64)
    uniform_at = 0
    correct = 0
    for b in range(n_batches):
        start = (first_batch + b) * batch_size
        n = min(start + batch_size, n_samples) - start
        if flags[FLAG_CONTIGUOUS] != 0:  # no shuffling: the batch is a slice of the data, nothing to gather
            xb = x[start:start + n]
            yl = labels[start:start + n]
            yt = targets[start:start + n]
        else:
            xb = x_buffer[:n]
            yl = label_buffer[:n]
            yt = target_buffer[:n]
            for i in range(n):
                row = order[start + i]
                xb[i] = x[row]
                if loss_code == LOSS_CROSS_ENTROPY:
                    yl[i] = labels[row]
                else:
                    yt[i] = targets[row]
        # Forward.
        out = xb
        for layer in range(n_layers):
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
        # Loss and its gradient with respect to the output.
        units = layers[n_layers - 1, LAYER_UNITS]
        grad_out = _view(grad_a, 0, n, units)
        if loss_code == LOSS_CROSS_ENTROPY:
            loss = softmax_cross_entropy(out, yl, grad_out)
        elif loss_code == LOSS_BINARY_CROSS_ENTROPY:
            loss = binary_cross_entropy_logits(out, yt, grad_out)
        else:
            loss = regression_loss(out, yt, loss_code - LOSS_MSE, settings[SETTING_HUBER_DELTA], grad_out)
        output = out
        # Backward, last layer first; grad_a and grad_b take turns as the gradient flowing down.
        flowing, spare = grad_a, grad_b
        for layer in range(n_layers - 1, -1, -1):
            k, m = layers[layer, LAYER_IN], layers[layer, LAYER_UNITS]
            work = layers[layer, LAYER_WORK]
            b_at = layers[layer, LAYER_B]
            use_mask = dropouts[layer] > 0.0
            mask = _view(uniforms, mask_offsets[layer], n, m) if use_mask else no_mask
            gz = _view(grad_pre, 0, n, m)
            activation_backward(_view(flowing, 0, n, m), _view(pre, work, n, m), _view(act, work, n, m),
                                layers[layer, LAYER_CODE], slopes[layer], mask, use_mask, gz,
                                grads[b_at:b_at + m])
            if layer > 0:
                below = layers[layer - 1, LAYER_WORK]
                source = (_view(dropped, below, n, k) if dropouts[layer - 1] > 0.0
                          else _view(act, below, n, k))
            else:
                source = xb
            matmul_tn(source, gz, _view(grads, layers[layer, LAYER_W], k, m))
            if layer > 0:
                matmul_nt(gz, _view(params, layers[layer, LAYER_W], k, m), _view(spare, 0, n, k))
                flowing, spare = spare, flowing
        if l1 != 0.0 or l2 != 0.0:
            loss += add_l1_l2_penalty(params, grads, weight_mask, l1, l2)
        losses[b] = loss
        if not (math.isfinite(loss) and all_finite(grads)):
            return b, STATUS_NONFINITE_LOSS, correct, first_loss, buffer_started
        previous[:] = params
        clip_mode = flags[FLAG_CLIP_MODE]
        if clip_mode == CLIP_VALUE:
            clip_to_range(grads, settings[SETTING_CLIP_VALUE])
        elif clip_mode == CLIP_NORM:
            coefficient = settings[SETTING_CLIP_VALUE] / (math.sqrt(sum_of_squares(grads)) + CLIP_NORM_EPS)
            if coefficient < 1.0:
                scale_in_place(grads, coefficient)
        step = float(flags[FLAG_STEP] + b + 1)
        if flags[FLAG_OPTIMIZER] == OPTIMIZER_ADAM:
            beta1, beta2 = settings[SETTING_BETA1], settings[SETTING_BETA2]
            adam_step(params, grads, state1, state2, state3, lr, beta1, beta2, settings[SETTING_EPS],
                      settings[SETTING_WEIGHT_DECAY], flags[FLAG_DECOUPLED] != 0, flags[FLAG_AMSGRAD] != 0,
                      1.0 - beta1 ** step, math.sqrt(1.0 - beta2 ** step))
        else:
            momentum = settings[SETTING_MOMENTUM]
            sgd_step(params, grads, state1, lr, momentum, settings[SETTING_DAMPENING],
                     settings[SETTING_WEIGHT_DECAY], flags[FLAG_NESTEROV] != 0, not buffer_started)
            if momentum != 0.0:
                buffer_started = True
        if decoupled_decay != 0.0:
            decay_weights(params, weight_mask, 1.0 - lr * decoupled_decay)
        if not all_finite(params):
            return b, STATUS_NONFINITE_WEIGHTS, correct, first_loss, buffer_started
        if not math.isnan(first_loss) and loss > factor * max(first_loss, 1.0):
            return b, STATUS_EXPLODED, correct, first_loss, buffer_started
        if math.isnan(first_loss):
            first_loss = loss
        if classification:
            if loss_code == LOSS_CROSS_ENTROPY:
                correct += count_correct(output, yl)
            else:
                lb = label_buffer[:n]
                for i in range(n):
                    lb[i] = 1 if yt[i, 0] >= dtype(0.5) else 0
                correct += count_correct(output, lb)
        else:
            accumulate_regression(output, yt, metric_sums)
    return n_batches, STATUS_DONE, correct, first_loss, buffer_started
