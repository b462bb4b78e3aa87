"""A run recorded through a recorder comes back whole from `load_run`: spec, data, seed, weights, every epoch,
summary figures, kept batch losses, findings, checkpoints; names are any text (bound, never pasted into SQL)."""

from __future__ import annotations

import numpy as np
import pytest

from core.runs import FINISHED, RunStore, RunStoreError
from tests.core.runs.fake_runs import DATA_REF, SPEC, epoch_snapshot, record_epochs, weights


@pytest.fixture()
def store(tmp_path):
    with RunStore.open(tmp_path / "p.bps.runs.sqlite") as opened:
        yield opened


def test_a_recorded_run_loads_back_whole(store):
    run_id = store.start_run(SPEC, DATA_REF, "abc123", 7, weights(0.5), name="baseline")
    current = {"value": 0.0}
    recorder = store.recorder(run_id, weights=lambda: weights(current["value"]), checkpoint_every=5)
    for epoch in range(1, 13):
        current["value"] = float(epoch)
        recorder.record(epoch_snapshot(epoch))
    recorder.add_findings([{"epoch": 3, "problem": "plateau", "layer": None, "message": "flat",
                            "evidence": {"slope": 0.0}, "cures": [{"label": "x", "changes": {"a.b": 1}}]}])
    assert recorder.finish("completed", weights(99.0), (0.25, 0.75)) is None

    record = store.load_run(run_id)
    summary = record.summary
    assert (summary.name, summary.kind, summary.status, summary.stop_reason) == ("baseline", "train", FINISHED,
                                                                                 "completed")
    assert summary.spec == SPEC and record.data_ref == DATA_REF and record.data_hash == "abc123"
    assert record.seed == 7 and summary.metric_name == "accuracy" and summary.epochs == 12
    assert [row.epoch for row in record.epochs] == list(range(1, 13))
    assert record.epochs[4].train_loss == pytest.approx(1 / 5) and record.epochs[4].val_metric == pytest.approx(
        1 - 0.6 / 5)
    assert record.epochs[-1].test_loss == 0.25 and record.epochs[0].test_loss is None
    assert summary.final["train_loss"] == pytest.approx(1 / 12) and summary.final["test_metric"] == 0.75
    assert summary.best["val_loss"] == pytest.approx(1.5 / 12) and summary.best["epoch"] == 12
    np.testing.assert_array_equal(record.initial_weights["params"], np.full(12, 0.5))
    assert record.initial_weights["params"].dtype == np.float32  # a float32 network's weights stay float32
    np.testing.assert_array_equal(record.final_weights["params"], np.full(12, 99.0))
    # every batch of 12 epochs × 4 is kept (far below the decimation's capacity), in step order
    np.testing.assert_array_equal(record.batch_steps, np.arange(1, 49))
    np.testing.assert_allclose(record.batch_losses, 1.0 / np.arange(1, 49))
    assert [(f.epoch, f.problem, f.evidence, f.cures[0]["changes"]) for f in record.findings] == [
        (3, "plateau", {"slope": 0.0}, {"a.b": 1})]
    # every 5 epochs, plus the best (the loss falls every epoch here: the last one)
    assert [(c.epoch, c.best) for c in record.checkpoints] == [(5, False), (10, False), (12, True)]
    np.testing.assert_array_equal(store.checkpoint_weights(run_id, 10)["params"], np.full(12, 10.0))
    np.testing.assert_array_equal(store.checkpoint_weights(run_id, 12)["params"], np.full(12, 12.0))
    with pytest.raises(RunStoreError, match="no checkpoint at epoch 7"):
        store.checkpoint_weights(run_id, 7)


