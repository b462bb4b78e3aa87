"""No name can inject code into an export: hostile strings (quotes, triple quotes, backslashes, newlines, '#',
format braces, non-ASCII, NUL, payloads that would open a marker file) in every string slot of every generator.

Each generated script runs (predict.py in a subprocess, model.py in a subprocess against a stand-in torch module,
since only its module level matters here), creates no marker file, and gives every string back exactly."""

from __future__ import annotations

import ast
import csv
import io
import json
import subprocess
import sys
import tokenize
from pathlib import Path

import numpy as np
import pytest

from core.export import ExportModel, export_model
from core.export.raw_columns import RawColumn, encode_rows
from core.spec import default_layer, validate_spec
from tests.core.test_export_support import randomised_network

MARKER = "PWNED"
PAYLOAD = f'x");open("{MARKER}","w");("y'
HOSTILE = [PAYLOAD, "q'''", 'd"""q', f'tri"""\nopen("{MARKER}","w")\n"""', "back\\slash\\", "new1\nline2\r\nend3",
           "# hash", "é ✓ 日本", "{} {0} {name!r} %s", f"'\nopen('{MARKER}', 'w')#", "comma, \"quoted\""]
WITH_NUL = HOSTILE + ["nul\x00byte"]  # the csv module of Python 3.10 can't read NUL: only for literal slots
FILE_NAMES = [PAYLOAD, f'q"""\nopen("{MARKER}","w")\n"""', "s'''{}#\\é"]

STUB_TORCH = {
    "__init__.py": "class Anything:\n    def __init__(self, *a, **k): pass\n"
                   "    def __call__(self, *a, **k): return Anything()\n"
                   "    def __getattr__(self, name): return Anything()\n\n\n"
                   "def __getattr__(name): return Anything()\n\n\nimport torch.nn  # noqa: E402\n",
    "nn.py": "from torch import Anything\n\n\nclass Module:\n    pass\n\n\ndef __getattr__(name): return Anything\n",
}


def hostile_model(names: list[str]) -> ExportModel:
    """A classifier over a text column and numeric columns, every name, category and class from `names`."""
    columns = [RawColumn(names[0], "category", tuple(names), tuple([1.0 / len(names)] * len(names)))]
    columns += [RawColumn(name, "number", (), (0.5,)) for name in names[1:]]
    width = sum(column.width for column in columns)
    spec = validate_spec({"version": 1, "input_size": width, "training": {"loss": "cross_entropy"},
                          "layers": [default_layer(6, "tanh"), default_layer(len(names), "softmax")]})
    model = ExportModel.from_network(randomised_network(spec))
    model.preprocessing = {"columns": [column.to_dict() for column in columns], "feature_transform": None,
                           "scaler": None}
    model.feature_names, model.class_names = [column.name for column in columns], list(names)
    model.check()
    return model


def raw_rows(names: list[str], count: int = 5) -> list[list[str]]:
    return [[names[i % len(names)]] + [str(0.25 * i - j) for j in range(1, len(names))] for i in range(count)]


def untrusted_text_outside_literals(source: str, strings: list[str]) -> list[str]:
    """Hostile strings (or a line of one) found in the script's docstrings or comments."""
    tree = ast.parse(source)
    docs = [ast.get_docstring(node) or "" for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))]
    comments = [token.string for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT]
    pieces = [line for s in strings for line in s.splitlines() if len(line.strip()) > 3]
    return [piece for piece in pieces if any(piece in text for text in docs + comments)]


