"""The scrub's core (core.scrub): a recorded run rebuilt at a checkpoint shows that checkpoint's weights, outputs
and gradients; a damaged checkpoint, changed data or a foreign run is refused in one line."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from core.cli import run_cli
from core.network.grid_prediction import GridPredictor
from core.network.network import Network
from core.project_parts import network_with_weights
from core.runs import RunStore, store_path_for
from core.runs.weights_blob import encode_weights
from core.scrub import ScrubError, ScrubRun
from core.spec import default_spec
from tests.core.test_cli import write_project

EPOCHS = 6


def recorded_run(folder, spec_changes=None, epochs=EPOCHS, source=None, spec=None):
    """A circles project trained (and recorded) for a few epochs by the CLI: (store path, run id)."""
    spec = spec or default_spec(input_size=2).to_json()
    for layer_index, key, value in spec_changes or ():
        target = spec["training"] if layer_index is None else spec["layers"][layer_index]
        target[key] = value
    project = write_project(folder / "c.bps", epochs=epochs, spec=spec, source=source)
    assert run_cli(["train", str(project), "--quiet"]) == 0
    with RunStore.open(store_path_for(project)) as store:
        return store_path_for(project), store.list_runs()[-1].id


@pytest.fixture(scope="module")
def circles_run(tmp_path_factory):
    return recorded_run(tmp_path_factory.mktemp("scrub"))


def test_the_last_checkpoint_is_the_final_network(circles_run):
    store_path, run_id = circles_run
    with ScrubRun.open(store_path, run_id) as run:
        assert run.epochs == list(range(EPOCHS + 1))  # the initial weights, then one checkpoint an epoch
        view = run.view(EPOCHS)
        with RunStore.open(store_path) as store:
            record = store.load_run(run_id)
        final = network_with_weights(record.spec, record.final_weights)
        expected = GridPredictor(run.data.grid, run.data.prepared.preprocess).predict(final, 0)
        np.testing.assert_array_equal(view.prediction.outputs, expected.outputs)
        np.testing.assert_array_equal(view.params, final.params)
        assert view.prediction.epoch == EPOCHS and view.layers[0].weight.shape == (2, 8)
        np.testing.assert_array_equal(view.layers[1].weight, final.parameters()[2][1])  # "layers.1.weight"
        # an earlier checkpoint is another network: the scrub shows the run changing
        assert not np.array_equal(run.view(1).prediction.outputs, view.prediction.outputs)
        counts, edges = view.weight_histograms[0]
        assert counts.sum() == 2 * 8 and edges[0] == -run.weight_limits[0]


def test_gradient_norms_are_a_direct_backward_at_the_checkpoint(tmp_path):
    """Batch norm (training mode) and L2 on a float64 network: the view's per-layer norms are those of one
    forward and backward pass on its fixed batch, computed here from the stored weights."""
    changes = [(0, "batch_norm", True), (None, "l2", 0.01), (None, "dtype", "float64")]
    store_path, run_id = recorded_run(tmp_path, changes)
    with ScrubRun.open(store_path, run_id) as run, RunStore.open(store_path) as store:
        view = run.view(3)
        network = Network.from_spec(store.summary(run_id).spec)
        network.set_state(store.checkpoint_weights(run_id, 3))
        x, y = run.data.batch_x, run.data.batch_y
        assert x.shape[0] == 32  # batch size 10, but at least 32 rows
        np.testing.assert_array_equal(x, run.data.prepared.x_train[:32])
        loss = network.loss_and_grad(x, y, training=True)
        grads = dict(network.named_grads())
        params = dict(network.parameters())
        expected = []
        for i in range(3):
            parts = [grads[name] + (0.01 * params[name] if name.endswith(".weight") and ".bn." not in name else 0)
                     for name in grads if name.startswith(f"layers.{i}.")]
            expected.append(np.sqrt(sum(float((g ** 2).sum()) for g in parts)))
        np.testing.assert_allclose(view.grad_norms, expected, rtol=1e-10)
        weights = [params[f"layers.{i}.weight"] for i in range(3)]
        assert view.batch_loss == pytest.approx(loss + 0.005 * sum(float((w ** 2).sum()) for w in weights))
        assert len(view.layers[0].gamma) == 8 and view.layers[1].gamma is None


def test_dropout_masks_are_the_same_at_every_view(tmp_path):
    store_path, run_id = recorded_run(tmp_path, [(0, "dropout", 0.5)], epochs=2)
    with ScrubRun.open(store_path, run_id) as run:
        first, again = run.view(2), run.view(2)
        run.view(1)
        np.testing.assert_array_equal(first.grad_norms, run.view(2).grad_norms)
        np.testing.assert_array_equal(first.grad_norms, again.grad_norms)


def _replace_checkpoint(store_path, run_id, epoch, weights, nbytes=None):
    layout, blob = encode_weights(weights)
    with sqlite3.connect(store_path) as connection:
        connection.execute("UPDATE weights SET layout_json = ?, data = ?, nbytes = ? WHERE run_id = ? AND epoch = ? "
                           "AND role IN ('checkpoint', 'best')",
                           (layout, blob, len(blob) if nbytes is None else nbytes, run_id, epoch))


@pytest.mark.parametrize("damage", ["short", "short, size unchanged", "nan", "extra array"])
def test_a_tampered_checkpoint_is_refused_in_one_line(tmp_path, damage):
    store_path, run_id = recorded_run(tmp_path, epochs=3)
    with RunStore.open(store_path) as store:
        good = store.checkpoint_weights(run_id, 2)
        listed = [c.nbytes for c in store.checkpoints(run_id) if c.epoch == 2]
    weights = dict(good)
    if damage.startswith("short"):
        weights["params"] = good["params"][:-5]
    elif damage == "nan":
        weights["params"] = good["params"].copy()
        weights["params"][3] = np.nan
    else:
        weights["spare"] = np.zeros(4)
    _replace_checkpoint(store_path, run_id, 2, weights, nbytes=listed[0] if damage == "short, size unchanged"
                        else None)
    with ScrubRun.open(store_path, run_id) as run:
        with pytest.raises(ScrubError) as refused:
            run.view(2)
        message = str(refused.value)
        assert "\n" not in message and f"run {run_id}" in message
        assert run.view(3).epoch == 3  # the other checkpoints still show
    if damage == "short":
        assert "checkpoint at epoch 2" in message and "bytes" in message


def store_copy(store_path, folder):
    """A copy of a run store to damage (the module's recorded run stays whole)."""
    copy = folder / "copy.runs.sqlite"
    with sqlite3.connect(store_path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def test_changed_data_is_refused_in_one_line(circles_run, tmp_path):
    store_path, run_id = circles_run
    copy = store_copy(store_path, tmp_path)
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE runs SET data_hash = 'f00d' WHERE id = ?", (run_id,))
    with pytest.raises(ScrubError, match="changed since the run") as refused:
        ScrubRun.open(copy, run_id)
    assert "\n" not in str(refused.value)
    with pytest.raises(ScrubError, match="no run 99"):
        ScrubRun.open(copy, 99)
    with pytest.raises(ScrubError, match="no run store is there"):
        ScrubRun.open(tmp_path / "absent.runs.sqlite", run_id)
    assert not (tmp_path / "absent.runs.sqlite").exists()


def test_data_without_two_inputs_has_no_grid(tmp_path):
    spec = default_spec(input_size=4).to_json()
    spec["layers"][-1]["units"] = 3
    store_path, run_id = recorded_run(tmp_path, epochs=2, source={"kind": "sklearn", "name": "iris"}, spec=spec)
    with ScrubRun.open(store_path, run_id) as run:
        assert run.data.grid is None
        view = run.view(2)
        assert view.prediction is None and view.grad_norms.shape == (3,) and view.layers[0].weight.shape == (4, 8)


def test_the_timeline_gradients_are_the_views(circles_run):
    store_path, run_id = circles_run
    with ScrubRun.open(store_path, run_id) as run:
        for epoch in (0, 2):
            snapshot = run.gradient_snapshot(epoch)
            np.testing.assert_array_equal(snapshot.grad_norms, run.view(epoch).snapshot().grad_norms)
            assert (snapshot.step, snapshot.batches_per_epoch) == (epoch, 1)
        assert run.epoch_rows[2].train_loss > 0 and 0 not in run.epoch_rows


def test_a_run_without_initial_weights_starts_at_its_first_checkpoint(circles_run, tmp_path):
    store_path, run_id = circles_run
    copy = store_copy(store_path, tmp_path)
    with sqlite3.connect(copy) as connection:
        connection.execute("DELETE FROM weights WHERE run_id = ? AND role = 'initial'", (run_id,))
    with ScrubRun.open(copy, run_id) as run:
        assert run.epochs == list(range(1, EPOCHS + 1))
        with pytest.raises(ScrubError, match="no checkpoint at epoch 0"):
            run.view(0)


def test_the_final_weights_end_the_timeline_when_the_last_epoch_kept_no_checkpoint(tmp_path):
    spec = default_spec(input_size=2).to_json()
    store_path, run_id = recorded_run(tmp_path, epochs=7, spec=spec)
    with RunStore.open(store_path) as store:
        record = store.load_run(run_id)
    with sqlite3.connect(store_path) as connection:  # as a run with a checkpoint every 5 epochs (and its best
        # epoch earlier) would have kept
        connection.execute("DELETE FROM weights WHERE run_id = ? AND role IN ('checkpoint', 'best') AND epoch > 5",
                           (run_id,))
    connection.close()
    with ScrubRun.open(store_path, run_id) as run:
        assert run.epochs[-2:] == [5, 7]
        assert run.timeline[-1].final and not any(point.final for point in run.timeline[:-1])
        view = run.view(7)
        final = network_with_weights(record.spec, record.final_weights)
        np.testing.assert_array_equal(view.params, final.params)
