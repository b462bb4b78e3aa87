"""NumPy (.npz + .json), safetensors and the stand-alone predict.py: the files hold exactly the engine's weights
and description, the script reproduces the engine's predictions, and writes are atomic with clear errors."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from core.export import FORMATS, ExportError, ExportModel, export_model
from tests.core.test_export_support import (
    circles_model, engine_predictions, kitchen_sink_spec, randomised_network, raw_inputs,
)


def test_npz_holds_every_named_weight_and_json_describes_the_model(tmp_path):
    network = randomised_network(kitchen_sink_spec())
    model = ExportModel.from_network(network)
    npz_path, json_path = export_model(model, "npz", tmp_path / "net.npz")
    assert json_path == tmp_path / "net.json"
    with np.load(npz_path, allow_pickle=False) as arrays:
        for name, view in [*network.parameters(), *network.named_buffers()]:
            np.testing.assert_array_equal(arrays[name], view)
    description = json.loads(json_path.read_text(encoding="utf-8"))
    assert description["format"] == "backprop-studio-model" and description["version"] == 1
    assert description["weights_file"] == "net.npz"
    assert [block["activation"] for block in description["architecture"]["layers"]] == [
        layer["activation"] for layer in network.spec["layers"]]
    assert description["architecture"]["layers"][1]["residual"] is True
    assert description["output"] == "probabilities"


def test_json_holds_the_scaling_statistics_and_class_names(tmp_path):
    model, _, prepared = circles_model(["x", "y", "x²", "y²"])
    _, json_path = export_model(model, "npz", tmp_path / "model.npz")
    description = json.loads(json_path.read_text(encoding="utf-8"))
    assert description["class_names"] == prepared.class_names
    assert description["preprocessing"]["feature_transform"]["names"] == ["x", "y", "x²", "y²"]
    np.testing.assert_allclose(description["preprocessing"]["scaler"]["offset"], prepared.scaler.offset)
    np.testing.assert_allclose(description["preprocessing"]["scaler"]["scale"], prepared.scaler.scale)


def test_safetensors_holds_the_same_weights_and_the_description(tmp_path):
    from safetensors import safe_open
    network = randomised_network(kitchen_sink_spec())
    (path,) = export_model(ExportModel.from_network(network), "safetensors", tmp_path / "w.safetensors")
    with safe_open(str(path), framework="numpy") as handle:
        assert set(handle.keys()) == {name for name, _ in [*network.parameters(), *network.named_buffers()]}
        np.testing.assert_array_equal(handle.get_tensor("layers.3.bn.running_var"),
                                      dict(network.named_buffers())["layers.3.bn.running_var"])
        np.testing.assert_array_equal(handle.get_tensor("layers.0.weight"), network.parameters()[0][1])
        metadata = handle.metadata()
    assert metadata["format"] == "backprop-studio-model"
    assert json.loads(metadata["model"])["architecture"]["layers"][0]["activation"] == "gelu"


@pytest.mark.parametrize("loss,outputs", [("cross_entropy", 3), ("mse", 2), ("binary_cross_entropy", 1)])
def test_standalone_predict_script_reproduces_the_engine(tmp_path, loss, outputs):
    network = randomised_network(kitchen_sink_spec(loss, outputs))
    model = ExportModel.from_network(network, raw_feature_names=["a", "b", "c", "d"])
    paths = export_model(model, "numpy", tmp_path / "model.npz")
    assert [p.name for p in paths] == ["model.npz", "model.json", "predict.py"]
    x = raw_inputs(4, rows=10)
    csv_path = tmp_path / "data.csv"
    np.savetxt(csv_path, x, delimiter=",", header="a,b,c,d", comments="", fmt="%.9g")
    out = tmp_path / "predictions.csv"
    # Run it in a clean interpreter from another folder, with only NumPy importable from the repo's venv.
    result = subprocess.run([sys.executable, "-I", str(paths[2]), str(csv_path), "-o", str(out)],
                            cwd=tmp_path.parent, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    expected = network.predict(x)
    values = np.array([[float(v) for v in row[:outputs]] for row in rows])
    np.testing.assert_allclose(values, expected, atol=1e-5)
    if loss == "cross_entropy":
        assert header == ["p(class 0)", "p(class 1)", "p(class 2)", "predicted"]
        assert [row[-1] for row in rows] == [f"class {i}" for i in expected.argmax(axis=1)]


def test_predict_script_applies_the_feature_transform_and_scaling(tmp_path):
    model, network, prepared = circles_model(["x", "y", "x²", "y²", "xy", "sin x", "sin y"])
    script = export_model(model, "numpy", tmp_path / "model.npz")[2]
    x = raw_inputs(2, rows=12)
    spec = importlib.util.spec_from_file_location("exported_predict", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    np.testing.assert_allclose(module.predict(x, module.load_model()), engine_predictions(network, prepared, x),
                               atol=1e-5)


def test_predict_script_imports_only_numpy_and_the_standard_library(tmp_path):
    """The script imports nothing but the standard library and NumPy."""
    model, _, _ = circles_model()
    script = export_model(model, "numpy", tmp_path / "model.npz")[2]
    imports = {line.split()[1] for line in script.read_text().splitlines() if line.startswith(("import ", "from "))}
    assert imports == {"argparse", "csv", "json", "math", "os", "sys", "numpy"}


def test_a_failed_multi_file_export_leaves_no_file_behind(tmp_path, monkeypatch):
    model, _, _ = circles_model()
    real_replace = os.replace
    calls = []

    def fail_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_second)
    with pytest.raises(ExportError, match="No space left on device"):
        export_model(model, "npz", tmp_path / "model.npz")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_an_existing_export_stays_intact_when_writing_fails(tmp_path, monkeypatch):
    model, _, _ = circles_model()
    (path,) = export_model(model, "onnx", tmp_path / "model.onnx")
    before = path.read_bytes()
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "Input/output error")))
    with pytest.raises(ExportError, match="Input/output error"):
        export_model(model, "onnx", path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_missing_folder_gives_a_clear_message(tmp_path, fmt):
    model, _, _ = circles_model()
    with pytest.raises(ExportError, match="the folder .*nowhere does not exist"):
        export_model(model, fmt, tmp_path / "nowhere" / FORMATS[fmt].default_name)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user")
def test_read_only_folder_gives_a_clear_message(tmp_path):
    model, _, _ = circles_model()
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="not writable"):
            export_model(model, "npz", folder / "model.npz")
    finally:
        folder.chmod(0o700)


def test_unwritable_folder_is_reported_before_anything_is_written(tmp_path, monkeypatch):
    model, _, _ = circles_model()
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(ExportError, match=r"model\.npz: the folder .* is not writable \(permission denied\)"):
        export_model(model, "numpy", tmp_path / "model.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_as_target_and_an_unknown_format_are_refused(tmp_path):
    model, _, _ = circles_model()
    with pytest.raises(ExportError, match="it is a folder"):
        export_model(model, "onnx", tmp_path)
    with pytest.raises(ExportError, match="unknown export format 'tflite'; choose one of onnx"):
        export_model(model, "tflite", tmp_path / "m.tflite")


def test_suffix_is_added_when_missing(tmp_path):
    model, _, _ = circles_model()
    assert export_model(model, "onnx", tmp_path / "net")[0].name == "net.onnx"
    assert export_model(model, "torch", tmp_path / "mynet")[0].name == "mynet.py"