def test_best_checkpoint_follows_the_validation_loss_not_the_last_epoch(store):
    run_id = store.start_run(SPEC, DATA_REF, "h", 1, None)
    recorder = store.recorder(run_id, weights=lambda: weights(len(seen)), checkpoint_every=100)
    seen = []
    for epoch, val_loss in enumerate([0.9, 0.5, 0.7, 0.6], start=1):
        seen.append(epoch)
        recorder.record(epoch_snapshot(epoch, val_loss=val_loss))
    recorder.finish("completed")
    assert [(c.epoch, c.best) for c in store.checkpoints(run_id)] == [(2, True)]
    assert store.summary(run_id).best["epoch"] == 2 and store.summary(run_id).best["val_loss"] == 0.5


def test_non_finite_figures_are_stored_as_missing(store):
    run_id = store.start_run(SPEC, DATA_REF, "h", 1, None)
    recorder = store.recorder(run_id)
    snapshot = epoch_snapshot(1)
    snapshot.train_loss, snapshot.batch_losses = float("nan"), np.array([1.0, np.inf, 2.0, 3.0])
    recorder.record(snapshot)
    recorder.finish("diverged: the loss became NaN")
    record = store.load_run(run_id)
    assert record.epochs[0].train_loss is None and record.summary.final["train_loss"] is None
    assert np.isinf(record.batch_losses[1]) and record.batch_losses[2] == 2.0  # the series keeps it as it was


