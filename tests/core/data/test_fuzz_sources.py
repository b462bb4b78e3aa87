"""Data-source dicts come from project files, so every field may hold any JSON value (issue 12, class 2).

Each field of each source kind is replaced by each hostile value; `load_source` either builds a data set or
raises one DataError line, never TypeError, ValueError or OverflowError.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.data import DataError, load_source
from tests.core.data.files import write_idx

HOSTILE = ([], {}, None, float("nan"), float("inf"), -1, 10**12, 2.5, "x", True, "\x00", [[1]], "../" * 40)


def _sources(folder: Path) -> list[dict]:
    csv = folder / "d.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20)))
    npz = folder / "d.npz"
    np.savez(npz, x=np.ones((20, 2)), y=np.arange(20) % 2)
    images = write_idx(folder / "d-images-idx3-ubyte", np.zeros((4, 2, 2), dtype=np.uint8))
    labels = write_idx(folder / "d-labels-idx1-ubyte", np.array([0, 1, 0, 1], dtype=np.uint8))
    return [
        {"kind": "playground", "name": "spiral", "num_points": 50, "noise": 0.1, "seed": 1, "added_points": []},
        {"kind": "sklearn", "name": "iris"},
        {"kind": "file", "format": "csv", "path": str(csv), "delimiter": ",", "header": True, "target": "y",
         "categorical": "error", "missing": "error", "max_classes": 5, "task": None, "max_bytes": 10**6},
        {"kind": "file", "format": "npz", "path": str(npz), "features": "x", "targets": "y", "task": None,
         "max_classes": None, "max_bytes": 10**6},
        {"kind": "file", "format": "idx", "path": str(images), "labels_path": str(labels), "max_classes": None,
         "max_bytes": 10**6},
    ]


def test_every_field_of_every_source_kind_takes_hostile_values(tmp_path):
    outcomes = {"loaded": 0, "refused": 0}
    for source in _sources(tmp_path):
        load_source(source)  # The untouched source is valid.
        for field in source:
            for value in HOSTILE:
                try:
                    load_source({**source, field: value})
                    outcomes["loaded"] += 1
                except DataError as error:
                    assert "\n" not in str(error) and str(error), (field, value)
                    outcomes["refused"] += 1
    assert outcomes["refused"] > outcomes["loaded"] > 0


@pytest.mark.parametrize("source", [{"kind": "sklearn", "name": []}, {"kind": "playground", "name": {}},
                                    {"kind": "file", "format": ["csv"], "path": "x.csv"}])
def test_unhashable_names_and_formats_are_named(source):
    with pytest.raises(DataError, match=r"^data source: field '(name|format)'"):
        load_source(source)
