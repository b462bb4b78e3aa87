"""The learning-rate range test (Smith 2015; fastai's `lr_find`, Lightning's `lr_find`): which rate to train at.

From the network's current weights, train one batch per step while the rate grows exponentially from `start_lr`
to `end_lr` (by default 1e-7 → 10 over 200 batches), and record the loss after each step, smoothed by an
exponential moving average with bias correction (β = 0.98, as fastai). The sweep stops early once the smoothed
loss exceeds 4× the best seen so far (or turns non-finite): beyond that point the curve only says "too high".
Afterwards the weights, batch-norm statistics and optimizer state are put back exactly as they were, whatever
happened (an error or Ctrl+C included).

The loss recorded is not the batch's own (as fastai records) but the loss on a fixed probe of up to 1,024
training rows, in evaluation mode. With the small batches this project defaults to (10 rows) a batch's loss
varies by 7–20 % (standard deviation, default project) from batch to batch, so the curve's minimum was often at
the very first rate (seen at 2 of 6 seeds), a pure accident of sampling; on a fixed probe the curve is flat
where the rate is too small to matter, and every change in it is the weights' doing. One forward pass over
1,024 rows costs about as much as a few training batches.

Two suggestions are read off the smoothed curve, and one of them is marked as chosen:
- "steepest": the rate where the loss falls fastest against log(rate) (Lightning's default). The first 10 %
  and the last point of the curve are skipped: the average is still warming up there, or already blowing up.
- "minimum": the rate of the lowest loss ÷ 10 (fastai's `minimum` rule): at the minimum the rate is already
  near the edge of stability, a tenth of it is safely inside.
`suggest` prefers "steepest" but falls back to "minimum" when the steepest point is not a real descent (the
loss fell by less than 1 % of its start) or lies above the rate of the minimum itself, where the loss already
rises again. Both rates are returned, the chosen one marked, so the choice is always said, never silent.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from core.spec import TrainingSpec

DEFAULT_START_LR = 1e-7
DEFAULT_END_LR = 10.0
DEFAULT_NUM_STEPS = 200
SMOOTHING = 0.98  # β of the moving average (fastai and Lightning use 0.98)
DIVERGENCE_FACTOR = 4.0  # stop once the smoothed loss exceeds this × the best smoothed loss
PROBE_ROWS = 1024  # the loss after each step is measured on (up to) this many fixed training rows
MIN_POINTS = 5  # fewer points than this make no curve to read a rate from
SKIP_BEGIN_FRACTION = 0.1  # the moving average's warm-up: not read for the steepest descent
# The steepest point counts as a descent only when the loss around it fell by at least this share of its start.
MIN_RELATIVE_DROP = 0.01
RULES = ("steepest", "minimum")


class LrFinderError(ValueError):
    """The range test could not run or found no curve to read (a message the user can act on)."""


@dataclass(frozen=True)
class LrSuggestion:
    rule: str  # "steepest" or "minimum"
    lr: float  # NaN when the rule finds no rate (a curve without a real descent has no steepest point)
    chosen: bool


@dataclass
class LrFinderResult:
    rates: np.ndarray  # the rate of each recorded step (float64, increasing)
    losses: np.ndarray  # the smoothed loss at each rate (all finite)
    raw_losses: np.ndarray  # the batch losses before smoothing
    suggestions: tuple[LrSuggestion, ...]  # one per rule, exactly one of them chosen
    stop_reason: str  # "completed", "rose above 4× its best" or "became non-finite" (said of the loss)

    @property
    def chosen(self) -> LrSuggestion:
        return next(s for s in self.suggestions if s.chosen)

    @property
    def suggestion(self) -> float:
        return self.chosen.lr

    @property
    def rule(self) -> str:
        return self.chosen.rule

    def to_json(self) -> dict[str, Any]:
        """The CLI's --json object: suggestion, rule, both suggestions (null where a rule found none: JSON has no
        NaN), stop reason and the curve."""
        return {"suggestion": self.suggestion, "rule": self.rule,
                "suggestions": {s.rule: s.lr if math.isfinite(s.lr) else None for s in self.suggestions},
                "stop_reason": self.stop_reason,
                "rates": [float(r) for r in self.rates], "losses": [float(v) for v in self.losses]}


def sweep_rates(start_lr: float, end_lr: float, num_steps: int) -> np.ndarray:
    """`num_steps` rates from start_lr to end_lr, evenly spaced on a log scale (float64)."""
    if not (math.isfinite(start_lr) and math.isfinite(end_lr) and 0 < start_lr < end_lr):
        raise LrFinderError(f"learning-rate range test: need 0 < start_lr < end_lr (finite), got {start_lr!r} "
                            f"and {end_lr!r}")
    if int(num_steps) < MIN_POINTS:
        raise LrFinderError(f"learning-rate range test: num_steps must be ≥ {MIN_POINTS}, got {num_steps!r}")
    return np.geomspace(start_lr, end_lr, int(num_steps))


def smooth_losses(raw: np.ndarray, beta: float = SMOOTHING) -> np.ndarray:
    """Exponential moving average with bias correction: avg_i / (1 − β^(i+1))."""
    smoothed = np.empty(len(raw), np.float64)
    average = 0.0
    for i, loss in enumerate(raw):
        average = beta * average + (1.0 - beta) * float(loss)
        smoothed[i] = average / (1.0 - beta ** (i + 1))
    return smoothed


def steepest_index(rates: np.ndarray, losses: np.ndarray) -> int | None:
    """Where the smoothed loss falls fastest against log10(rate), skipping the warm-up and the last point;
    None when the curve is too short or never really falls there."""
    begin = max(1, int(len(losses) * SKIP_BEGIN_FRACTION))
    end = len(losses) - 1
    if end - begin < 3:
        return None
    slopes = np.gradient(losses[begin:end], np.log10(rates[begin:end]))
    index = begin + int(np.argmin(slopes))
    drop = losses[begin] - losses[begin:index + 1].min()
    if slopes[index - begin] >= 0 or drop < MIN_RELATIVE_DROP * abs(losses[begin]):
        return None
    return index


def suggest(rates: np.ndarray, losses: np.ndarray) -> tuple[LrSuggestion, ...]:
    """Both rules' rates; "steepest" is chosen when it is a real descent at or below the minimum's rate."""
    minimum_lr = float(rates[int(np.argmin(losses))]) / 10.0
    index = steepest_index(rates, losses)
    steepest_lr = float(rates[index]) if index is not None else math.nan
    use_steepest = index is not None and steepest_lr <= 10.0 * minimum_lr
    return (LrSuggestion("steepest", steepest_lr, use_steepest), LrSuggestion("minimum", minimum_lr,
                                                                               not use_steepest))


class _SavedState:
    """A copy of everything a sweep changes (weights, batch-norm statistics, optimizer state), put back by
    `restore` bit for bit."""

    def __init__(self, network, optimizer):
        self.network, self.optimizer = network, optimizer
        self.params = network.params.copy()
        self.buffers = network.buffers.copy()
        self.optimizer_state = copy.deepcopy(optimizer.state_dict()) if optimizer is not None else None

    def restore(self) -> None:
        np.copyto(self.network.params, self.params)
        np.copyto(self.network.buffers, self.buffers)
        if self.optimizer is not None:
            self.optimizer.load_state_dict(self.optimizer_state)


def _batches(network, data, training: TrainingSpec, rng: np.random.Generator):
    """Endless (x, y) batches of the training set with the run's batch mode, reshuffled every pass."""
    from core.training.batching import BatchSampler, batch_size_for
    x = network.check_input(data.x_train)
    y = network.check_targets(data.y_train, x.shape[0])
    sampler = BatchSampler(x, y, batch_size_for(training, x.shape[0]), training.shuffle, rng)
    while True:
        sampler.start_epoch()
        for index in range(sampler.batches_per_epoch):
            yield sampler.batch(index)