@pytest.mark.parametrize("file_name", FILE_NAMES)
def test_predict_script_runs_and_returns_every_name_exactly(tmp_path, file_name):
    model = hostile_model(HOSTILE)
    script = export_model(model, "numpy", tmp_path / f"{file_name}.npz")[2]
    source = script.read_text(encoding="utf-8")
    assert untrusted_text_outside_literals(source, HOSTILE + [file_name]) == []
    rows = raw_rows(HOSTILE)
    data = tmp_path / "data.csv"
    with open(data, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([model.feature_names, *rows])
    out = tmp_path / "out.csv"
    result = subprocess.run([sys.executable, "-I", str(script), str(data), "-o", str(out)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / MARKER).exists()
    with open(out, newline="", encoding="utf-8") as handle:
        header, *predicted = list(csv.reader(handle))
    assert header == [f"p({name})" for name in HOSTILE] + ["predicted"]
    expected = randomised_network(model.spec).predict(encode_rows(rows, model.raw_columns))
    np.testing.assert_allclose([[float(v) for v in row[:-1]] for row in predicted], expected, atol=1e-5)
    assert [row[-1] for row in predicted] == [HOSTILE[i] for i in expected.argmax(axis=1)]


@pytest.mark.parametrize("file_name", FILE_NAMES)
def test_torch_module_imports_cleanly_and_holds_every_name_as_a_literal(tmp_path, file_name):
    model = hostile_model(WITH_NUL)
    script, state = export_model(model, "torch", tmp_path / f"{file_name}.py")
    assert untrusted_text_outside_literals(script.read_text(encoding="utf-8"), WITH_NUL + [file_name]) == []
    stub = tmp_path / "stub" / "torch"
    stub.mkdir(parents=True)
    for name, text in STUB_TORCH.items():
        (stub / name).write_text(text, encoding="utf-8")
    probe = ("import importlib.util, json, os, sys\n"
             "spec = importlib.util.spec_from_file_location('generated', sys.argv[1])\n"
             "module = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(module)\n"
             "print(json.dumps([module.FEATURE_NAMES, module.CLASS_NAMES, module.RAW_COLUMNS[0]['categories'],"
             " os.path.basename(module.STATE_DICT_FILE)]))\n")
    result = subprocess.run([sys.executable, "-c", probe, str(script)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env={"PYTHONPATH": str(stub.parent), "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / MARKER).exists()
    assert json.loads(result.stdout) == [WITH_NUL, WITH_NUL, WITH_NUL, state.name]


def test_json_safetensors_and_onnx_keep_every_name_exactly(tmp_path):
    model = hostile_model(WITH_NUL)
    _, json_path = export_model(model, "npz", tmp_path / "m.npz")
    description = json.loads(json_path.read_text(encoding="utf-8"))
    assert description["class_names"] == WITH_NUL and description["feature_names"] == WITH_NUL
    assert description["preprocessing"]["columns"][0]["categories"] == WITH_NUL
    from safetensors import safe_open
    (path,) = export_model(model, "safetensors", tmp_path / "m.safetensors")
    with safe_open(str(path), framework="numpy") as handle:
        assert json.loads(handle.metadata()["model"])["class_names"] == WITH_NUL
    ort = pytest.importorskip("onnxruntime")
    (path,) = export_model(model, "onnx", tmp_path / "m.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == WITH_NUL
    rows = raw_rows(WITH_NUL, 4)
    feeds = {name: (np.array([row[j] for row in rows], dtype=object) if j == 0 else
                    np.array([float(row[j]) for row in rows], dtype=np.float32)).reshape(-1, 1)
             for j, name in enumerate(WITH_NUL)}
    (value,) = session.run(None, feeds)
    expected = randomised_network(model.spec).predict(encode_rows(rows, model.raw_columns))
    np.testing.assert_allclose(value, expected, atol=1e-5)


@pytest.mark.parametrize("fmt", ["torch", "numpy"])
def test_the_reported_export_file_name_injects_nothing(tmp_path, fmt):
    """The issue's repro: `export -f torch -o 'x");__import__("os").system("touch PWNED");("y.py'`."""
    from tests.core.test_cli import write_project
    from core.cli import run_cli
    project = write_project(tmp_path / "c.bps", epochs=1)
    assert run_cli(["train", str(project), "--quiet"]) == 0
    name = 'x");__import__("os").system("touch PWNED");("y' + (".py" if fmt == "torch" else ".npz")
    assert run_cli(["export", str(project), "-f", fmt, "-o", str(tmp_path / name)]) == 0
    script = tmp_path / (name if fmt == "torch" else "predict.py")
    tree = ast.parse(script.read_text(encoding="utf-8"))
    literals = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)]
    expected = Path(name).stem + "_state_dict.npz" if fmt == "torch" else name
    assert expected in literals
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and
             isinstance(node.func, ast.Attribute) and node.func.attr == "system"]
    assert calls == []  # no os.system(...) anywhere in the generated code
    if fmt == "numpy":
        data = tmp_path / "points.csv"
        data.write_text("x,y\n0.5,1\n", encoding="utf-8")
        result = subprocess.run([sys.executable, "-I", str(script), str(data)], cwd=tmp_path,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    assert not (tmp_path / MARKER).exists()
