"""Files keep loading as they did: every example project's spec and an early (version 0) project's spec come back
as a typed Spec whose JSON is exactly what the file holds (or, for the old file, the complete spec it stands for)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from core.project import load_project, save_project
from core.spec import Spec

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "resources" / "examples").glob("*.bps"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_loads_into_a_spec_whose_json_is_the_files(path, tmp_path):
    with zipfile.ZipFile(path) as archive:
        written = json.loads(archive.read("project.json"))["spec"]
    project = load_project(path)
    assert isinstance(project.spec, Spec)
    assert project.spec.to_json() == written
    assert json.dumps(project.spec.to_json(), indent=1) == json.dumps(written, indent=1)  # same keys, same order
    save_project(tmp_path / path.name, project.spec, project.data_config, project.weights, project.history)
    assert load_project(tmp_path / path.name).spec == project.spec


# What the early drafts wrote (version 0: spec under "network", only what differed from the defaults) ...
V0_NETWORK = {"input_size": 2, "layers": [{"units": 4, "activation": "relu"}, {"units": 2, "activation": "softmax"}]}
# ... and the complete spec it stands for, written out by hand so a change of any default shows here.
V0_AS_SPEC = {
    "version": 1, "input_size": 2,
    "layers": [
        {"type": "dense", "units": 4, "activation": "relu", "init": "auto", "batch_norm": False, "dropout": 0.0,
         "residual": False, "leaky_slope": 0.01},
        {"type": "dense", "units": 2, "activation": "softmax", "init": "auto", "batch_norm": False, "dropout": 0.0,
         "residual": False, "leaky_slope": 0.01}],
    "training": {
        "loss": "cross_entropy", "huber_delta": 1.0, "epochs": 100, "batch_mode": "mini", "batch_size": 32,
        "shuffle": True, "l1": 0.0, "l2": 0.0, "decoupled_weight_decay": 0.0, "seed": 0, "dtype": "float32",
        "optimizer": {"name": "adam", "lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-08, "amsgrad": False,
                      "weight_decay": 0.0},
        "schedule": {"name": "constant", "warmup_epochs": 0, "warmup_start_factor": 0.1},
        "lookahead": {"enabled": False, "k": 5, "alpha": 0.5},
        "early_stopping": {"enabled": False, "monitor": "val_loss", "patience": 10, "min_delta": 0.0,
                           "restore_best": True},
        "clipping": {"mode": "none", "value": 1.0}}}


def test_an_early_version_0_file_loads_into_the_complete_spec(tmp_path):
    path = tmp_path / "old.bps"
    manifest = {"format": "backprop-studio-project", "version": 0, "network": V0_NETWORK,
                "data": {"source": {"kind": "sklearn", "name": "iris"}}, "has_weights": False}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.json", json.dumps(manifest))
    project = load_project(path)
    assert project.file_version == 0 and isinstance(project.spec, Spec)
    assert json.dumps(project.spec.to_json()) == json.dumps(V0_AS_SPEC)
