"""The doctor's plumbing: a Finding checks its problem and writes strict JSON; watching a run never changes it;
batch snapshots between epochs change no verdict."""

import json

import numpy as np
import pytest

from core.diagnostics import ActivationProbe, Doctor, Finding
from core.network import Network
from core.training import Trainer
from tests.core.diagnostics.doctor_support import SCENARIOS, circles, spec_with


def test_a_finding_names_one_of_the_known_problems():
    with pytest.raises(ValueError, match="unknown problem 'slow'"):
        Finding("slow", 1, None, {}, "?")


def test_non_finite_evidence_becomes_null_in_strict_json():
    finding = Finding("exploding_gradients", 2, "layer 1 (relu)", {"a": float("inf"), "b": float("nan"), "c": 3},
                      "The gradients explode.")
    line = json.dumps(finding.as_json_dict(), allow_nan=False)  # raises on NaN/Infinity
    assert json.loads(line)["evidence"] == {"a": None, "b": None, "c": 3.0}


def losses_of(spec, data, doctor: bool, report_every: int = 0):
    network = Network.from_spec(spec)
    trainer = Trainer(network, data, report_every=report_every, confusion=False)
    watcher = Doctor(trainer.spec, probe=ActivationProbe(network, data.x_train)) if doctor else None
    history = []
    for snapshot in trainer.run():
        if watcher is not None:
            watcher.observe(snapshot)
        if snapshot.kind == "epoch":
            history.append((snapshot.train_loss, snapshot.val_loss))
    return history, network.params.copy(), watcher


def test_watching_a_run_does_not_change_it():
    data = circles()
    spec = spec_with({"training.epochs": 6, "layers[*].dropout": 0.2, "layers[*].batch_norm": True})
    plain, plain_params, _ = losses_of(spec, data, doctor=False)
    watched, watched_params, _ = losses_of(spec, data, doctor=True)
    assert watched == plain  # the same machine, the same code path: bit for bit
    assert np.array_equal(watched_params, plain_params)


def test_batch_snapshots_between_epochs_change_no_verdict():
    spec, data_maker, epochs, _ = SCENARIOS["vanishing_gradients"]
    spec = {**spec, "training": {**spec["training"], "epochs": epochs}}
    data = data_maker()
    verdicts = []
    for report_every in (0, 7):
        _, _, doctor = losses_of(spec, data, doctor=True, report_every=report_every)
        verdicts.append([(f.problem, f.epoch, f.layer) for f in doctor.findings()])
    assert verdicts[0] == verdicts[1] and verdicts[0][0][0] == "vanishing_gradients"
