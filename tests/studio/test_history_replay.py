"""Reopening a trained project shows its history: loss, metric and learning-rate curves, the last gradient flow and
the confusion matrix; a malformed record in the file is left out, never an error."""

from __future__ import annotations

import math

import numpy as np
import pytest

from studio.training.history_replay import history_snapshots, layer_names, with_confusion


def test_reopened_project_draws_its_saved_history(make_window, tmp_path, qtbot):
    first = make_window()
    first.controller.show_dialogs = False
    first.document.set_training_field("epochs", 6)
    with qtbot.waitSignal(first.controller.finished, timeout=30_000):
        first.controller.start()
    qtbot.waitUntil(lambda: first.controller.state == "idle", timeout=5_000)
    path = tmp_path / "trained.bps"
    first.document.save(path)
    history = first.document.history
    confusion = first.panels["confusion_dock"].matrix.copy()

    second = make_window()
    assert second.open_project(path, ask_to_save=False)
    for name in ("loss_dock", "gradient_flow_dock", "confusion_dock"):
        second.panels[name].throttle.flush()
    loss = second.panels["loss_dock"]
    x, y = loss.epoch_train_curve.getOriginalDataset()
    np.testing.assert_array_equal(x, np.arange(1, 7))
    np.testing.assert_allclose(y, [r["train_loss"] for r in history])
    np.testing.assert_allclose(loss.epoch_val_metric.y, [r["val_metric"] for r in history])
    np.testing.assert_allclose(loss.learning_rate.y, [r["lr"] for r in history])
    assert "epoch 6" in loss.key.text()
    flow = second.panels["gradient_flow_dock"]
    assert flow.layer_names == ["layer 1 (tanh)", "layer 2 (tanh)", "output (softmax)"]
    np.testing.assert_allclose(flow.latest.grad_norms, history[-1]["grad_norms"])
    assert all(len(buffer) == 6 for buffer in flow.history["grad_norms"])
    np.testing.assert_array_equal(second.panels["confusion_dock"].matrix, confusion)
    from studio.window.training_status import TrainingStatus
    assert second.findChild(TrainingStatus).label.text().startswith("Trained 6 epochs")

    second.document.set_units(0, 5)  # an edit that drops the weights: the old run's curves go too
    assert len(loss.epoch_train_loss) == 0 and second.panels["confusion_dock"].matrix is None


SPEC = {"layers": [{"activation": "relu"}, {"activation": "softmax", "units": 3}]}


def record(epoch, **extra):
    return {"epoch": epoch, "train_loss": 1.0 / epoch, "val_loss": 2.0 / epoch, "train_metric": 0.5,
            "val_metric": 0.4, "lr": 0.01, "grad_norms": [0.1, 0.2], **extra}


def test_malformed_records_and_fields_are_left_out():
    history = [record(1), {"epoch": "2", "train_loss": 0.3}, record(2, val_loss=float("nan"), lr=True),
               record(2), {"epoch": 3, "train_loss": float("inf")}, record(4, grad_norms=[0.1]),
               record(5, confusion=[[1, 2, 3], [4, 5, 6], [7, 8, -9]]),
               record(6, confusion=[[1, 2, 3], [4, 5, 6], [7, 8, 9]])]
    snapshots = history_snapshots(history, SPEC, "accuracy")
    assert [s.epoch for s in snapshots] == [1, 2, 4, 5, 6]
    assert snapshots[1].val_loss is None and math.isnan(snapshots[1].lr)
    assert snapshots[2].grad_norms is None and snapshots[0].grad_norms.tolist() == [0.1, 0.2]
    assert snapshots[3].confusion is None
    assert snapshots[4].confusion.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert snapshots[0].layer_names == layer_names(SPEC) == ["layer 1 (relu)", "output (softmax)"]


def test_with_confusion_keeps_the_matrix_in_the_last_record_only():
    history = [record(1), record(2)]
    kept = with_confusion(history, np.array([[3, 1], [0, 4]]))
    assert kept[-1]["confusion"] == [[3, 1], [0, 4]] and "confusion" not in kept[0]
    assert "confusion" not in history[-1]  # the run's own records are not changed
    assert with_confusion(history, None) is history


@pytest.mark.parametrize("rows", [[[1.5, 2], [3, 4]], [[1, 2]], "[[1, 2], [3, 4]]", [[True, 2], [3, 4]]])
def test_a_confusion_matrix_of_another_shape_or_type_is_ignored(rows):
    spec = {"layers": [{"activation": "softmax", "units": 2}]}
    assert history_snapshots([record(1, confusion=rows, grad_norms=[0.1])], spec, "accuracy")[0].confusion is None


def test_layer_names_are_the_networks():
    from core.network import Network
    from core.spec import default_spec, validate_spec

    spec = default_spec(input_size=2, output_size=3).to_json()
    spec["layers"][1]["name"] = "middle"
    spec = validate_spec(spec)
    assert layer_names(spec) == Network.from_spec(spec).layer_names