def find_learning_rate(network, data, *, optimizer=None, start_lr: float = DEFAULT_START_LR,
                       end_lr: float = DEFAULT_END_LR, num_steps: int = DEFAULT_NUM_STEPS,
                       divergence_factor: float = DIVERGENCE_FACTOR, smoothing: float = SMOOTHING,
                       probe_rows: int = PROBE_ROWS,
                       on_step: Callable[[int, int], None] | None = None) -> LrFinderResult:
    """Run the range test on `data.x_train`/`y_train` (a `core.data.PreparedData`) with the network's training
    settings (batch mode, optimizer, clipping, L1/L2; not its schedule: the sweep is the schedule).

    `optimizer`: an optimizer over `network.params` to sweep with (e.g. a paused run's, so its momentum counts);
    its state is restored afterwards. Without it a fresh optimizer is built from the spec. The shuffle order and
    dropout masks come from the spec's seed, so the same weights give the same curve.
    `on_step(done, planned)` is called after every step (the studio's progress bar); an exception it raises (a
    cancel) ends the sweep, and the state is restored all the same.
    """
    from core.training.rng_streams import training_streams
    from core.training.step import StepRunner
    training = network.spec.training
    if training.optimizer.name == "lbfgs":
        raise LrFinderError("learning-rate range test: L-BFGS sets its own step length by line search; choose a "
                            "step-by-gradient optimizer (SGD, Adam, ...) to find a rate for")
    if optimizer is not None and optimizer.params is not network.params:
        raise LrFinderError("learning-rate range test: the optimizer given must step this network's parameter "
                            "buffer (network.params)")
    if len(data.x_train) == 0:
        raise LrFinderError("learning-rate range test: the training set is empty; give the data set some rows")
    rates = sweep_rates(start_lr, end_lr, num_steps)
    streams = training_streams(training.seed)
    probe = _probe(network, data, probe_rows)
    with np.errstate(over="ignore", invalid="ignore"):
        start_loss = _probe_loss(network, *probe)
    if not math.isfinite(start_loss):
        raise LrFinderError(f"learning-rate range test: the loss is {start_loss} at the network's current weights, "
                            f"before any step; check the data and the weights")
    saved = _SavedState(network, optimizer)
    errors = np.seterr(over="ignore", invalid="ignore")  # a diverging sweep is detected by the finite checks
    try:
        runner = StepRunner(network, training, streams["dropout"])
        if optimizer is not None:
            runner.optimizer = optimizer
        raw, stop_reason = _sweep(runner, _batches(network, data, training, streams["shuffle"]),
                                  probe, rates, divergence_factor, smoothing, on_step)
    finally:
        np.seterr(**errors)
        saved.restore()
    if len(raw) < MIN_POINTS:
        raise LrFinderError(f"learning-rate range test: the loss {stop_reason} after {len(raw)} step(s) from "
                            f"{start_lr:g}; too few points to read a rate from: start the sweep at a lower rate")
    rates = rates[:len(raw)]
    raw_losses = np.asarray(raw, np.float64)
    losses = smooth_losses(raw_losses, smoothing)
    return LrFinderResult(rates, losses, raw_losses, suggest(rates, losses), stop_reason)


