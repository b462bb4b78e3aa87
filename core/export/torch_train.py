"""PyTorch training export: `train.py`, which trains the network in PyTorch as the engine does, with its files.

Writes, in the folder of `path` (the training script, train.py by default):

- model.py and model_state_dict.npz: the network as an `nn.Module` and its current weights, as the "torch"
  export writes them (train.py imports model.py for the network and its loss);
- train_data.npz: the project's training, validation and test rows after preprocessing (`torch_train_data`);
- initial_state_dict.npz: the weights the engine starts training from (the spec's seed), in the spec's dtype;
- train.py itself (`torch_train_source`), holding the training settings as literals.

All files are staged and moved into place together. Only running train.py needs torch; this module never
imports it.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.export.common import ExportError, atomic_files
from core.export.model import ExportModel
from core.export.torch_export import model_source, torch_state_arrays
from core.export.torch_train_config import engine_layout, torch_optimizer, training_settings
from core.export.torch_train_data import initial_state, npz_bytes, split_arrays
from core.export.torch_train_source import train_source

MODEL_FILE = "model.py"
MODEL_STATE_FILE = "model_state_dict.npz"
DATA_FILE = "train_data.npz"
INITIAL_STATE_FILE = "initial_state_dict.npz"
COMPANION_FILES = (MODEL_FILE, MODEL_STATE_FILE, DATA_FILE, INITIAL_STATE_FILE)  # beside train.py, in this order


def export_torch_train(model: ExportModel, path: str | os.PathLike[str]) -> list[Path]:
    """Write train.py at `path` and its companions beside it; return the paths, train.py first."""
    script = Path(path)
    if script.suffix.lower() != ".py":
        script = script.with_name(script.name + ".py")
    companions = {name: script.with_name(name) for name in COMPANION_FILES}
    if script.name in companions:
        raise ExportError(f"can't export the training script as {script.name}: that name is taken by one of its "
                          f"companion files ({', '.join(companions)}); name it e.g. train.py", script)
    if model.training_data is None:
        raise ExportError("the PyTorch training export needs the data the network is trained on; export it "
                          "from a project (its data set), not from a bare network")
    spec = model.spec
    optimizer_class, optimizer_arguments = torch_optimizer(spec)
    engine_params, engine_buffers = engine_layout(spec)
    source = train_source(training=training_settings(spec), optimizer_class=optimizer_class,
                          optimizer_arguments=optimizer_arguments, engine_params=engine_params,
                          engine_buffers=engine_buffers, model_file=MODEL_FILE, data_file=DATA_FILE,
                          initial_state_file=INITIAL_STATE_FILE)
    files = {
        companions[MODEL_FILE]: model_source(model, MODEL_STATE_FILE).encode("utf-8"),
        companions[MODEL_STATE_FILE]: npz_bytes(torch_state_arrays(model), "the model's weights"),
        companions[DATA_FILE]: npz_bytes(split_arrays(model.training_data), "the training rows for train.py"),
        companions[INITIAL_STATE_FILE]: npz_bytes(initial_state(spec), "the initial weights for train.py"),
        script: source.encode("utf-8"),
    }
    with atomic_files() as stage:
        for target, data in files.items():
            stage(target, data)
    return [script, *companions.values()]
