"""Source references: every kind rebuilds its data set; invalid dicts name the bad field; load_file dispatches."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.data import DataError, load_file, load_source, playground
from tests.core.data.files import write_idx, write_text


def test_playground_source_is_json_and_rebuilds() -> None:
    data = playground("spiral", num_points=120, noise=0.3, seed=9)
    source = json.loads(json.dumps(data.source))
    assert source == {"kind": "playground", "name": "spiral", "num_points": 120, "noise": 0.3, "seed": 9,
                      "added_points": []}
    assert load_source(source).content_hash == data.content_hash


def test_playground_source_defaults_missing_optional_fields() -> None:
    assert load_source({"kind": "playground", "name": "xor"}).num_samples == 400


@pytest.mark.parametrize("source, field", [
    ({}, "kind"),
    ({"kind": "web"}, "kind"),
    ({"kind": "playground"}, "name"),
    ({"kind": "playground", "name": "circles", "num_points": "many"}, "num_points"),
    ({"kind": "playground", "name": "circles", "noise": -0.1}, "noise"),
    ({"kind": "playground", "name": "circles", "colour": "red"}, "colour"),
    ({"kind": "sklearn"}, "name"),
    ({"kind": "sklearn", "name": "mnist"}, "name"),
    ({"kind": "file", "format": "csv"}, "path"),
    ({"kind": "file", "path": "a.csv"}, "format"),
    ({"kind": "file", "path": "a.csv", "format": "xlsx"}, "format"),
    ({"kind": "file", "path": "a.csv", "format": "csv", "sheet": 1}, "sheet"),
    ({"kind": "file", "path": "a-idx3-ubyte", "format": "idx"}, "labels_path"),
])
def test_invalid_sources_name_the_field(source: dict, field: str) -> None:
    with pytest.raises(DataError, match=f"field '{field}'"):
        load_source(source)


def test_invalid_added_point_is_named() -> None:
    source = {"kind": "playground", "name": "circles", "added_points": [[0, 0, 1], [1, "a", 0]]}
    with pytest.raises(DataError, match="added point 2"):
        load_source(source)


def test_not_a_dict() -> None:
    with pytest.raises(DataError, match="must be a dict"):
        load_source(["playground"])  # type: ignore[arg-type]


def test_file_source_of_a_vanished_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="gone.csv: file not found"):
        load_source({"kind": "file", "path": str(tmp_path / "gone.csv"), "format": "csv"})


def test_load_file_dispatches_on_extension(tmp_path: Path) -> None:
    csv_path = write_text(tmp_path / "a.tsv", "a\tb\ty\n1\t2\t0\n3\t4\t1\n")
    assert load_file(csv_path).source["format"] == "csv"
    npz_path = tmp_path / "b.npz"
    np.savez(npz_path, x=np.ones((2, 2)), y=np.array([0, 1]))
    assert load_file(npz_path).source["format"] == "npz"
    images = write_idx(tmp_path / "c.idx3", np.zeros((2, 2, 2), dtype=np.uint8))
    labels = write_idx(tmp_path / "c.idx1", np.array([0, 1], dtype=np.uint8))
    assert load_file(images, labels_path=labels).source["format"] == "idx"


def test_load_file_passes_options(tmp_path: Path) -> None:
    path = write_text(tmp_path / "o.csv", "y,a\n0,1\n1,2\n")
    assert load_file(path, target="y").feature_names == ["a"]


def test_idx_without_labels_file_says_so(tmp_path: Path) -> None:
    images = write_idx(tmp_path / "lonely-images-idx3-ubyte", np.zeros((2, 2, 2), dtype=np.uint8))
    with pytest.raises(DataError, match="labels_path"):
        load_file(images)
