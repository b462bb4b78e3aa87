"""A run's metrics exported: CSV read back with the csv module, TensorBoard events parsed record by record."""

from __future__ import annotations

import csv
import struct

import pytest

from core.runs import RunStore, RunStoreError
from core.runs.export import export_csv, export_tensorboard
from tests.core.runs.fake_runs import DATA_REF, SPEC, record_epochs


@pytest.fixture()
def record(tmp_path):
    with RunStore.open(tmp_path / "s.runs.sqlite") as store:
        run_id = store.start_run(SPEC, DATA_REF, "h", 1, None, name='"tricky", name\'s')
        recorder = store.recorder(run_id)
        record_epochs(recorder, 1, 6)
        recorder.finish("completed", None, (0.3, 0.8))
        return store.load_run(run_id)


def test_csv_holds_every_epoch_with_the_metric_named(record, tmp_path):
    out = tmp_path / "run.csv"
    assert export_csv(record, out) == 6
    with open(out, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss",
                             "test_accuracy", "lr", "elapsed"]
    assert [int(row["epoch"]) for row in rows] == list(range(1, 7))
    assert [float(row["train_loss"]) for row in rows] == [1.0 / e for e in range(1, 7)]  # exact (repr)
    assert rows[0]["test_loss"] == "" and float(rows[-1]["test_loss"]) == 0.3
    assert float(rows[-1]["test_accuracy"]) == 0.8


def test_csv_refuses_a_folder_as_its_file(record, tmp_path):
    with pytest.raises(RunStoreError, match="not a regular file"):
        export_csv(record, tmp_path)


def read_scalars(folder) -> dict[str, list[tuple[int, float]]]:
    """Every scalar in the folder's event files, parsed from the TFRecord framing (length, crc, data, crc)."""
    from tensorboardX.proto import event_pb2
    scalars: dict[str, list[tuple[int, float]]] = {}
    (events_file,) = folder.glob("events.out.tfevents.*")
    data, offset = events_file.read_bytes(), 0
    while offset < len(data):
        (length,) = struct.unpack("<Q", data[offset:offset + 8])
        event = event_pb2.Event.FromString(data[offset + 12:offset + 12 + length])
        offset += 12 + length + 4
        for value in event.summary.value:
            if value.HasField("simple_value"):
                scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    return scalars


def test_tensorboard_events_hold_the_epochs_and_batch_losses(record, tmp_path):
    folder = export_tensorboard(record, tmp_path / "tb")
    scalars = read_scalars(folder)
    assert [step for step, _ in scalars["loss/train"]] == list(range(1, 7))
    assert [value for _, value in scalars["loss/train"]] == pytest.approx([1.0 / e for e in range(1, 7)])
    assert scalars["accuracy/val"][2] == (3, pytest.approx(1 - 0.6 / 3))
    assert scalars["loss/test"] == [(6, pytest.approx(0.3))]
    assert [step for step, _ in scalars["loss/batch"]] == list(range(1, 25))
    assert [value for _, value in scalars["lr"]] == pytest.approx([0.01] * 6)
