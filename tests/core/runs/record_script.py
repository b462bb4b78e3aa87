"""A process that records a synthetic run into a store, for the crash and concurrency tests.

    python -m tests.core.runs.record_script STORE EPOCHS SECONDS_PER_EPOCH NAME

Prints "run ID" once the run is started, then "epoch N" after each epoch is committed (flushed), "done" at the
end. The tests kill it mid-run (SIGKILL) or run two at once.
"""

from __future__ import annotations

import sys
import time

from core.runs import RunStore
from tests.core.runs.fake_runs import DATA_REF, SPEC, epoch_snapshot, weights


def main(store_path: str, epochs: int, seconds: float, name: str) -> None:
    store = RunStore.open(store_path)
    run_id = store.start_run(SPEC, DATA_REF, "hash", 1, weights(0.0), name=name)
    print(f"run {run_id}", flush=True)
    recorder = store.recorder(run_id, weights=weights, checkpoint_every=3)
    for epoch in range(1, epochs + 1):
        recorder.record(epoch_snapshot(epoch))
        if seconds:
            recorder.hand_over()
            recorder._writer.flush()
            print(f"epoch {epoch}", flush=True)
            time.sleep(seconds)
    problem = recorder.finish("completed", weights(1.0))
    store.close()
    print("done" if problem is None else f"failed: {problem}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
