"""Learning-rate schedules: hand-computed rates, warm-up, preview, config round trips, plateau state, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.schedules import SCHEDULE_CLASSES, ReduceOnPlateau, Schedule, make_schedule, preview_learning_rates
from core.spec import SCHEDULES, TrainingSpec, default_spec, validate_spec


def _training(schedule: dict, epochs: int = 20, lr: float = 1.0) -> TrainingSpec:
    """Validated training settings with this schedule (the factory takes a spec's, as the Trainer does)."""
    training = {"epochs": epochs, "optimizer": {"name": "sgd", "lr": lr}, "schedule": schedule}
    return validate_spec({**default_spec().to_json(), "training": training}).training


def test_every_catalogue_schedule_has_a_class() -> None:
    assert set(SCHEDULE_CLASSES) == set(SCHEDULES)


@pytest.mark.parametrize("schedule, expected", [
    ({"name": "constant"}, [1.0, 1.0, 1.0, 1.0, 1.0]),
    ({"name": "step", "step_size": 2, "gamma": 0.5}, [1.0, 1.0, 0.5, 0.5, 0.25]),
    ({"name": "multistep", "milestones": [1, 4], "gamma": 0.1}, [1.0, 0.1, 0.1, 0.1, 0.01]),
    ({"name": "exponential", "gamma": 0.5}, [1.0, 0.5, 0.25, 0.125, 0.0625]),
    ({"name": "cosine", "t_max": 4}, [1.0, (1 + math.cos(math.pi / 4)) / 2, 0.5, (1 - math.cos(math.pi / 4)) / 2,
                                     0.0]),
    ({"name": "cosine_restarts", "t_0": 2, "t_mult": 2}, [1.0, 0.5, 1.0, (1 + math.cos(math.pi / 4)) / 2, 0.5]),
])
def test_rates_by_hand(schedule: dict, expected: list) -> None:
    rates = make_schedule(_training(schedule)).lr_for_epoch
    np.testing.assert_allclose([rates(e) for e in range(5)], expected, atol=1e-12)


def test_warmup_climbs_linearly_then_the_schedule_starts_at_its_epoch_zero() -> None:
    schedule = make_schedule(_training({"name": "exponential", "gamma": 0.5, "warmup_epochs": 4,
                                        "warmup_start_factor": 0.2}, lr=0.1))
    np.testing.assert_allclose([schedule.lr_for_epoch(e) for e in range(7)],
                               [0.02, 0.04, 0.06, 0.08, 0.1, 0.05, 0.025], atol=1e-12)


def test_cosine_t_max_zero_spans_the_run_after_warmup() -> None:
    rates = preview_learning_rates(_training({"name": "cosine", "t_max": 0, "warmup_epochs": 2}, epochs=12))
    assert rates.shape == (12,) and rates.dtype == np.float64
    assert rates[2] == pytest.approx(1.0)
    assert rates[-1] == pytest.approx((1 + math.cos(math.pi * 9 / 10)) / 2)  # epoch 9 of 10 after warm-up
    assert np.all(np.diff(rates[2:]) < 0)


def test_preview_of_plateau_is_flat_after_warmup() -> None:
    rates = preview_learning_rates(_training({"name": "plateau", "warmup_epochs": 3}, epochs=8, lr=0.5))
    np.testing.assert_allclose(rates, [0.05, 0.2, 0.35, 0.5, 0.5, 0.5, 0.5, 0.5])


def test_default_spec_preview_uses_the_optimizer_rate() -> None:
    training = default_spec()["training"]
    rates = preview_learning_rates(training)
    assert len(rates) == training["epochs"] and np.all(rates == training["optimizer"]["lr"])


def test_base_lr_overrides_the_optimizer_rate() -> None:
    assert make_schedule(_training({"name": "constant"}), base_lr=0.3).lr_for_epoch(5) == 0.3


def test_plateau_reduces_after_patience_and_ignores_warmup_and_missing_values() -> None:
    schedule = make_schedule(_training({"name": "plateau", "patience": 1, "factor": 0.5, "warmup_epochs": 1}))
    schedule.epoch_end(0, 100.0)  # a warm-up epoch: not monitored
    schedule.epoch_end(1, 1.0)  # best
    schedule.epoch_end(2, None)  # no value: skipped
    schedule.epoch_end(3, 1.0)  # bad 1
    assert schedule.lr_for_epoch(4) == 1.0
    schedule.epoch_end(4, 1.0)  # bad 2 > patience → halve
    assert schedule.lr_for_epoch(5) == 0.5


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_config_round_trip(name: str) -> None:
    config = {"name": name, **SCHEDULES[name].defaults(), "warmup_epochs": 3}
    schedule = Schedule.from_config(config, base_lr=0.1, epochs=50)
    assert schedule.get_config() == config
    rebuilt = Schedule.from_config(schedule.get_config(), base_lr=0.1, epochs=50)
    assert type(rebuilt) is type(schedule)
    assert [rebuilt.lr_for_epoch(e) for e in range(50)] == [schedule.lr_for_epoch(e) for e in range(50)]


def test_plateau_state_round_trip() -> None:
    schedule = ReduceOnPlateau(1.0, patience=0)
    schedule.epoch_end(0, 1.0)
    schedule.epoch_end(1, 2.0)
    resumed = ReduceOnPlateau(1.0, patience=0)
    resumed.load_state_dict(schedule.state_dict())
    assert resumed.lr_for_epoch(2) == 0.1 and resumed.best == 1.0


@pytest.mark.parametrize("schedule, message", [
    ({"name": "step", "step_size": 0}, "schedule step: step_size must be ≥ 1, got 0"),
    ({"name": "multistep", "milestones": [5, 3]}, "schedule multistep: milestones must be strictly increasing"),
    ({"name": "exponential", "gamma": 1.5}, "schedule exponential: gamma must be ≤ 1, got 1.5"),
    ({"name": "plateau", "factor": 1.0}, "schedule plateau: factor must be < 1, got 1.0"),
    ({"name": "cosine", "warmup_epochs": -1}, "schedule cosine: warmup_epochs must be ≥ 0, got -1"),
    ({"name": "cosine", "T_max": 5}, "schedule cosine: unknown setting 'T_max'"),
    ({"name": "linear"}, "schedule: name must be one of"),
])
def test_bad_settings_are_named(schedule: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):  # the schedule checks a config of its own, as torch's do
        Schedule.from_config(schedule, 1.0, 20)


def test_bad_base_rate_and_epoch() -> None:
    with pytest.raises(ValueError, match="base learning rate must be a number > 0, got 0"):
        make_schedule(_training({"name": "constant"}), base_lr=0)
    with pytest.raises(ValueError, match="epoch must be ≥ 0, got -1"):
        make_schedule(_training({"name": "constant"})).lr_for_epoch(-1)


def test_a_live_change_of_the_base_rate_rescales_the_schedule() -> None:
    step = make_schedule(_training({"name": "step", "step_size": 2, "gamma": 0.5}))
    step.set_base_lr(0.2)
    assert step.lr_for_epoch(2) == pytest.approx(0.1)
    plateau = ReduceOnPlateau(1.0, patience=0)
    plateau.epoch_end(0, 1.0)
    plateau.epoch_end(1, 2.0)  # reduced to 0.1
    plateau.set_base_lr(0.5)
    assert plateau.lr_for_epoch(2) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="must be a number > 0, got -1"):
        plateau.set_base_lr(-1)
