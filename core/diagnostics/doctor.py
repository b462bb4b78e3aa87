"""The training doctor: feed it the Trainer's Snapshots as they arrive; `findings()` names what went wrong.

    doctor = Doctor(network.spec, planned_epochs=trainer.epochs, probe=ActivationProbe(network, data.x_train))
    for snapshot in trainer.run():
        doctor.observe(snapshot)
    for finding in doctor.findings(): ...

Every finished epoch is recorded (a few numbers, `RunHistory`); the activation probe and the detectors run on a
thinning cadence: every epoch for the first `EVERY_EPOCH_UNTIL` epochs, then whenever the epochs since the last
pass reach `PASS_SHARE` of the epochs so far (epoch 8 → every 2nd, epoch 40 → every 10th), and always at the
run's end. A pass costs about one forward pass of the hidden layers over 256 rows plus ~10 µs of Python (each
detector tests its cheapest necessary condition first, on plain floats, so a healthy run's pass makes almost no
arrays); on this cadence it is a few passes per run, about 1–3 % of a digits run (`benchmarks/doctor_cost.py`;
every detector's verdicts, epochs and evidence were compared before and after that tuning). The detectors
read windows of the recorded epochs and of the last probed ones, and their problems persist (a rate too high,
units dead or saturated, a loss that keeps rising), so a later pass still sees what an earlier epoch showed; a
finding is dated at the pass that recognised it. Each problem is named once. The specific causes are looked at
first; "plateau" and "slow convergence" are named only when no lr, exploding, saturation, dead-unit or vanishing
finding already explains a loss that won't fall.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator

from core.diagnostics import generalisation_detectors, layer_detectors, optimisation_detectors as optimisation
from core.diagnostics.activation_probe import ActivationProbe
from core.diagnostics.cures import cures_for
from core.diagnostics.finding import Finding
from core.diagnostics.run_history import RunHistory

_EXPLAINS_A_FLAT_LOSS = ("lr_too_high", "saturation", "dead_relu", "vanishing_gradients", "exploding_gradients")
EVERY_EPOCH_UNTIL = 8  # the detection tests' runs (6–10 epochs) are judged at every epoch
PASS_SHARE = 0.25  # later, a pass once the epochs since the last one reach this share of the epochs so far


class Doctor:
    def __init__(self, spec: dict[str, Any], *, planned_epochs: int | None = None,
                 probe: ActivationProbe | None = None, every_epoch: bool = False):
        self.spec = spec
        self.every_epoch = every_epoch  # a pass at every epoch (a saved history, where time doesn't matter)
        self.passes = 0  # detector passes so far (benchmarks, tests)
        self._last_pass_epoch = 0
        self.planned_epochs = planned_epochs if planned_epochs is not None else int(spec["training"]["epochs"])
        self.probe = probe
        output = spec["layers"][-1]
        classes = max(int(output["units"]), 2)
        self.history = RunHistory(math.log(classes) if spec["training"]["loss"] == "cross_entropy" else None)
        self._findings: dict[str, Finding] = {}

    def observe(self, snapshot) -> list[Finding]:
        """Take one Snapshot; return the findings it newly brought (usually none)."""
        due = snapshot.kind == "end" or (snapshot.kind == "epoch" and self.pass_due(int(snapshot.epoch)))
        shares = (None, None)
        if due and self.probe is not None and snapshot.kind == "epoch":
            shares = self.probe.measure()
        if not self.history.add(snapshot, *shares) or not due:
            return []
        self.passes += 1
        self._last_pass_epoch = self.history.last_epoch
        new = []
        for problem, detect in self._detectors():
            if problem in self._findings:  # named once: its detector no longer runs
                continue
            verdict = detect()
            if verdict is None:
                continue
            layer, evidence, message = verdict
            finding = Finding(problem, max(self.history.last_epoch, 1), layer, evidence, message,
                              cures_for(problem, self.spec))
            self._findings[problem] = finding
            new.append(finding)
        return new

    def pass_due(self, epoch: int) -> bool:
        """Whether the epoch that just ended gets the probe and the detectors (see the module's docstring)."""
        if self.every_epoch or epoch <= EVERY_EPOCH_UNTIL:
            return True
        return epoch - self._last_pass_epoch >= max(1, int(PASS_SHARE * epoch))

    def findings(self) -> list[Finding]:
        """Every finding so far, in the order they were made."""
        return list(self._findings.values())

    def _detectors(self) -> Iterator[tuple[str, Callable[[], Any]]]:
        """(problem, its detector) in the order they are consulted; the generator reads `_findings` as it goes,
        so a finding made a moment ago already silences the detectors that must yield to it."""
        history = self.history
        yield "lr_too_high", lambda: optimisation.lr_too_high(history)
        yield "exploding_gradients", lambda: optimisation.exploding_gradients(history)
        yield "saturation", lambda: layer_detectors.saturation(history)
        yield "dead_relu", lambda: layer_detectors.dead_relu(history)
        yield "vanishing_gradients", lambda: layer_detectors.vanishing_gradients(history)
        if not any(problem in self._findings for problem in _EXPLAINS_A_FLAT_LOSS):
            yield "plateau", lambda: optimisation.plateau(history)
            if "plateau" not in self._findings:
                yield "slow_convergence", lambda: optimisation.slow_convergence(history, self.planned_epochs)
        yield "overfitting", lambda: generalisation_detectors.overfitting(history)


def diagnose(network, data, *, epochs: int | None = None) -> tuple[list[Finding], Any]:
    """Train `network` on `data` (a PreparedData) with its spec's settings, `epochs` overriding the number of
    epochs, watched by a Doctor; return (findings, the last Snapshot)."""
    from core.training import Trainer
    training = dict(network.spec["training"], epochs=epochs) if epochs is not None else None
    trainer = Trainer(network, data, training, report_every=0, confusion=False)
    doctor = Doctor(trainer.spec, planned_epochs=trainer.epochs, probe=ActivationProbe(network, data.x_train))
    last = None
    for snapshot in trainer.run():
        doctor.observe(snapshot)
        last = snapshot
    return doctor.findings(), last
