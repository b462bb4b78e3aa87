'''The text of the generated `train.py`: the engine's training loop written in PyTorch.

`train_source(...)` fills the template's slots (`__NAME__`) in ONE pass with Python literals (`repr` /
`pprint.pformat`), so a literal that happens to contain another slot's name is never filled twice, and no
project string (file, feature or class name) reaches the code except as a literal. The template itself holds no
project string at all: train.py imports model.py for the network and reads the rows and weights from .npz files.

The loop mirrors the engine; each rule it writes out again comes from one place, and a change there must be
made here too (the tests in tests/core/export/test_torch_train_*.py fail until it is):

- the order of one step and the divergence rules: `core/training/step.py`, `core/training/divergence.py`;
- the batch size and row order (the first of two streams spawned from the seed): `core/training/batching.py`,
  `core/training/rng_streams.py`;
- the warm-up and every schedule, reduce-on-plateau included: `core/schedules/`;
- L1/L2 as loss terms on weights only, decoupled weight decay: `core/regularizers.py`;
- clipping by value, norm and AGC: `core/clipping.py`; Lookahead: `core/optimizers/lookahead.py`;
- epoch-end evaluation, early stopping and restore-best: `core/training/epoch_end.py`,
  `core/training/early_stopping.py`, `core/training/trainer.py` (`_end_epoch`, `_restores_best`).

Every other optimizer is the torch.optim class the engine's follows (`torch_train_config`).
'''

from __future__ import annotations

import pprint
import re
from typing import Any

_SLOT = re.compile(r"__([A-Z_]+)__")


