"""run_sweep on one worker: each sampler runs, the objective's direction is honoured, pruning prunes a clearly
worse trial, a diverging trial is "failed" (not a crash), a stop keeps finished trials and the study resumes, and
every trial is a run in the project's run store."""

import math

import optuna
import pytest

from core.runs import RunStore, store_path_for
from core.spec import default_spec
from core.sweeps import (SweepError, SweepPlan, default_storage, default_study_name, importance, load_trials,
                         parse_param, run_sweep)
from core.sweeps.storage import open_storage
from core.sweeps.study import create_or_continue
from core.sweeps.runner import check_plan
from tests.core.sweeps.sweep_helpers import tiny_project

SPEC = default_spec(2, 2)
LR = parse_param("training.optimizer.lr=log:1e-3:0.3", SPEC)
DROPOUT = parse_param("layers[*].dropout=lin:0:0.3", SPEC)


@pytest.mark.parametrize("sampler", ["grid", "random", "tpe"])
def test_each_sampler_runs_its_trials(tmp_path, sampler):
    project = tiny_project(tmp_path)
    seen = []
    outcome = run_sweep(SweepPlan(project, (LR, DROPOUT), sampler=sampler, trials=6, workers=1),
                        on_trial=seen.append)
    assert [t.number for t in outcome.trials] == list(range(6))
    assert all(t.state in ("complete", "pruned") for t in outcome.trials)
    assert len({tuple(t.params.values()) for t in outcome.trials}) == 6
    for trial in outcome.trials:
        assert 1e-3 <= trial.params["training.optimizer.lr"] <= 0.3
        assert 0.0 <= trial.params["layers[*].dropout"] <= 0.3
    if sampler == "grid":
        assert {t.params["training.optimizer.lr"] for t in outcome.trials} <= set(
            [1e-3, 0.3] + [float(f"{1e-3 * 300 ** (i / 4):.12g}") for i in (1, 2, 3)])
    assert {r.number for r in seen if r.state != "running"} == set(range(6))  # on_trial saw every end
    assert outcome.storage == default_storage(project) and outcome.study_name == default_study_name(project)
    assert not outcome.stopped


def test_val_loss_is_minimised_and_val_metric_maximised(tmp_path):
    project = tiny_project(tmp_path)
    for objective, pick in (("val_loss", min), ("val_metric", max)):
        outcome = run_sweep(SweepPlan(project, (LR,), sampler="random", trials=4, workers=1, objective=objective,
                                      study_name=objective, prune=False))
        values = [t.value for t in outcome.trials]
        assert len(set(values)) >= 2 and outcome.best_value == pick(values)
        best = next(t for t in outcome.trials if t.value == outcome.best_value)
        assert outcome.best_params == best.params
        if objective == "val_metric":
            assert all(0.0 <= v <= 1.0 for v in values)  # accuracy
        for trial in outcome.trials:  # the value is the final epoch's figure: the curve's last point
            assert len(trial.curve) == 6 and trial.curve[-1] == trial.value


def test_test_objective_scores_on_the_test_set(tmp_path):
    project = tiny_project(tmp_path)
    outcome = run_sweep(SweepPlan(project, (LR,), sampler="random", trials=2, workers=1, objective="test"))
    store = RunStore.open(store_path_for(project))
    try:
        for trial in outcome.trials:
            assert trial.value == store.load_run(trial.run_id).summary.final["test_metric"]
    finally:
        store.close()


def test_pruning_stops_a_clearly_worse_trial(tmp_path):
    project = tiny_project(tmp_path, epochs=10)
    plan = SweepPlan(project, (LR,), sampler="random", trials=7, workers=1)
    study = create_or_continue(default_storage(project), default_study_name(project), check_plan(plan))
    for _ in range(5):  # five good trials first: the median pruner then knows what a good curve looks like
        study.enqueue_trial({"training.optimizer.lr": 0.1})
    study.enqueue_trial({"training.optimizer.lr": 1e-3})  # barely moves: far above the median every epoch
    study.enqueue_trial({"training.optimizer.lr": 0.1})
    outcome = run_sweep(plan)
    states = [t.state for t in outcome.trials]
    assert states == ["complete"] * 5 + ["pruned", "complete"]
    slow = outcome.trials[5]
    assert 2 <= len(slow.curve) < 10 and slow.value is None
    no_prune = run_sweep(SweepPlan(project, (LR,), sampler="random", trials=1, workers=1, prune=False,
                                   study_name="whole", epochs=10))
    assert len(no_prune.trials[0].curve) == 10


