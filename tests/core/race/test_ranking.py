"""Ranking a race: loss at epoch N first, then epochs to the target, then time; diverged racers last."""

import numpy as np

from core.race import RacerResult, rank_racers


def racer(name, losses, seconds=1.0, diverged=False, val=None):
    history = [{"epoch": i + 1, "train_loss": loss, "val_loss": None if val is None else val[i]}
               for i, loss in enumerate(losses)]
    return RacerResult(name, {}, {}, "general", history=history, seconds=seconds,
                       stop_reason="diverged" if diverged else "completed", diverged=diverged)


def test_ranks_by_loss_at_the_last_common_epoch():
    rows = rank_racers([racer("slow", [1.0, 0.8, 0.6]), racer("fast", [0.9, 0.3, 0.2]),
                        racer("short", [0.5, 0.4])])
    assert [r.name for r in rows] == ["fast", "short", "slow"]  # epoch 2: 0.3 < 0.4 < 0.8
    assert [r.rank for r in rows] == [1, 2, 3] and rows[0].epoch == 2
    assert rows[0].loss_at_epoch == 0.3


def test_default_target_is_the_worst_final_loss_and_breaks_ties():
    rows = rank_racers([racer("a", [0.9, 0.5, 0.5], seconds=1.0), racer("b", [0.5, 0.5, 0.5], seconds=2.0)])
    assert rows[0].target_loss == 0.5
    assert [(r.name, r.epochs_to_target) for r in rows] == [("b", 1), ("a", 2)]


def test_equal_racers_rank_by_time_and_diverged_ones_last():
    rows = rank_racers([racer("boom", [0.01], diverged=True), racer("slow", [0.5], seconds=3.0),
                        racer("quick", [0.5], seconds=1.0)])
    assert [r.name for r in rows] == ["quick", "slow", "boom"]
    assert rows[0].target_loss == 0.5  # the diverged racer's loss is no target


def test_explicit_epoch_and_target():
    rows = rank_racers([racer("a", [0.9, 0.1]), racer("b", [0.2, 0.15])], at_epoch=1, target_loss=0.12)
    assert [(r.name, r.loss_at_epoch, r.epochs_to_target) for r in rows] == [("b", 0.2, None), ("a", 0.9, 2)]


def test_best_validation_loss_and_final_loss():
    result = racer("a", [0.9, 0.4], val=[0.7, 0.8])
    assert result.final_loss == 0.4 and result.best_val_loss == 0.7
    assert np.array_equal(result.train_losses, [0.9, 0.4])
    assert racer("b", [0.3]).best_val_loss is None and racer("c", []).final_loss is None
