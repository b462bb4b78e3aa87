"""The optimizer race: a shared start (same first loss, same initial weights), racers that then differ, each racer
exactly the plain run it stands for (replayed on this machine), trajectories, refusals and stopping."""

import numpy as np
import pytest

from core.data import playground, prepare
from core.race import OptimizerRace, RaceError, RacerSetup
from core.spec import default_spec, with_changes
from core.training import fit

MIXED = ("adam", "sgd", "momentum", "adagrad")  # adagrad has no fused update: every racer takes the general path
FUSABLE = ("adam", "sgd", "momentum", "rmsprop")


@pytest.fixture(scope="module")
def data():
    return prepare(playground("spiral", num_points=160, noise=0.1, seed=5), val_fraction=0.25)


def project_spec(dropout=0.0):
    spec = default_spec(2, 2, hidden=(8, 6), activation="tanh")
    return with_changes(spec, {"layers[0].dropout": dropout, "training.epochs": 4, "training.batch_size": 16,
                               "training.seed": 11})


def race(names, data, dropout=0.0, **kwargs):
    return OptimizerRace(project_spec(dropout), data, [RacerSetup.optimizer(n) for n in names], **kwargs)


@pytest.mark.parametrize("names, path", [(MIXED, "general"), (FUSABLE, "fused")])
def test_every_racer_starts_from_the_same_weights_and_first_loss_then_they_differ(data, names, path):
    contest = race(names, data, dropout=0.2 if path == "general" else 0.0)
    results = contest.run_to_end()
    assert contest.path == path
    first = results[0]
    for other in results[1:]:
        assert other.first_loss == first.first_loss  # the same arithmetic on the same weights and batch
        np.testing.assert_array_equal(other.trajectory[0], first.trajectory[0])
    for i, a in enumerate(results):
        for b in results[i + 1:]:
            assert not np.array_equal(a.final_params, b.final_params), (a.name, b.name)
            assert a.batch_losses[1] != b.batch_losses[1] or a.final_loss != b.final_loss, (a.name, b.name)


@pytest.mark.parametrize("names, dropout", [(MIXED, 0.2), (FUSABLE, 0.0)])
def test_a_racer_is_the_plain_run_with_its_optimizer(data, names, dropout):
    contest = race(names, data, dropout=dropout)
    results = contest.run_to_end()
    for result in results:
        network, history = fit(with_changes(project_spec(dropout), result.changes), data,
                               fast_path=contest.path == "fused")
        assert [dict(r, elapsed=0) for r in history] == [dict(r, elapsed=0) for r in result.history], result.name
        np.testing.assert_array_equal(network.params, result.final_params)


def test_trajectory_holds_the_start_then_each_epoch(data):
    contest = race(("adam", "sgd"), data)
    results = contest.run_to_end()
    for result in results:
        trajectory = result.trajectory_array()
        assert trajectory.shape == (5, contest.start_state["params"].size)
        np.testing.assert_array_equal(trajectory[0], contest.start_state["params"])
        np.testing.assert_array_equal(trajectory[-1], result.final_params)
        assert result.epochs == 4 and result.stop_reason == "completed" and result.seconds > 0
        assert np.all(np.diff(trajectory, axis=0).any(axis=1))  # every epoch moved the weights


def test_racer_settings_apply_on_top_of_the_optimizer(data):
    slow = RacerSetup.optimizer("sgd", lr=1e-4)
    fast = RacerSetup("sgd fast", {"training.optimizer.name": "sgd", "training.optimizer.lr": 0.5})
    results = OptimizerRace(project_spec(), data, [slow, fast]).run_to_end()
    assert results[0].spec["training"]["optimizer"]["lr"] == 1e-4
    assert results[1].spec["training"]["optimizer"]["lr"] == 0.5
    moved = [np.linalg.norm(r.final_params - r.trajectory[0]) for r in results]
    assert moved[1] > 100 * moved[0]


def test_epochs_override_the_projects(data):
    results = race(("adam", "sgd"), data, epochs=2).run_to_end()
    assert [r.epochs for r in results] == [2, 2]


@pytest.mark.parametrize("setups, words", [
    ([RacerSetup.optimizer("adam")], "2 to 8 racers, got 1"),
    ([RacerSetup(f"r{i}", {"training.optimizer.lr": 0.01}) for i in range(9)], "2 to 8 racers, got 9"),
    ([RacerSetup.optimizer("adam"), RacerSetup.optimizer("adam")], "two racers are named 'adam'"),
    ([RacerSetup.optimizer("adam"), RacerSetup("seeded", {"training.seed": 3})],
     "racer seeded: training.seed is part of the shared start"),
    ([RacerSetup.optimizer("adam"), RacerSetup("wide", {"layers[0].units": 9})],
     "racer wide: layers[0].units is part of the shared start"),
    ([RacerSetup.optimizer("adam"), RacerSetup.optimizer("nosuch")], "racer nosuch:"),
])
def test_a_race_that_cannot_be_fair_is_refused_in_one_line(data, setups, words):
    with pytest.raises(RaceError) as caught:
        OptimizerRace(project_spec(), data, setups)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_stop_ends_every_racer(data):
    contest = race(("adam", "sgd", "rmsprop"), data, epochs=50)
    updates = []
    for update in contest.run():
        updates.append(update)
        if len(updates) == 2:
            contest.stop()
    results = contest.results
    assert all(r.stop_reason == "stopped" for r in results[1:])
    assert all(r.finished and r.epochs < 50 for r in results)
    assert sum(u.kind == "end" for u in updates) == 3
