"""The store stays bounded: checkpoints past a run's or the file's cap drop the oldest non-best ones, per-batch
losses are decimated to a fixed number per run, and deleting runs gives the file's space back."""

from __future__ import annotations

import numpy as np

from core.runs import RunStore
from core.runs.loss_decimation import KeptLosses
from tests.core.runs.fake_runs import DATA_REF, SPEC, epoch_snapshot, record_epochs, weights

PARAMS = 10_000  # 40 kB a checkpoint (float32, kept as float32)
BYTES = PARAMS * 4


def big_weights() -> dict[str, np.ndarray]:
    return weights(1.0, size=PARAMS)


def record_run(store: RunStore, epochs: int) -> int:
    run_id = store.start_run(SPEC, DATA_REF, "h", 1, big_weights())
    recorder = store.recorder(run_id, weights=big_weights, checkpoint_every=1)
    record_epochs(recorder, 1, epochs)
    recorder.finish("completed", big_weights())
    return run_id


def checkpoint_bytes(store: RunStore, run_id: int) -> int:
    return sum(c.nbytes for c in store.checkpoints(run_id))


def test_a_run_keeps_its_newest_checkpoints_and_its_best_within_its_cap(tmp_path):
    cap = 5 * BYTES  # room for five checkpoints
    with RunStore.open(tmp_path / "s.runs.sqlite", run_cap=cap, file_cap=100 * cap) as store:
        run_id = record_run(store, epochs=30)
        kept = store.checkpoints(run_id)
        assert checkpoint_bytes(store, run_id) <= cap
        # the best (the loss falls every epoch: epoch 30) is kept; the others are the newest regular ones
        assert [(c.epoch, c.best) for c in kept] == [(27, False), (28, False), (29, False), (30, False), (30, True)]
        assert store.load_run(run_id).initial_weights is not None  # initial and final weights are not capped


def test_the_file_cap_holds_over_all_runs_and_deleting_runs_shrinks_the_file(tmp_path):
    run_cap, file_cap = 20 * BYTES, 30 * BYTES
    path = tmp_path / "s.runs.sqlite"
    with RunStore.open(path, run_cap=run_cap, file_cap=file_cap) as store:
        runs = [record_run(store, epochs=25) for _ in range(4)]
        assert sum(checkpoint_bytes(store, run_id) for run_id in runs) <= file_cap
        assert all(any(c.best for c in store.checkpoints(run_id)) for run_id in runs)  # every best survives
        store._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        full = path.stat().st_size
        # 4 runs × (initial + final) + the capped checkpoints, plus pages of bookkeeping
        assert full < (8 * BYTES + file_cap) * 1.3
        for run_id in runs:
            store.delete(run_id)
        assert store.list_runs() == []
    assert path.stat().st_size < full / 10


def test_batch_losses_are_decimated_evenly_to_the_capacity():
    kept = KeptLosses(capacity=8)
    for start in range(1, 101, 7):  # steps 1…100 in uneven chunks
        steps = np.arange(start, min(start + 7, 101))
        kept.add(steps, steps * 10.0)
    assert kept.stride == 16
    assert kept.steps.tolist() == list(range(1, 101, 16))  # evenly spread over the whole run, the first included
    assert kept.losses.tolist() == [10.0 * s for s in range(1, 101, 16)]


def test_a_long_run_keeps_at_most_the_capacity_of_batch_losses(tmp_path):
    with RunStore.open(tmp_path / "s.runs.sqlite") as store:
        run_id = store.start_run(SPEC, DATA_REF, "h", 1, None)
        recorder = store.recorder(run_id)
        for epoch in range(1, 3001):  # 12,000 steps
            recorder.record(epoch_snapshot(epoch))
        recorder.finish("completed")
        record = store.load_run(run_id)
    assert len(record.batch_steps) == 6000  # the capacity (10,000) halved once
    np.testing.assert_array_equal(record.batch_steps, np.arange(1, 12001, 2))
    np.testing.assert_allclose(record.batch_losses, 1.0 / record.batch_steps)