def _plain(value: Any) -> Any:
    """The value in builtin types only: a typed Spec section is a read-only dict subclass whose repr names its
    class, which train.py does not have."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value) if type(value) in (list, tuple) else \
            [_plain(item) for item in value]
    return value


def _literal(value: Any) -> str:
    return pprint.pformat(_plain(value), width=100, compact=True, sort_dicts=False)


def train_source(*, training: dict[str, Any], optimizer_class: str, optimizer_arguments: dict[str, Any],
                 engine_params: list[tuple[str, bool]], engine_buffers: list[str], model_file: str,
                 data_file: str, initial_state_file: str) -> str:
    """train.py for these settings and companion file names (names relative to train.py's folder)."""
    values = {"TRAINING": training, "OPTIMIZER_CLASS": optimizer_class, "OPTIMIZER_ARGUMENTS": optimizer_arguments,
              "ENGINE_PARAMS": engine_params, "ENGINE_BUFFERS": engine_buffers, "MODEL_FILE": model_file,
              "DATA_FILE": data_file, "INITIAL_STATE_FILE": initial_state_file}
    literals = {name: _literal(value) for name, value in values.items()}
    return _SLOT.sub(lambda match: literals[match[1]], _TEMPLATE)


_TEMPLATE = '''"""Train the network exported from Backprop Studio in PyTorch, the way the studio trains it.

    python train.py [--epochs N] [--device cpu|cuda] [--dtype float32|float64] [--output FILE]
    torchrun --nproc_per_node N train.py [--backend gloo|nccl] [...]   # DistributedDataParallel, N processes

It starts from the studio's initial weights (INITIAL_STATE_FILE), trains on the project's rows after
preprocessing (DATA_FILE: the training, validation and test split) in the studio's batch order (its seeded
shuffle stream, re-created with NumPy), and takes the studio's steps: data loss + L1/L2 terms (weights only)
-> gradient clipping -> optimizer step (with Lookahead if on) -> decoupled weight decay; each epoch's learning
rate comes from the schedule with its warm-up; at each epoch's end come the validation loss and metric, early
stopping (restoring the best epoch's weights if asked) and reduce-on-plateau. A non-finite or exploding loss
stops the run on the last finite weights, as in the studio. In float64 on one process (--dtype float64) the
weights follow the studio's to rounding (the test suite checks 1e-8 after 20 steps).

Where it cannot be identical:
- dropout draws its masks from torch's random generator (seeded with the project's seed), not the studio's: the
  same rate, other masks;
- batch norm is torch's BatchNorm1d with momentum 0.1 (running = 0.9 * running + 0.1 * batch statistic, the
  unbiased variance for the running variance: the studio's convention); torch refuses a training batch of one
  row;
- under torchrun each process takes a rank-strided share (rows rank, rank + N, ...) of every batch of the same
  order and DistributedDataParallel averages the gradients; batch norm statistics are per process (rank 0's
  are kept); a last batch with fewer rows than processes is skipped.

Writes (rank 0 only): OUTPUT (default trained_state_dict.npz beside this file; model.load_model(path) reads it),
the same weights in the studio's flat layout ("params", "buffers": what Network.set_state takes) as
<output stem>_engine.npz, and the epochs' history as <output stem>_history.json; then prints one summary line.
"""

import argparse
import bisect
import importlib.util
import json
import math
import os
import sys
import tempfile

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_FILE = os.path.join(HERE, __MODEL_FILE__)
DATA_FILE = os.path.join(HERE, __DATA_FILE__)
INITIAL_STATE_FILE = os.path.join(HERE, __INITIAL_STATE_FILE__)
OUTPUT_FILE = os.path.join(HERE, "trained_state_dict.npz")

# The project's training settings (its spec's "training" section).
TRAINING = __TRAINING__
# The torch.optim class and arguments that perform the studio's optimizer update.
OPTIMIZER_CLASS = __OPTIMIZER_CLASS__
OPTIMIZER_ARGUMENTS = __OPTIMIZER_ARGUMENTS__
# The studio's flat parameter order: (state-dict name, stored transposed), then its buffers' order.
ENGINE_PARAMS = __ENGINE_PARAMS__
ENGINE_BUFFERS = __ENGINE_BUFFERS__

EXPLOSION_FACTOR = 1e4  # a batch loss above this x max(first batch loss, 1) counts as divergence
AGC_EPS = 1e-3  # adaptive clipping: weights smaller than this still allow a gradient of clip * 1e-3
PLATEAU_MIN_DECREASE = 1e-8  # reduce-on-plateau ignores smaller reductions (torch's eps)
EVALUATION_BATCH = 4096  # rows per evaluation forward pass
DTYPES = {"float32": torch.float32, "float64": torch.float64}


class TrainError(Exception):
    """A problem the user can act on: printed as one line, exit code 1."""


# ----------------------------------------------------------------------------------------------- files
def load_model_module():
    """model.py (beside this file) as a module, whatever folder Python was started from."""
    spec = importlib.util.spec_from_file_location("backprop_studio_exported_model", MODEL_FILE)
    if spec is None or spec.loader is None or not os.path.isfile(MODEL_FILE):
        raise TrainError(f"{MODEL_FILE}: the exported model.py is missing; export again")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_npz(path):
    """The arrays of an .npz file (never unpickling), or TrainError naming the file."""
    if not os.path.isfile(path):
        raise TrainError(f"{path}: missing or not a regular file; export again")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return {name: arrays[name] for name in arrays.files}
    except (OSError, ValueError) as error:
        raise TrainError(f"{path}: not a readable .npz file ({error})") from None


def write_atomically(path, write):
    """Call write(temporary path), then move the file into place: no half-written file on a crash."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".train-", suffix=os.path.splitext(path)[1], dir=folder)
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


# ----------------------------------------------------------------------------------------------- data
def load_splits(dtype, device, input_size):
    """{split: (x, y)} as tensors: x in `dtype`, y class indices (int64) or targets shaped (rows, outputs)."""
    arrays = read_npz(DATA_FILE)
    splits = {}
    for split in ("train", "val", "test"):
        if f"x_{split}" not in arrays or f"y_{split}" not in arrays:
            raise TrainError(f"{DATA_FILE}: no x_{split}/y_{split} arrays; export again")
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 2 or x.shape[1] != input_size or y.shape[:1] != x.shape[:1] or x.dtype.kind != "f":
            raise TrainError(f"{DATA_FILE}: x_{split} {x.shape} / y_{split} {y.shape} don't fit a network of "
                             f"{input_size} inputs; export again")
        if not (np.isfinite(x).all() and (y.dtype.kind in "iub" or np.isfinite(y).all())):
            raise TrainError(f"{DATA_FILE}: the {split} rows hold NaN or infinite values; export again")
        x = torch.from_numpy(np.ascontiguousarray(x)).to(device=device, dtype=dtype)
        if TRAINING["loss"] == "cross_entropy":
            y = torch.from_numpy(np.asarray(y, dtype=np.int64)).to(device)
        else:
            y = torch.from_numpy(np.ascontiguousarray(y).reshape(len(y), -1)).to(device=device, dtype=dtype)
        splits[split] = (x, y)
    return splits


def batch_size_for(rows):
    """How many rows one update sees under the batch mode (full, stochastic or mini)."""
    if TRAINING["batch_mode"] == "full":
        return rows
    if TRAINING["batch_mode"] == "stochastic":
        return 1
    return max(1, min(int(TRAINING["batch_size"]), rows))


class BatchOrder:
    """The studio's row order per epoch: a fresh permutation from the first of the two random streams spawned
    from the seed (shuffle, then dropout); no shuffling when one batch holds every row."""

    def __init__(self, rows, batch_size):
        shuffle_stream = np.random.SeedSequence(int(TRAINING["seed"])).spawn(2)[0]
        self.rng = np.random.Generator(np.random.PCG64(shuffle_stream))
        self.rows = rows
        self.shuffle = bool(TRAINING["shuffle"]) and batch_size < rows
        self.order = np.arange(rows, dtype=np.int64)

    def next_epoch(self):
        if self.shuffle:
            self.order = self.rng.permutation(self.rows).astype(np.int64, copy=False)
        return self.order


# ----------------------------------------------------------------------------------------------- schedule
def half_cosine(base_lr, eta_min, position, length):
    return eta_min + (base_lr - eta_min) * (1.0 + math.cos(math.pi * position / length)) / 2.0


class Schedule:
    """The learning rate of each epoch: a linear warm-up, then the schedule proper from its own epoch 0."""

    def __init__(self, base_lr, epochs):
        self.settings = TRAINING["schedule"]
        self.base_lr, self.epochs = float(base_lr), int(epochs)
        self.current_lr, self.best, self.bad_epochs, self.cooldown_left = self.base_lr, math.inf, 0, 0

    def lr_for_epoch(self, epoch):
        s = self.settings
        warmup = s["warmup_epochs"]
        if epoch < warmup:
            start = s["warmup_start_factor"]
            return self.base_lr * (start + (1.0 - start) * epoch / warmup)
        epoch, name, eta = epoch - warmup, s["name"], self.base_lr
        if name == "constant":
            return eta
        if name == "step":
            return eta * s["gamma"] ** (epoch // s["step_size"])
        if name == "multistep":
            return eta * s["gamma"] ** bisect.bisect_right(s["milestones"], epoch)
        if name == "exponential":
            return eta * s["gamma"] ** epoch
        if name == "cosine":
            return half_cosine(eta, s["eta_min"], epoch, s["t_max"] or max(1, self.epochs - warmup))
        if name == "cosine_restarts":
            position, cycle = epoch, s["t_0"]
            while position >= cycle:
                position -= cycle
                cycle *= s["t_mult"]
            return half_cosine(eta, s["eta_min"], position, cycle)
        if name == "plateau":
            return self.current_lr
        raise TrainError(f"unknown schedule {name!r}")

    def epoch_end(self, epoch, monitored):
        """Reduce-on-plateau's bookkeeping (mode min, relative threshold); the other schedules ignore it."""
        s = self.settings
        if s["name"] != "plateau" or monitored is None or epoch < s["warmup_epochs"]:
            return
        if monitored < self.best * (1.0 - s["threshold"]):
            self.best, self.bad_epochs = monitored, 0
        else:
            self.bad_epochs += 1
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.bad_epochs = 0
        if self.bad_epochs > s["patience"]:
            reduced = max(self.current_lr * s["factor"], s["min_lr"])
            if self.current_lr - reduced > PLATEAU_MIN_DECREASE:
                self.current_lr = reduced
            self.cooldown_left, self.bad_epochs = s["cooldown"], 0


# ----------------------------------------------------------------------------------------------- step parts
def make_optimizer(parameters):
    arguments = dict(OPTIMIZER_ARGUMENTS)
    if "betas" in arguments:
        arguments["betas"] = tuple(arguments["betas"])
    return getattr(torch.optim, OPTIMIZER_CLASS)(parameters, **arguments)


class Lookahead:
    """Slow weights that move a fraction alpha toward the fast ones every k steps; the fast ones jump there."""

    def __init__(self, parameters, k, alpha):
        self.parameters, self.k, self.alpha, self.steps = parameters, int(k), float(alpha), 0
        self.slow = [p.detach().clone() for p in parameters]

    @torch.no_grad()
    def after_step(self):
        self.steps += 1
        if self.steps % self.k == 0:
            for fast, slow in zip(self.parameters, self.slow):
                slow.add_(fast - slow, alpha=self.alpha)
                fast.copy_(slow)


def penalty(weights):
    """L1 * sum|w| + L2 / 2 * sum w^2 over the Linear weights (not biases, not batch norm): its gradient is
    L1 * sign(w) + L2 * w, what the studio adds to the gradient."""
    l1, l2 = float(TRAINING["l1"]), float(TRAINING["l2"])
    total = 0.0
    if l1:
        total = total + l1 * sum(w.abs().sum() for w in weights)
    if l2:
        total = total + l2 / 2 * sum((w * w).sum() for w in weights)
    return total


@torch.no_grad()
def clip_adaptively(named_weights, clip):
    """AGC: each unit's gradient norm at most clip * max(|w_unit|, 1e-3); a 1-D weight (batch norm's) is one unit."""
    for weight in named_weights:
        w = weight.reshape(1, -1) if weight.dim() == 1 else weight
        g = weight.grad.reshape(1, -1) if weight.dim() == 1 else weight.grad
        max_norm = clip * w.norm(dim=1).clamp(min=AGC_EPS)
        grad_norm = g.norm(dim=1)
        scale = torch.where(grad_norm > max_norm, max_norm / grad_norm.clamp(min=1e-6), torch.ones_like(grad_norm))
        g.mul_(scale[:, None])


def clip_gradients(parameters, unit_weights):
    mode, value = TRAINING["clipping"]["mode"], float(TRAINING["clipping"]["value"])
    if mode == "value":
        nn.utils.clip_grad_value_(parameters, value)
    elif mode == "norm":
        nn.utils.clip_grad_norm_(parameters, value)
    elif mode == "agc":
        clip_adaptively(unit_weights, value)


def all_finite(tensors):
    return all(bool(torch.isfinite(t).all()) for t in tensors if t is not None)


# ----------------------------------------------------------------------------------------------- evaluation
def metric_name():
    return "accuracy" if TRAINING["loss"] in ("cross_entropy", "binary_cross_entropy") else "r2"


def metric(outputs, y):
    """Accuracy, or R^2 averaged over outputs (a constant column scores 1 if exact, else 0), as the studio."""
    if TRAINING["loss"] == "cross_entropy":
        return float((outputs.argmax(dim=1) == y).double().mean())
    if TRAINING["loss"] == "binary_cross_entropy":
        return float(((outputs > 0) == (y >= 0.5)).double().mean())
    y, outputs = y.double(), outputs.double()
    residual = ((y - outputs) ** 2).sum(dim=0)
    total = ((y - y.mean(dim=0)) ** 2).sum(dim=0)
    exact = torch.where(residual == 0, 1.0, 0.0).to(y)
    scores = torch.where(total > 0, 1.0 - residual / torch.where(total > 0, total, torch.ones_like(total)), exact)
    return float(scores.mean())


@torch.no_grad()
def evaluate(net, loss_fn, x, y):
    """(mean loss, metric) in evaluation mode, in chunks of EVALUATION_BATCH rows."""
    was_training = net.training
    net.eval()
    outputs, total = [], 0.0
    for start in range(0, len(x), EVALUATION_BATCH):
        chunk = net(x[start:start + EVALUATION_BATCH])
        outputs.append(chunk)
        total += float(loss_fn(chunk, y[start:start + EVALUATION_BATCH])) * len(chunk)
    net.train(was_training)
    return total / len(x), metric(torch.cat(outputs), y)


class EarlyStopping:
    """Patience counting with a minimum improvement; val_* monitors fall back to train_loss without validation."""

    def __init__(self, has_validation):
        config = TRAINING["early_stopping"]
        self.enabled, self.restore_best = bool(config["enabled"]), bool(config["restore_best"])
        self.patience, self.min_delta = int(config["patience"]), float(config["min_delta"])
        monitor = config["monitor"]
        self.monitor = monitor if has_validation or monitor == "train_loss" else "train_loss"
        self.best_value, self.best_epoch, self.epochs_without_improvement = None, None, 0

    def update(self, epoch, value):
        """(improved, should_stop) after 1-based `epoch` ended with the monitored `value`."""
        if not math.isfinite(value):
            improved = False
        elif self.best_value is None:
            improved = True
        elif self.monitor == "val_metric":
            improved = value > self.best_value + self.min_delta
        else:
            improved = value < self.best_value - self.min_delta
        if improved:
            self.best_value, self.best_epoch, self.epochs_without_improvement = value, epoch, 0
        else:
            self.epochs_without_improvement += 1
        return improved, self.enabled and self.epochs_without_improvement >= max(1, self.patience)


# ----------------------------------------------------------------------------------------------- the run
def copy_state(net):
    return {name: value.detach().clone() for name, value in net.state_dict().items()}


def setup(args):
    """(rank, world size, device); starts the process group under torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if args.device == "cuda" and not torch.cuda.is_available():
        raise TrainError("--device cuda: this machine's torch sees no CUDA device; use --device cpu")
    if world <= 1:
        return 0, 1, torch.device(args.device)
    backend = args.backend or ("nccl" if args.device == "cuda" else "gloo")
    dist.init_process_group(backend=backend)
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local_rank}" if args.device == "cuda" else "cpu")
    if args.device == "cuda":
        torch.cuda.set_device(device)
    return dist.get_rank(), dist.get_world_size(), device


class Run:
    """One training run: the network, its optimizer and the studio's rules, stepped batch by batch."""

    def __init__(self, args, rank, world, device):
        self.rank, self.world, self.device = rank, world, device
        self.dtype = DTYPES[args.dtype or TRAINING["dtype"]]
        self.epochs = int(args.epochs or TRAINING["epochs"])
        torch.manual_seed(int(TRAINING["seed"]))  # dropout masks: torch's own stream, seeded like the project
        module = load_model_module()
        self.net = module.Network().to(device=device, dtype=self.dtype)  # the precision first, then the weights
        initial = read_npz(INITIAL_STATE_FILE)
        try:
            self.net.load_state_dict({name: torch.from_numpy(array.copy()) for name, array in initial.items()})
        except RuntimeError as error:
            raise TrainError(f"{INITIAL_STATE_FILE}: the weights don't fit model.py ({error}); export again") \\
                from None
        self.loss_fn = module.make_loss()
        self.model = self.net
        if world > 1:
            self.model = nn.parallel.DistributedDataParallel(
                self.net, device_ids=[device.index] if device.type == "cuda" else None)
        blocks = list(self.net.layers)
        self.parameters = list(self.net.parameters())  # the studio's flat order: W, b (, gamma, beta) per block
        self.weights = [block.dense.weight for block in blocks]  # what L1, L2 and decoupled decay touch
        self.unit_weights = [w for block in blocks for w in (block.dense.weight, block.bn.weight if block.bn
                                                                 is not None else None) if w is not None]
        self.optimizer = make_optimizer(self.parameters)
        self.lbfgs = OPTIMIZER_CLASS == "LBFGS"
        lookahead = TRAINING["lookahead"]
        self.lookahead = (Lookahead(self.parameters, lookahead["k"], lookahead["alpha"])
                          if lookahead["enabled"] else None)
        self.last_finite = copy_state(self.net)  # the last weights whose loss was finite: refilled in place
        self.first_loss = None

    @torch.no_grad()
    def save_last_finite(self):
        """Copy the weights and statistics into the saved ones (no allocation: this runs every step)."""
        for name, value in self.net.state_dict().items():
            self.last_finite[name].copy_(value)

    def set_lr(self, lr):
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def global_mean(self, value, rows, total_rows):
        """The batch's loss over every process's rows (each process holds `rows` of `total_rows`)."""
        if self.world == 1:
            return value
        summed = torch.tensor([value * rows], dtype=torch.float64, device=self.device)
        dist.all_reduce(summed)
        return float(summed[0]) / total_rows

    def objective(self, x, y):
        return self.loss_fn(self.model(x), y) + penalty(self.weights)

    def step(self, x, y, total_rows):
        """One update; (loss, failure) where failure names what went non-finite, or None."""
        if self.lbfgs:
            self.save_last_finite()

            def closure():
                self.optimizer.zero_grad()
                total = self.objective(x, y)
                total.backward()
                return total

            loss = self.global_mean(float(self.optimizer.step(closure).detach()), len(x), total_rows)
            if not math.isfinite(loss) or not all_finite(p.grad for p in self.parameters):
                return loss, "the loss or gradient became non-finite"
        else:
            self.optimizer.zero_grad()
            total = self.objective(x, y)
            total.backward()
            loss = self.global_mean(float(total.detach()), len(x), total_rows)
            if not math.isfinite(loss):
                return loss, f"the loss became {loss}"
            if not all_finite(p.grad for p in self.parameters):
                return loss, "the gradient became non-finite"
            self.save_last_finite()
            clip_gradients(self.parameters, self.unit_weights)
            self.optimizer.step()
            if self.lookahead is not None:
                self.lookahead.after_step()
        decay = float(TRAINING["decoupled_weight_decay"])
        if decay:
            with torch.no_grad():
                shrink = 1.0 - self.optimizer.param_groups[0]["lr"] * decay
                for w in self.weights:
                    w.mul_(shrink)
        if not all_finite(self.parameters):
            return loss, "the weights became non-finite"
        if self.first_loss is not None and loss > EXPLOSION_FACTOR * max(self.first_loss, 1.0):
            return loss, f"the loss exploded to {loss:.3g} (it started at {self.first_loss:.3g})"
        if self.first_loss is None:
            self.first_loss = loss
        return loss, None

    def share(self, rows):
        """This process's rows of a batch (rank-strided under torchrun), or None to skip the batch everywhere."""
        if self.world == 1:
            return rows
        return rows[self.rank::self.world] if len(rows) >= self.world else None

    def end_of_epoch_figures(self, train_loss, val):
        """(train loss, val loss, val metric), identical on every process (rank 0's)."""
        val_loss, val_metric = evaluate(self.net, self.loss_fn, *val) if val is not None else (None, None)
        if self.world == 1:
            return train_loss, val_loss, val_metric
        figures = torch.tensor([train_loss, math.nan if val_loss is None else val_loss,
                                math.nan if val_metric is None else val_metric], dtype=torch.float64,
                               device=self.device)
        dist.broadcast(figures, 0)
        train_loss, val_loss, val_metric = (float(v) for v in figures)
        return train_loss, (None if val is None else val_loss), (None if val is None else val_metric)

    def sync_buffers(self):
        """Batch-norm running statistics from rank 0 on every process, so all evaluate the same network."""
        if self.world > 1:
            for buffer in self.net.buffers():
                dist.broadcast(buffer, 0)

    def check_batch_norm_shares(self, rows, batch_size):
        """torch's BatchNorm1d refuses to train on one row (the studio's gives beta): say so before training."""
        if all(block.bn is None for block in self.net.layers):
            return
        last = rows % batch_size or batch_size
        shares = [size // self.world for size in (batch_size, last) if size >= self.world]
        if shares and min(shares) == 1:
            processes = f" shared by {self.world} processes" if self.world > 1 else ""
            raise TrainError(f"batch norm can't train on a single row in PyTorch, and batches of {batch_size} of "
                             f"{rows} rows{processes} leave one; change the project's batch size or process count")

    def train(self, splits):
        x_train, y_train = splits["train"]
        val = splits["val"] if len(splits["val"][0]) > 0 else None
        rows = len(x_train)
        batch_size = batch_size_for(rows)
        self.check_batch_norm_shares(rows, batch_size)
        order = BatchOrder(rows, batch_size)
        schedule = Schedule(TRAINING["optimizer"]["lr"], self.epochs)
        stopper = EarlyStopping(val is not None)
        history, best_state, stop_reason, step = [], None, "completed", 0
        for epoch in range(self.epochs):
            epoch_order = order.next_epoch()
            lr = schedule.lr_for_epoch(epoch)
            self.set_lr(lr)
            self.net.train()
            loss_sum, samples = 0.0, 0
            for start in range(0, rows, batch_size):
                batch = epoch_order[start:start + batch_size]
                mine = self.share(batch)
                if mine is None:
                    continue
                index = torch.from_numpy(mine).to(self.device)
                loss, failure = self.step(x_train[index], y_train[index], len(batch))
                step += 1
                if failure is not None:
                    self.net.load_state_dict(self.last_finite)
                    stop_reason = f"diverged: {failure} at epoch {epoch + 1}, step {step}"
                    break
                loss_sum, samples = loss_sum + loss * len(batch), samples + len(batch)
            if stop_reason != "completed":
                break
            self.sync_buffers()
            train_loss, val_loss, val_metric = self.end_of_epoch_figures(loss_sum / max(1, samples), val)
            record = {"epoch": epoch + 1, "train_loss": train_loss, "val_loss": val_loss,
                      f"val_{metric_name()}": val_metric, "lr": lr}
            history.append(record)
            monitored = {"train_loss": train_loss, "val_loss": val_loss, "val_metric": val_metric}
            improved, should_stop = stopper.update(epoch + 1, monitored[stopper.monitor])
            if improved and stopper.enabled and stopper.restore_best:
                best_state = copy_state(self.net)
            # reduce-on-plateau watches a loss: the monitored one, or the validation loss for a metric monitor
            use_train = stopper.monitor == "train_loss" or val_loss is None
            schedule.epoch_end(epoch, train_loss if use_train else val_loss)
            if should_stop:
                stop_reason = "early stopping"
                break
        restored = best_state is not None and stop_reason in ("completed", "early stopping")
        if restored:
            self.net.load_state_dict(best_state)
        return history, stop_reason, stopper.best_epoch if restored else None


def engine_arrays(net):
    """The weights in the studio's flat layout: {"params": ..., "buffers": ...} (Network.set_state)."""
    state = {name: value.detach().cpu().numpy() for name, value in net.state_dict().items()}
    params = [(state[name].T if transposed else state[name]).ravel() for name, transposed in ENGINE_PARAMS]
    buffers = [state[name].ravel() for name in ENGINE_BUFFERS]
    dtype = params[0].dtype
    return {"params": np.concatenate(params), "buffers": np.concatenate(buffers) if buffers else np.zeros(0, dtype)}


def save_results(net, history, output):
    """The state dict (model.py's names), the studio's flat layout and the history, each written atomically."""
    stem = os.path.splitext(output)[0]
    state = {name: value.detach().cpu().numpy() for name, value in net.state_dict().items()}
    text = json.dumps(history, indent=1)
    for path, content in ((output, state), (stem + "_engine.npz", engine_arrays(net)), (stem + "_history.json", text)):
        write_atomically(path, lambda temporary, content=content: write_file(temporary, content))


def write_file(path, content):
    """An .npz of a dict of arrays, or a text file."""
    with open(path, "wb") as handle:
        if isinstance(content, dict):
            np.savez(handle, **content)
        else:
            handle.write(content.encode("utf-8"))


def summary(history, stop_reason, best_epoch, output):
    last = history[best_epoch - 1] if best_epoch else (history[-1] if history else None)
    figures = []
    if last is not None:
        figures.append(f"epoch {last['epoch']}: train loss {last['train_loss']:.6g}")
        if last["val_loss"] is not None:
            name = f"val_{metric_name()}"
            figures.append(f"val loss {last['val_loss']:.6g}, {name.replace('_', ' ')} {last[name]:.4g}")
    restored = f", best epoch {best_epoch} restored" if best_epoch else ""
    done = "; ".join(figures) or "no epoch done"
    return f"{len(history)} epochs ({stop_reason}{restored}); {done}; weights: {output}"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="Train the exported network in PyTorch as Backprop Studio does "
                                                 "(under torchrun: DistributedDataParallel).")
    parser.add_argument("--epochs", type=int, help="epochs to train (default: the project's); the schedule is "
                                                   "planned over them, as the studio would")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="where to train (default cpu)")
    parser.add_argument("--dtype", choices=tuple(DTYPES), help="precision (default: the project's)")
    parser.add_argument("--backend", choices=("gloo", "nccl"),
                        help="torchrun's process-group backend (default: nccl on cuda, gloo on cpu)")
    parser.add_argument("--output", default=OUTPUT_FILE, help="the trained state dict to write (.npz; default "
                                                              "trained_state_dict.npz beside train.py)")
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    return args


def main(argv=None):
    args = parse_arguments(argv)
    started = False
    try:
        rank, world, device = setup(args)
        started = world > 1
        run = Run(args, rank, world, device)
        splits = load_splits(run.dtype, device, run.net.layers[0].dense.in_features)
        history, stop_reason, best_epoch = run.train(splits)
        if rank == 0:
            save_results(run.net, history, os.path.abspath(args.output))
            print(summary(history, stop_reason, best_epoch, os.path.abspath(args.output)), flush=True)
    except TrainError as error:
        print(f"train.py: {error}", file=sys.stderr)
        return 1
    finally:
        if started:
            dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''