def test_a_diverging_trial_is_failed_and_the_sweep_goes_on(tmp_path):
    project = tiny_project(tmp_path, **{"training.optimizer.name": "sgd"})
    spec = default_spec(2, 2)
    lr = parse_param("training.optimizer.lr=choice:0.05,1e30", spec)
    outcome = run_sweep(SweepPlan(project, (lr,), sampler="grid", trials=5, workers=1))
    states = {t.params["training.optimizer.lr"]: t.state for t in outcome.trials}
    assert states == {0.05: "complete", 1e30: "failed"}  # the grid has two points: the sweep stops there
    assert outcome.best_params == {"training.optimizer.lr": 0.05}
    failed = next(t for t in optuna.load_study(study_name=outcome.study_name,
                                               storage=open_storage(outcome.storage)).trials
                  if t.state.name == "FAIL")
    assert "diverged" in failed.user_attrs["error"]


def test_a_stop_keeps_finished_trials_and_the_same_plan_resumes(tmp_path):
    project = tiny_project(tmp_path, epochs=150)  # trials long enough that the sweep is still running at the stop
    plan = SweepPlan(project, (LR, DROPOUT), sampler="tpe", trials=8, workers=1, prune=False)
    ended = []
    outcome = run_sweep(plan, on_trial=lambda r: r.state == "complete" and ended.append(r.number),
                        should_stop=lambda: len(ended) >= 2)
    assert outcome.stopped
    done = [t for t in outcome.trials if t.state == "complete"]
    assert 2 <= len(done) < 8
    resumed = run_sweep(plan)
    assert not resumed.stopped
    complete = [t for t in resumed.trials if t.state == "complete"]
    assert len(complete) == 8
    assert [t.params for t in complete[:len(done)]] == [t.params for t in done]  # kept, not redone
    assert load_trials(resumed.storage, resumed.study_name) == list(resumed.trials)


def test_every_trial_is_a_run_in_the_run_store(tmp_path):
    project = tiny_project(tmp_path)
    outcome = run_sweep(SweepPlan(project, (LR,), sampler="random", trials=3, workers=1, prune=False))
    store = RunStore.open(store_path_for(project))
    try:
        for trial in outcome.trials:
            run = store.load_run(trial.run_id)
            assert run.summary.kind == "trial" and run.summary.name == f"tiny #{trial.number}"
            assert run.spec["training"]["optimizer"]["lr"] == trial.params["training.optimizer.lr"]
            assert [row.val_loss for row in run.epochs] == pytest.approx(list(trial.curve))
    finally:
        store.close()


def test_importance_names_each_parameter(tmp_path):
    project = tiny_project(tmp_path)
    outcome = run_sweep(SweepPlan(project, (LR, DROPOUT), sampler="random", trials=6, workers=1, prune=False))
    weights = importance(outcome.storage, outcome.study_name)
    assert set(weights) == {"training.optimizer.lr", "layers[*].dropout"}
    assert math.isclose(sum(weights.values()), 1.0)


def test_a_study_is_not_continued_with_another_space(tmp_path):
    project = tiny_project(tmp_path)
    run_sweep(SweepPlan(project, (LR,), sampler="random", trials=1, workers=1))
    with pytest.raises(SweepError, match="already searches another space"):
        run_sweep(SweepPlan(project, (DROPOUT,), sampler="random", trials=1, workers=1))
    with pytest.raises(SweepError, match="has no study named 'nope'"):
        load_trials(default_storage(project), "nope")


def test_a_storage_that_is_a_folder_or_an_unknown_scheme_is_refused(tmp_path):
    project = tiny_project(tmp_path)
    for storage, words in ((str(tmp_path), "is not a regular file"), ("ftp://host/x", "is not a database")):
        with pytest.raises(SweepError, match=words):
            run_sweep(SweepPlan(project, (LR,), trials=1, workers=1, storage=storage))
