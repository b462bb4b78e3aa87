"""Checkpoints of a Trainer: everything a run needs to continue bit for bit from between two batches.

The state holds copies (weights, optimizer arrays, schedule, both random streams, this epoch's sample order and
the running epoch sums, early-stopping state, history and live settings), so the trainer may keep running after
`state_dict()` and the checkpoint stays as it was. It is a plain dict of NumPy arrays and Python values.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import numpy as np

from core.training.early_stopping import EarlyStopping

STATE_VERSION = 1


def trainer_state(trainer) -> dict[str, Any]:
    steps = trainer.steps
    return {
        "version": STATE_VERSION,
        "network": copy.deepcopy(trainer.network.get_state()),
        "grads": trainer.network.grads.copy(),
        "previous_params": steps.previous_params.copy(),
        "previous_buffers": steps.previous_buffers.copy(),
        "optimizer": steps.optimizer.state_dict(),
        "schedule": copy.deepcopy(steps.schedule),
        "training": trainer.training,  # an immutable TrainingSpec: no copy needed
        "rng": {name: copy.deepcopy(rng.bit_generator.state) for name, rng in trainer.rngs.items()},
        "order": trainer.sampler.order.copy(),
        "counters": trainer.counters.state(),
        "running_metric": trainer.running_metric.state(),
        "early_stopping": trainer.early_stopping.state_dict(),
        "best_state": copy.deepcopy(trainer.best_state),
        "history": copy.deepcopy(trainer.history),
        "elapsed": trainer.clock.read(),
    }


def load_trainer_state(trainer, state: dict[str, Any], *, keep_settings: bool = False) -> None:
    if state.get("version") != STATE_VERSION:
        raise ValueError(f"trainer checkpoint: version must be {STATE_VERSION}, got {state.get('version')!r}")
    steps = trainer.steps
    trainer.network.set_state(copy.deepcopy(state["network"]))
    if not keep_settings:
        trainer.spec = replace(trainer.spec, training=state["training"])  # the saved settings, checked when saved
        steps.schedule = copy.deepcopy(state["schedule"])
    if state["optimizer"]["config"].get("name") == steps.optimizer.name:
        steps.optimizer.load_state_dict(state["optimizer"])
        if keep_settings:  # the fork's own hyperparameters win over the saved ones
            steps.optimizer.hyper.update(trainer.training.optimizer.hyper)
    for name, rng in trainer.rngs.items():
        rng.bit_generator.state = copy.deepcopy(state["rng"][name])
    trainer.sampler.order = np.array(state["order"], dtype=np.int64, copy=True)
    trainer.counters.load_state(state["counters"])
    trainer.early_stopping = EarlyStopping(trainer.training.early_stopping, trainer.evaluator.has_validation)
    trainer.early_stopping.load_state_dict(state["early_stopping"])
    trainer.running_metric.load_state(state["running_metric"])
    trainer.best_state = copy.deepcopy(state["best_state"])
    trainer.history = copy.deepcopy(state["history"])
    trainer.clock.elapsed = float(state["elapsed"])
    if trainer.counters.epoch_started and keep_settings:  # mid-epoch fork: this epoch's rate from the fork's
        steps.set_epoch_lr(trainer.counters.epoch)  # schedule
    # The last batch's gradient and pre-step weights: the next epoch record's norms and update ratios use them.
    np.copyto(trainer.network.grads, state["grads"])
    np.copyto(steps.previous_params, state["previous_params"])
    np.copyto(steps.previous_buffers, state["previous_buffers"])
