"""What the torch-train tests share: a small project (data + spec), its export, and running train.py in-process.

`small_problem` is 60 training rows of a noisy spiral (20 validation, 20 test); with batches of 12 that is 5
steps an epoch, so 4 epochs are the 20 steps the engine and train.py are compared over.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from core.data import playground, prepare
from core.export import ExportModel, export_model
from core.network import Network
from core.spec import default_spec, with_changes
from core.training import Trainer


def small_problem(changes: dict[str, Any] | None = None, *, task: str = "classification",
                  name: str | None = None):
    """(prepared data, float64 spec with `changes` at their dotted paths); a regression task fits a plane."""
    name = name or ("spiral" if task == "classification" else "plane")
    data = prepare(playground(name, num_points=100, noise=0.1, seed=1), val_fraction=0.2, test_fraction=0.2,
                   seed=4)
    spec = default_spec(2, 2 if task == "classification" else 1, task)
    base = {"training.epochs": 4, "training.batch_size": 12, "training.seed": 7, "training.dtype": "float64",
            "training.optimizer": {"name": "adam", "lr": 0.01}}
    return data, with_changes(spec, _leaf_paths({**base, **(changes or {})}))


def _leaf_paths(changes: dict[str, Any]) -> dict[str, Any]:
    """{"a.b": {"c": 1, "d": 2}} -> {"a.b.c": 1, "a.b.d": 2}; a "name" first, since it picks the fields."""
    flat: dict[str, Any] = {}
    for path, value in changes.items():
        if isinstance(value, dict):
            for key in sorted(value, key=lambda key: key != "name"):
                flat.update(_leaf_paths({f"{path}.{key}": value[key]}))
        else:
            flat[path] = value
    return flat


def export_training(spec: dict[str, Any], data: Any, folder: Path) -> Path:
    """Export `spec` (its initial weights) and `data` as torch-train into `folder`; the path of train.py."""
    folder.mkdir(parents=True, exist_ok=True)
    model = ExportModel.from_network(Network.from_spec(spec), data, trained=False)
    return export_model(model, "torch-train", folder / "train.py")[0]


def engine_run(spec: dict[str, Any], data: Any) -> tuple[Network, Trainer]:
    network = Network.from_spec(spec)
    trainer = Trainer(network, data, report_every=0)
    list(trainer.run())
    return network, trainer


def run_train_script(script: Path, *arguments: str) -> int:
    """Import train.py under a name of its own and call its main() (faster than a process: torch loads once)."""
    spec = importlib.util.spec_from_file_location(f"exported_train_{abs(hash(str(script)))}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(list(arguments))


def trained_engine_arrays(script: Path) -> dict[str, np.ndarray]:
    """What train.py wrote in the engine's flat layout ({"params", "buffers"})."""
    with np.load(script.with_name("trained_state_dict_engine.npz"), allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}
