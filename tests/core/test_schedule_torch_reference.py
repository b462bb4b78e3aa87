"""Each schedule's learning-rate sequence over 60 epochs equals torch.optim.lr_scheduler's (stepped per epoch)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.schedules import make_schedule
from core.spec import TrainingSpec, default_spec, validate_spec

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

EPOCHS = 60
BASE_LR = 0.1
sched = torch.optim.lr_scheduler


def _training(schedule: dict[str, Any]) -> TrainingSpec:
    training = {"epochs": EPOCHS, "optimizer": {"name": "sgd", "lr": BASE_LR}, "schedule": schedule}
    return validate_spec({**default_spec().to_json(), "training": training}).training


def _torch_optimizer() -> Any:
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE_LR)


# (our schedule dict, a factory of the torch scheduler for the epochs after the warm-up)
CASES: list[tuple[dict[str, Any], Any]] = [
    ({"name": "constant"}, lambda o, n: sched.ConstantLR(o, factor=1.0, total_iters=0)),
    ({"name": "step", "step_size": 7, "gamma": 0.5}, lambda o, n: sched.StepLR(o, step_size=7, gamma=0.5)),
    ({"name": "multistep", "milestones": [5, 20, 21, 44], "gamma": 0.3},
     lambda o, n: sched.MultiStepLR(o, milestones=[5, 20, 21, 44], gamma=0.3)),
    ({"name": "exponential", "gamma": 0.93}, lambda o, n: sched.ExponentialLR(o, gamma=0.93)),
    ({"name": "cosine", "t_max": 0, "eta_min": 0.001},
     lambda o, n: sched.CosineAnnealingLR(o, T_max=n, eta_min=0.001)),
    ({"name": "cosine", "t_max": 25}, lambda o, n: sched.CosineAnnealingLR(o, T_max=25)),
    ({"name": "cosine_restarts", "t_0": 10}, lambda o, n: sched.CosineAnnealingWarmRestarts(o, T_0=10)),
    ({"name": "cosine_restarts", "t_0": 3, "t_mult": 2, "eta_min": 0.01},
     lambda o, n: sched.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01)),
]


def _torch_rates(make_main: Any, warmup_epochs: int, start_factor: float) -> list[float]:
    optimizer = _torch_optimizer()
    if warmup_epochs:
        main = make_main(optimizer, EPOCHS - warmup_epochs)
        warmup = sched.LinearLR(optimizer, start_factor=start_factor, total_iters=warmup_epochs)
        scheduler = sched.SequentialLR(optimizer, [warmup, main], milestones=[warmup_epochs])
    else:
        scheduler = make_main(optimizer, EPOCHS)
    rates = []
    for _ in range(EPOCHS):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize("warmup_epochs", [0, 5])
@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(str(v) for v in c[0].values()))
def test_learning_rates_match_torch(case: tuple[dict[str, Any], Any], warmup_epochs: int) -> None:
    config, make_main = case
    schedule = make_schedule(_training({**config, "warmup_epochs": warmup_epochs, "warmup_start_factor": 0.2}))
    ours = [schedule.lr_for_epoch(e) for e in range(EPOCHS)]
    np.testing.assert_allclose(ours, _torch_rates(make_main, warmup_epochs, 0.2), rtol=0, atol=1e-10)
    if config["name"] != "constant" or warmup_epochs:
        assert len(set(np.round(ours, 12))) > 1  # the rate really changes


def test_reduce_on_plateau_matches_torch_on_a_scripted_loss() -> None:
    settings = {"factor": 0.5, "patience": 3, "threshold": 0.01, "cooldown": 2, "min_lr": 0.004}
    schedule = make_schedule(_training({"name": "plateau", **settings}))
    optimizer = _torch_optimizer()
    reference = sched.ReduceLROnPlateau(optimizer, factor=0.5, patience=3, threshold=0.01, cooldown=2,
                                        min_lr=0.004)
    # falls, stalls, falls by less than the threshold, stalls for long: several reductions down to min_lr
    losses = [1.0, 0.8, 0.7, 0.7, 0.71, 0.69, 0.7, 0.72, 0.5, 0.499, 0.498, 0.497, 0.6, 0.4]
    losses += [0.4 + 0.001 * (i % 3) for i in range(EPOCHS - len(losses))]
    ours, theirs = [], []
    for epoch, loss in enumerate(losses):
        ours.append(schedule.lr_for_epoch(epoch))
        theirs.append(optimizer.param_groups[0]["lr"])
        schedule.epoch_end(epoch, loss)
        reference.step(loss)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert ours[0] == BASE_LR and ours[-1] == pytest.approx(0.004)  # it reduced all the way to min_lr
