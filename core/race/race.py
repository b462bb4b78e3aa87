"""`OptimizerRace`: 2–8 optimizers trained side by side from one shared start.

Fairness is by construction: every racer's spec is the project's spec with changes only to how a step moves the
weights (`racer.RACER_PATH_PREFIXES`), so each Trainer draws the same data order and dropout masks from the same
seed (`core.training.rng_streams`), and every network is given the very same initial weights (copied from one
start network, not merely rebuilt from the seed). All racers also take the same code path: the fused kernel only
when it serves every racer, so the first batch's loss is computed by the same arithmetic for all of them and is
identical. A racer is therefore exactly the plain training run `fit(racer.spec, data, fast_path=racer.path ==
"fused")` would be.

Racers train round-robin, one epoch each in turn, in the calling thread (`run()` yields a `RaceUpdate` after each
racer's epoch, so a GUI worker can forward live curves); `stop()` may be called from another thread. Each
racer's time is its own Trainer's clock, so the others' turns don't count against it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.memory_budget import check_allocation
from core.race.errors import RaceError
from core.race.racer import RacerResult, RacerSetup, check_racer_names, is_racer_path


@dataclass(frozen=True)
class RaceUpdate:
    """Racer `index` finished an epoch ("epoch") or its run ("end"); `snapshot` is its Trainer's Snapshot."""

    index: int
    kind: str
    snapshot: Any  # core.training.Snapshot


class OptimizerRace:
    """Train each of `setups` on `data` from the shared start of `spec` (a valid project spec)."""

    def __init__(self, spec: Mapping[str, Any], data, setups: Sequence[RacerSetup], *, epochs: int | None = None,
                 fast_path: bool = True):
        from core.network import Network
        from core.spec import SpecError, changed_paths, with_changes
        setups = list(setups)
        check_racer_names(setups)
        base = with_changes(spec, {} if epochs is None else {"training.epochs": epochs})
        specs = []
        for setup in setups:
            try:
                racer_spec = with_changes(base, setup.changes)
            except SpecError as error:
                raise RaceError(f"racer {setup.name}: {error}") from error
            unfair = sorted(path for path in changed_paths(base, racer_spec) if not is_racer_path(path))
            if unfair:
                raise RaceError(f"racer {setup.name}: {unfair[0]} is part of the shared start; a racer may change "
                                f"only the optimizer, schedule, lookahead, clipping and weight penalties")
            specs.append(racer_spec)
        self.spec = base  # the shared start's spec: the project's, with the race's epochs
        start = Network.from_spec(base)
        self.start_state = start.get_state()  # the one set of initial weights every racer starts from
        self.epochs = int(base["training"]["epochs"])
        check_allocation("the race's weight trajectories",
                         len(setups) * (self.epochs + 1) * start.params.nbytes)
        networks = []
        for racer_spec in specs:
            network = Network.from_spec(racer_spec)
            network.set_state(self.start_state)
            networks.append(network)
        self.path = self._common_path(networks, specs, data) if fast_path else "general"
        self.trainers = [self._trainer(network, data) for network in networks]
        self.results = [RacerResult(setup.name, dict(setup.changes), racer_spec, self.path,
                                    trajectory=[self.start_state["params"].copy()])
                        for setup, racer_spec in zip(setups, specs)]
        self._stop = threading.Event()

    @staticmethod
    def _common_path(networks, specs, data) -> str:
        """ "fused" when the fused kernel can train every racer, else "general" for all (one arithmetic)."""
        from core.training.batching import batch_size_for
        from core.training.fast_path import fused_path_refusal
        rows = len(data.x_train)
        refusals = [fused_path_refusal(network, racer_spec["training"],
                                       batch_size_for(racer_spec["training"], rows))
                    for network, racer_spec in zip(networks, specs)]
        return "fused" if all(refusal is None for refusal in refusals) else "general"

    def _trainer(self, network, data):
        from core.training import Trainer
        return Trainer(network, data, report_every=0, confusion=False, fast_path=self.path == "fused")

    def stop(self) -> None:
        """End the race after the current racer's current batch (thread-safe); unfinished racers stop too."""
        self._stop.set()
        for trainer in self.trainers:
            trainer.stop()

    def run(self) -> Iterator[RaceUpdate]:
        """Train round-robin, one epoch per racer per turn, until every racer has ended; yield each epoch."""
        runs = [trainer.run() for trainer in self.trainers]
        active = list(range(len(runs)))
        while active:
            for index in list(active):
                snapshot = next(runs[index])
                self._record(index, snapshot)
                if snapshot.kind == "end":
                    active.remove(index)
                yield RaceUpdate(index, snapshot.kind, snapshot)

    def run_to_end(self) -> list[RacerResult]:
        for _ in self.run():
            pass
        return self.results

    def _record(self, index: int, snapshot) -> None:
        result, trainer = self.results[index], self.trainers[index]
        if snapshot.batch_losses is not None:
            result.batch_losses.extend(float(loss) for loss in snapshot.batch_losses)
        result.seconds = float(snapshot.elapsed)
        if snapshot.kind == "epoch":
            result.history = list(trainer.history)
            result.trajectory.append(trainer.network.params.copy())
        elif snapshot.kind == "end":
            result.history = list(trainer.history)
            result.stop_reason, result.diverged = snapshot.stop_reason, bool(snapshot.diverged)
            state = trainer.network.get_state()
            result.final_params, result.final_buffers = state["params"], state["buffers"]


def race_optimizers(spec: Mapping[str, Any], data, optimizers: Sequence[str], *, epochs: int | None = None
                    ) -> list[RacerResult]:
    """Race catalogue optimizers by name, each with its catalogue defaults; every racer's result."""
    return OptimizerRace(spec, data, [RacerSetup.optimizer(name) for name in optimizers], epochs=epochs).run_to_end()
