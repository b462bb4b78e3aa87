"""The run table's rows without Qt: tree order (forks under their parent, however deep), the settings that differ
(a setting only some optimizers have is not a difference by itself), and the filter's words."""

from __future__ import annotations

from core.runs import RunSummary
from studio.widgets.run_rows import build_rows, differing_paths, leaf_settings, row_matches, tree_order

SPEC = {"input_size": 2, "layers": [{"units": 8}], "training": {"batch_size": 10,
                                                                  "optimizer": {"name": "adam", "lr": 0.01,
                                                                                "beta1": 0.9}}}


def summary(run_id: int, parent: int | None = None, spec: dict | None = None, name: str | None = None):
    return RunSummary(run_id, name or f"run {run_id}", "train", 0.0, "finished", "completed", parent,
                      None if parent is None else 5, False, 10, "accuracy", {}, {}, spec or SPEC)


def test_forks_sit_right_below_their_parent_and_orphans_become_roots():
    runs = [summary(1), summary(2), summary(3, parent=1), summary(4, parent=3), summary(5, parent=1),
            summary(6, parent=99)]  # 99 was deleted
    assert [(run.id, depth) for run, depth in tree_order(runs)] == [(1, 0), (3, 1), (4, 2), (5, 1), (2, 0), (6, 0)]


def test_a_long_chain_of_forks_and_a_damaged_cycle_keep_every_run():
    chain = [summary(1)] + [summary(i, parent=i - 1) for i in range(2, 3001)]
    ordered = tree_order(chain)
    assert [run.id for run, _ in ordered] == list(range(1, 3001)) and ordered[-1][1] == 2999
    cycle = [summary(1, parent=2), summary(2, parent=1)]
    assert sorted(run.id for run, _ in tree_order(cycle)) == [1, 2]


def test_only_values_that_differ_among_the_runs_having_the_setting_count():
    sgd = {**SPEC, "training": {"batch_size": 10, "optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.9}}}
    adam_fast = {**SPEC, "training": {"batch_size": 10, "optimizer": {"name": "adam", "lr": 0.1, "beta1": 0.9}}}
    leaves = [leaf_settings(spec) for spec in (SPEC, sgd, adam_fast)]
    assert leaves[0] == {"input_size": 2, "layers[0].units": 8, "training.batch_size": 10,
                         "training.optimizer.name": "adam", "training.optimizer.lr": 0.01,
                         "training.optimizer.beta1": 0.9}
    assert differing_paths(leaves) == ["training.optimizer.name", "training.optimizer.lr"]
    assert differing_paths([leaf_settings(SPEC), leaf_settings(SPEC)]) == []
    same_number = {**SPEC, "training": {**SPEC["training"], "batch_size": 10.0}}
    assert differing_paths([leaf_settings(SPEC), leaf_settings(same_number)]) == []
    flag = [{"training.shuffle": True}, {"training.shuffle": 1}]
    assert differing_paths(flag) == ["training.shuffle"]


def test_leaf_settings_name_every_leaf_as_core_spec_does(document):
    from core.spec import changed_paths
    spec = document.spec.to_json()
    assert list(leaf_settings(spec).items()) == [(path, new) for path, (_, new) in changed_paths({}, spec).items()]
    assert "layers[1].units" in leaf_settings(spec) and "training.optimizer.lr" in leaf_settings(spec)


def test_the_filter_needs_every_word_in_the_name_or_a_differing_setting():
    fast = {**SPEC, "training": {"batch_size": 10, "optimizer": {"name": "adam", "lr": 0.1, "beta1": 0.9}}}
    rows = build_rows([summary(1, name="Baseline"), summary(2, spec=fast, name="fast")])
    assert rows.differing == ["training.optimizer.lr"]
    base, quick = rows.rows
    assert row_matches(quick, rows.differing, "training.optimizer.lr=0.1")
    assert not row_matches(base, rows.differing, "lr=0.1")
    assert row_matches(base, rows.differing, "baseline lr=0.01") and not row_matches(base, rows.differing, "x y")
    assert not row_matches(base, rows.differing, "beta1=0.9")  # not a differing setting: not a column to match
    assert row_matches(base, rows.differing, "  ")