HOSTILE_NAMES = ["'; DROP TABLE runs; --", 'quote " and \\ backslash', "Robert'); DELETE FROM epochs;--",
                 "ünïcødé ✓ 🚀 \u202eevil", "x" * 200, "a,b,\"c\"", "%s %d {0} $1 ?"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_plain_text(store, name):
    first = store.start_run(SPEC, DATA_REF, "h", 1, None, name=name)
    second = store.start_run(SPEC, DATA_REF, "h", 1, None)
    store.rename(second, name)
    assert [run.name for run in store.list_runs()] == [name, name]
    assert store.load_run(first).summary.name == name


@pytest.mark.parametrize("name", ["", "   ", "line\nbreak", "nul\x00byte", "tab\there", "y" * 201, 42])
def test_bad_names_are_refused_with_one_line(store, name):
    run_id = store.start_run(SPEC, DATA_REF, "h", 1, None)
    with pytest.raises(RunStoreError) as refused:
        store.rename(run_id, name)
    assert "\n" not in str(refused.value) and "run name" in str(refused.value)
    assert store.summary(run_id).name == f"run {run_id}"


def test_rename_star_delete_and_unknown_ids(store):
    a = store.start_run(SPEC, DATA_REF, "h", 1, None)
    b = store.start_run(SPEC, DATA_REF, "h", 2, None, parent=a, parent_epoch=10, kind="race")
    with pytest.raises(RunStoreError, match="still recording"):
        store.delete(a)
    store.finish(a, "completed")
    store.star(b)
    store.rename(a, "first")
    runs = store.list_runs()
    assert [(r.id, r.name, r.starred, r.parent, r.parent_epoch, r.kind) for r in runs] == [
        (a, "first", False, None, None, "train"), (b, f"run {b}", True, a, 10, "race")]
    store.delete(a)
    assert [r.id for r in store.list_runs()] == [b]
    assert store.summary(b).parent is None  # the parent is gone; the fork stays
    for action in (lambda: store.delete(a), lambda: store.rename(a, "x"), lambda: store.load_run(a)):
        with pytest.raises(RunStoreError, match=f"no run {a}"):
            action()
    with pytest.raises(RunStoreError, match="run kind"):
        store.start_run(SPEC, DATA_REF, "h", 1, None, kind="bogus")


def test_a_doctor_runs_on_the_writer_thread_and_its_findings_are_recorded(store):
    import threading

    from core.diagnostics.finding import Cure, Finding
    seen: list[tuple[str, int]] = []

    class FakeDoctor:
        def observe(self, snapshot):
            seen.append((threading.current_thread().name, snapshot.epoch))

        def findings(self):
            return [Finding("plateau", 2, None, {"slope": float("nan")}, "the loss is flat",
                            [Cure("raise lr", {"training.optimizer.lr": 0.1})])]

    run_id = store.start_run(SPEC, DATA_REF, "h", 1, None)
    recorder = store.recorder(run_id, doctor=FakeDoctor)
    record_epochs(recorder, 1, 3)
    recorder.finish("completed")
    assert seen == [("RunWriter", 1), ("RunWriter", 2), ("RunWriter", 3)]
    (finding,) = store.load_run(run_id).findings
    assert (finding.epoch, finding.problem, finding.message) == (2, "plateau", "the loss is flat")
    assert finding.evidence == {"slope": None}  # strict JSON: a non-finite figure is null
    assert finding.cures == [{"label": "raise lr", "changes": {"training.optimizer.lr": 0.1}}]


def test_final_figures_are_those_of_the_weights_the_run_kept(store):
    """Early stopping restored the best epoch's weights: the end snapshot reports that epoch's figures."""
    run_id = store.start_run(SPEC, DATA_REF, "h", 1, None)
    recorder = store.recorder(run_id)
    record_epochs(recorder, 1, 5)
    end = epoch_snapshot(3)
    end.kind, end.epoch, end.step, end.stop_reason = "end", 5, 20, "early stopping"
    end.batch_losses = None
    recorder.record(end)
    recorder.finish("early stopping")
    summary = store.summary(run_id)
    assert summary.epochs == 5 and summary.final["train_loss"] == pytest.approx(1 / 3)
    assert summary.final["val_loss"] == pytest.approx(1.5 / 3) and summary.stop_reason == "early stopping"


def test_a_session_keeps_at_most_fifty_regular_checkpoints_of_a_long_run(tmp_path):
    from core.runs.recorder import checkpoint_interval
    from core.runs.session import RecordingPlan, RecordingSession

    class Network:
        def get_state(self):
            return weights(1.0)

    assert [checkpoint_interval(n) for n in (1, 30, 50, 51, 300, 1000)] == [1, 1, 1, 2, 6, 20]
    spec = {**SPEC, "training": {**SPEC["training"], "epochs": 120}}
    session = RecordingSession.start(RecordingPlan(tmp_path / "s.runs.sqlite", spec, DATA_REF, "h", 1), Network())
    record_epochs(session.recorder, 1, 120)
    assert session.finish("completed", weights(2.0)) is None
    session.closing.join()
    with RunStore.open(tmp_path / "s.runs.sqlite") as store:
        regular = [c.epoch for c in store.checkpoints(session.run_id) if not c.best]
    assert regular == list(range(3, 121, 3))  # every 3 epochs: 40 of them


def test_weights_blobs_keep_float32_and_float64_and_read_old_float64_layouts():
    import json

    from core.runs.weights_blob import WeightsBlobError, decode_weights, encode_weights
    state = {"params": np.arange(5, dtype=np.float32) / 3, "buffers": np.arange(2, dtype=np.float64) / 7,
             "counts": np.arange(3)}
    layout, blob = encode_weights(state)
    assert len(blob) == 5 * 4 + 2 * 8 + 3 * 8  # float32 stays 4 bytes; other kinds become float64
    back = decode_weights(layout, blob, "here")
    assert [back[name].dtype for name in state] == [np.float32, np.float64, np.float64]
    np.testing.assert_array_equal(back["params"], state["params"])
    np.testing.assert_array_equal(back["buffers"], state["buffers"])
    old = json.dumps([{"name": "params", "shape": [2]}])  # written before the dtype was stored: float64
    np.testing.assert_array_equal(decode_weights(old, np.array([1.5, 2.5]).tobytes(), "old")["params"], [1.5, 2.5])
    for bad in ("float16", 3, "object"):
        with pytest.raises(WeightsBlobError, match="dtype"):
            decode_weights(json.dumps([{"name": "p", "shape": [1], "dtype": bad}]), b"\0" * 8, "bad")
