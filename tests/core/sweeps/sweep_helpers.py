"""A tiny project for sweep tests: circles, 200 points, a 2-8-8-2 network, a few epochs (a trial ~0.02 s)."""

from __future__ import annotations

from pathlib import Path

from core.project import save_project
from core.spec import default_spec, with_changes

DATA_CONFIG = {"source": {"kind": "playground", "name": "circles", "num_points": 200, "noise": 0.1, "seed": 0},
               "val_fraction": 0.25, "test_fraction": 0.2, "scaling": "standard", "feature_transform": []}


def tiny_project(folder: Path, name: str = "tiny", epochs: int = 6, **changes) -> Path:
    spec = with_changes(default_spec(2, 2), {"training.epochs": epochs, "training.batch_size": 16, **changes})
    path = folder / f"{name}.bps"
    save_project(path, spec, DATA_CONFIG, None, [], {})
    return path
