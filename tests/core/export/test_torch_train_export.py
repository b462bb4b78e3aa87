"""`export -f torch-train` without torch: the files it writes and what they hold, the refusals, the command line.
And, where torch is installed, the whole user path: export an untrained project, run `python train.py`, and get
the weights `backprop-studio train` gives the same project (float64, 1e-8)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.cli import run_cli
from core.export import ExportError, ExportModel, export_model
from core.export.torch_train_config import TORCH_OPTIMIZER_CLASSES, torch_optimizer
from core.network import Network
from core.project import load_project
from core.spec import OPTIMIZERS, default_spec, with_changes
from tests.core.export.torch_train_support import export_training, small_problem
from tests.core.test_cli import write_project

REPO = Path(__file__).resolve().parents[3]
WRITTEN = ["train.py", "model.py", "model_state_dict.npz", "train_data.npz", "initial_state_dict.npz"]


def test_the_export_runs_where_torch_is_absent(tmp_path):
    code = ("import sys; sys.modules['torch'] = None\n"
            "from pathlib import Path\n"
            "from tests.core.export.torch_train_support import export_training, small_problem\n"
            f"data, spec = small_problem()\nexport_training(spec, data, Path({str(tmp_path)!r}))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(WRITTEN)
    for name in ("train.py", "model.py"):
        ast.parse((tmp_path / name).read_text(encoding="utf-8"))


def test_the_data_file_holds_the_split_rows_and_the_engine_s_initial_weights(tmp_path):
    data, spec = small_problem({"layers[0].batch_norm": True})
    export_training(spec, data, tmp_path)
    with np.load(tmp_path / "train_data.npz", allow_pickle=False) as rows:
        for split in ("train", "val", "test"):
            np.testing.assert_array_equal(rows[f"x_{split}"], getattr(data, f"x_{split}"))
            np.testing.assert_array_equal(rows[f"y_{split}"], getattr(data, f"y_{split}"))
    network = Network.from_spec(spec)
    engine = dict(network.parameters()) | dict(network.named_buffers())
    with np.load(tmp_path / "initial_state_dict.npz", allow_pickle=False) as state:
        assert state["layers.0.dense.weight"].dtype == np.float64  # the spec's precision, not float32
        np.testing.assert_array_equal(state["layers.0.dense.weight"], engine["layers.0.weight"].T)
        np.testing.assert_array_equal(state["layers.2.dense.bias"], engine["layers.2.bias"])
        np.testing.assert_array_equal(state["layers.0.bn.running_var"], engine["layers.0.bn.running_var"])


def test_the_settings_enter_train_py_as_literals(tmp_path):
    data, spec = small_problem({"training.schedule": {"name": "cosine", "warmup_epochs": 3},
                                "training.clipping": {"mode": "agc", "value": 0.02}})
    source = export_training(spec, data, tmp_path).read_text(encoding="utf-8")
    tree = ast.parse(source)
    assigned = {node.targets[0].id: node.value for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    training = ast.literal_eval(assigned["TRAINING"])
    assert training == spec["training"]
    assert ast.literal_eval(assigned["OPTIMIZER_CLASS"]) == "Adam"
    assert ast.literal_eval(assigned["OPTIMIZER_ARGUMENTS"])["betas"] == (0.9, 0.999)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_catalogue_optimizer_has_its_torch_class(name):
    changes = {"training.optimizer.name": name}
    if name == "lbfgs":
        changes["training.batch_mode"] = "full"
    spec = with_changes(default_spec(), changes)
    torch_class, arguments = torch_optimizer(spec)
    assert torch_class == TORCH_OPTIMIZER_CLASSES[name]
    assert arguments["lr"] == spec["training"]["optimizer"]["lr"]
    assert "name" not in arguments and "beta1" not in arguments and "line_search" not in arguments


def test_refusals_write_nothing(tmp_path):
    data, spec = small_problem()
    with pytest.raises(ExportError, match="companion files"):
        export_model(ExportModel.from_network(Network.from_spec(spec), data), "torch-train", tmp_path / "model.py")
    with pytest.raises(ExportError, match="needs the data"):
        export_model(ExportModel.from_network(Network.from_spec(spec)), "torch-train", tmp_path / "train.py")
    assert list(tmp_path.iterdir()) == []


def test_the_command_exports_an_untrained_project_into_a_folder_of_its_own(tmp_path, monkeypatch, capsys):
    project = write_project(tmp_path / "circles.bps", epochs=3)
    monkeypatch.chdir(tmp_path)
    assert run_cli(["export", str(project), "-f", "torch-train"]) == 0
    listed = [Path(line) for line in capsys.readouterr().out.split()]
    assert [p.name for p in listed] == WRITTEN and all(p.parent.name == "circles_torch_train" for p in listed)
    assert sorted(p.name for p in (tmp_path / "circles_torch_train").iterdir()) == sorted(WRITTEN)


@pytest.mark.torch
def test_python_train_py_gives_the_weights_of_backprop_studio_train(tmp_path):
    pytest.importorskip("torch")
    spec = with_changes(default_spec(), {"training.dtype": "float64", "training.l2": 0.001,
                                         "training.clipping.mode": "norm", "training.clipping.value": 1.0})
    project = write_project(tmp_path / "circles.bps", epochs=3, spec=spec)
    folder = tmp_path / "export"
    folder.mkdir()
    assert run_cli(["export", str(project), "-f", "torch-train", "-o", str(folder / "train.py")]) == 0
    assert run_cli(["train", str(project), "--quiet"]) == 0
    result = subprocess.run([sys.executable, "train.py", "--dtype", "float64"], capture_output=True, text=True,
                            timeout=300, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("3 epochs (completed)")
    trained = load_project(project).weights
    with np.load(folder / "trained_state_dict_engine.npz", allow_pickle=False) as ours:
        assert np.abs(ours["params"] - trained["params"]).max() < 1e-8
