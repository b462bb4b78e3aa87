"""EarlyStopping on its own: patience, min_delta, direction of the monitor, fallback without validation."""

import math

from core.training import EarlyStopping

ON = {"enabled": True, "monitor": "val_loss", "patience": 2, "min_delta": 0.0, "restore_best": True}


def feed(stopper, values):
    """(improved, should_stop) for each epoch's value, 1-based epochs."""
    return [stopper.update(epoch, value) for epoch, value in enumerate(values, start=1)]


def test_stops_after_patience_epochs_without_improvement():
    stopper = EarlyStopping(ON, has_validation=True)
    results = feed(stopper, [1.0, 0.8, 0.9, 0.85])
    assert [improved for improved, _ in results] == [True, True, False, False]
    assert [stop for _, stop in results] == [False, False, False, True]
    assert stopper.best_epoch == 2 and stopper.best_value == 0.8


def test_min_delta_ignores_small_improvements():
    stopper = EarlyStopping({**ON, "min_delta": 0.1}, has_validation=True)
    results = feed(stopper, [1.0, 0.95, 0.85])
    assert [improved for improved, _ in results] == [True, False, True]
    assert stopper.best_epoch == 3


def test_val_metric_improves_upward():
    stopper = EarlyStopping({**ON, "monitor": "val_metric"}, has_validation=True)
    feed(stopper, [0.5, 0.7, 0.6])
    assert stopper.best_epoch == 2 and stopper.higher_is_better


def test_min_delta_for_val_metric_asks_for_a_rise_of_at_least_min_delta():
    """Upward monitor: an improvement must beat best + min_delta. With the sign flipped (best − min_delta) the
    0.72 and 0.65 below would count as improvements."""
    stopper = EarlyStopping({**ON, "monitor": "val_metric", "min_delta": 0.05, "patience": 3},
                            has_validation=True)
    results = feed(stopper, [0.70, 0.72, 0.65, 0.80])
    assert [improved for improved, _ in results] == [True, False, False, True]
    assert stopper.best_epoch == 4 and stopper.best_value == 0.80


def test_without_validation_the_monitor_falls_back_to_train_loss():
    stopper = EarlyStopping({**ON, "monitor": "val_metric"}, has_validation=False)
    assert stopper.monitor_used == "train_loss" and not stopper.higher_is_better
    record = {"train_loss": 0.3, "val_loss": None, "val_metric": None}
    assert stopper.monitored_value(record) == 0.3


def test_a_non_finite_value_never_counts_as_best():
    stopper = EarlyStopping(ON, has_validation=True)
    feed(stopper, [math.nan, 2.0, math.inf])
    assert stopper.best_epoch == 2


def test_disabled_tracks_the_best_but_never_stops():
    stopper = EarlyStopping({**ON, "enabled": False}, has_validation=True)
    assert not any(stop for _, stop in feed(stopper, [1.0] + [2.0] * 10))
    assert stopper.best_epoch == 1


def test_state_round_trip_continues_the_count():
    first = EarlyStopping(ON, has_validation=True)
    feed(first, [1.0, 1.5])
    second = EarlyStopping(ON, has_validation=True)
    second.load_state_dict(first.state_dict())
    assert second.update(3, 1.6) == (False, True)