def _probe(network, data, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `rows` training rows (the split already shuffled them), checked once."""
    x = network.check_input(data.x_train[:rows])
    return x, network.check_targets(data.y_train[:rows], x.shape[0])


def _probe_loss(network, x: np.ndarray, y: np.ndarray) -> float:
    """The data loss on the probe rows in evaluation mode (no dropout, batch norm's running statistics)."""
    output = network.forward(x, training=False, check=False)
    return float(network.loss.value(output, y, check=False))


def _sweep(runner, batches, probe, rates: np.ndarray, divergence_factor: float, beta: float,
           on_step: Callable[[int, int], None] | None = None) -> tuple[list[float], str]:
    """One batch per rate; the probe losses after each step while they stay finite, and why the sweep ended."""
    network, (x_probe, y_probe) = runner.network, probe
    raw: list[float] = []
    average, best = 0.0, math.inf
    for i, rate in enumerate(rates):
        runner.optimizer.hyper["lr"] = float(rate)
        x, y = next(batches)
        if runner.run_batch(x, y).diverged:  # a non-finite loss, gradient or step: nothing beyond this point
            return raw, "became non-finite"
        loss = _probe_loss(network, x_probe, y_probe)
        if not math.isfinite(loss):
            return raw, "became non-finite"
        raw.append(loss)
        if on_step is not None:
            on_step(i + 1, len(rates))
        average = beta * average + (1.0 - beta) * loss
        smoothed = average / (1.0 - beta ** (i + 1))
        best = min(best, smoothed)
        if smoothed > divergence_factor * best:
            return raw, f"rose above {divergence_factor:g}× its best"
    return raw, "completed"
