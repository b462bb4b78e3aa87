"""No name can inject code through the torch-train export: hostile feature, category and class names (in
model.py, which train.py imports) and hostile folder and script names. train.py really runs under torch, exits
0, creates no marker file, and holds no hostile text outside literals."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from core.export import export_model
from tests.core.test_export_injection import (FILE_NAMES, HOSTILE, MARKER, hostile_model,
                                              untrusted_text_outside_literals)


def with_training_rows(model, rows: int = 24):
    """The hostile model with a split to train on (width and classes as its spec says)."""
    rng = np.random.default_rng(0)
    width, classes = model.spec["input_size"], model.output_size

    def split(n):
        return rng.normal(size=(n, width)).astype(np.float32), rng.integers(0, classes, n)

    (x_train, y_train), (x_val, y_val), (x_test, y_test) = split(rows), split(8), split(8)
    model.training_data = SimpleNamespace(x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val,
                                          x_test=x_test, y_test=y_test)
    return model


@pytest.mark.torch
@pytest.mark.parametrize("file_name", FILE_NAMES)
def test_train_py_runs_and_injects_nothing(tmp_path, file_name):
    pytest.importorskip("torch")
    folder = tmp_path / file_name
    folder.mkdir()
    written = export_model(with_training_rows(hostile_model(HOSTILE)), "torch-train", folder / f"{file_name}.py")
    script = written[0]
    assert script.name == f"{file_name}.py"
    for path in written[:2]:  # train.py and model.py: names only as literals
        assert untrusted_text_outside_literals(path.read_text(encoding="utf-8"), HOSTILE + [file_name]) == []
    result = subprocess.run([sys.executable, "-I", str(script), "--epochs", "2"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("2 epochs (completed)")
    assert not any(path.name == MARKER for path in tmp_path.rglob("*"))
    assert (folder / "trained_state_dict.npz").is_file()
