"""`RaceRecording`: every racer of an optimizer race recorded as a run (kind "race") in the project's run store.

    recording = RaceRecording.start(race, store_path, data_ref, data_hash)   # after OptimizerRace(...) is built
    for update in race.run():
        recording.record(update)             # the racer's snapshot goes to its own run, off this thread
    problem = recording.finish(data)         # each racer's end, final weights and test figures; closes the store

Each racer is one run named after the racer (its optimizer, e.g. "adam" or "adam (lr 0.01)"), with its own spec
(the project's with the racer's changes), the race's seed and the shared start as its initial weights, so the
run table keeps the comparison after the race is gone. All racers write through ONE store (one connection and one
writer thread), however many they are. `start` raises RunStoreError (one line) when the store can't be used;
after that nothing raises (a race must never fail because of its record): `finish` and `interrupted` return what
went wrong as one line, or None.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.runs import INTERRUPTED, RunStore
from core.runs.recorder import checkpoint_interval


class RaceRecording:
    def __init__(self, store: RunStore, run_ids: list[int], recorders: list[Any], race: Any):
        self.store, self.run_ids, self.recorders, self.race = store, run_ids, recorders, race
        self.closed = False

    @classmethod
    def start(cls, race: Any, store_path: Path, data_ref: Mapping[str, Any], data_hash: str) -> RaceRecording:
        """Open the store and start one run per racer of `race` (a core.race.OptimizerRace, not run yet)."""
        store = RunStore.open(store_path)
        run_ids, recorders = [], []
        try:
            seed = int(race.spec["training"]["seed"])
            every = checkpoint_interval(race.epochs)
            for result, trainer in zip(race.results, race.trainers):
                run_id = store.start_run(result.spec, data_ref, data_hash, seed, race.start_state, name=result.name,
                                         kind="race")
                run_ids.append(run_id)
                recorders.append(store.recorder(run_id, weights=trainer.network.get_state, checkpoint_every=every))
        except BaseException:
            for recorder in recorders:
                recorder.finish("interrupted", status=INTERRUPTED)
            store.close()
            raise
        return cls(store, run_ids, recorders, race)

    def record(self, update: Any) -> None:
        """A core.race.RaceUpdate: its snapshot joins its racer's run."""
        self.recorders[update.index].record(update.snapshot)

    def finish(self, data: Any = None) -> str | None:
        """End every racer's run with its stop reason, final weights and (when `data` holds a test set and the
        racer did not diverge) its test loss and metric; a racer that never ended is marked interrupted."""
        problems = []
        for recorder, result, trainer in zip(self.recorders, self.race.results, self.race.trainers):
            if result.stop_reason is None:
                problems.append(recorder.finish("stopped", status=INTERRUPTED))
                continue
            network = trainer.network
            test_score = None
            if data is not None and not result.diverged and len(data.x_test):
                test_score = tuple(float(value) for value in network.evaluate(data.x_test, data.y_test))
            problems.append(recorder.finish(result.stop_reason, network.get_state(), test_score))
        return self._close(problems)

    def interrupted(self, reason: str = "interrupted") -> str | None:
        """End every racer's run as interrupted (the race failed or was cut short)."""
        return self._close([recorder.finish(reason, status=INTERRUPTED) for recorder in self.recorders])

    def _close(self, problems: list[str | None]) -> str | None:
        if not self.closed:
            self.closed = True
            self.store.close()
        return next((problem for problem in problems if problem), None)
