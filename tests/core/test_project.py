"""core.project: round trip, atomic writes, migration from version 0, and clear errors for bad files."""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

from core.project import PROJECT_VERSION, ProjectError, load_project, save_project
from core.spec import default_spec

DATA_CONFIG = {"source": {"kind": "playground", "name": "circles", "num_points": 100, "noise": 0.1, "seed": 3,
                          "added_points": [[1.0, 2.0, 1]]},
               "val_fraction": 0.25, "test_fraction": 0.0, "scaling": "standard", "feature_transform": []}


def _weights(spec: dict | None = None) -> dict[str, np.ndarray]:
    """A trained-looking state of the spec's network (default_spec's): what Network.get_state() saves."""
    from core.network import Network
    state = Network.from_spec(spec or default_spec(), seed=5).get_state()
    state["params"] += np.random.default_rng(0).normal(size=state["params"].shape).astype(np.float32)
    return state


def test_round_trip_keeps_spec_data_weights_history(tmp_path):
    spec = default_spec().to_json()
    spec["layers"][0]["activation"] = "relu"
    history = [{"epoch": 1, "train_loss": np.float32(0.5), "val_loss": float("nan")}]
    path = tmp_path / "run.bps"
    save_project(path, spec, DATA_CONFIG, _weights(), history, extra={"note": "hi"}, data_hash="abc123")
    project = load_project(path)
    assert project.spec == default_spec() | {"layers": spec["layers"]}
    assert project.data_config == DATA_CONFIG
    assert project.data_hash == "abc123"
    assert project.extra == {"note": "hi"}
    assert project.history[0]["train_loss"] == pytest.approx(0.5)
    assert np.isnan(project.history[0]["val_loss"])
    for key, value in _weights().items():
        np.testing.assert_array_equal(project.weights[key], value)
        assert project.weights[key].dtype == np.float32
    assert project.file_version == PROJECT_VERSION


def test_untrained_project_has_no_weights(tmp_path):
    save_project(tmp_path / "a.bps", default_spec(), DATA_CONFIG, None, None)
    project = load_project(tmp_path / "a.bps")
    assert project.weights is None and project.history == []


def test_failed_save_leaves_existing_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "keep.bps"
    save_project(path, default_spec(), DATA_CONFIG, None, [])
    before = path.read_bytes()

    def broken_replace(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("core.project.os.replace", broken_replace)
    with pytest.raises(ProjectError, match="No space left"):
        save_project(path, default_spec(hidden=(3,)), DATA_CONFIG, None, [])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.bps"]


def test_invalid_spec_is_refused_on_save(tmp_path):
    spec = default_spec().to_json()
    spec["layers"][0]["units"] = 0
    with pytest.raises(ProjectError, match="units must be ≥ 1"):
        save_project(tmp_path / "bad.bps", spec, DATA_CONFIG, None, [])
    assert not (tmp_path / "bad.bps").exists()


V0_NETWORK = {"input_size": 2, "layers": [{"units": 4, "activation": "relu"}, {"units": 2, "activation": "softmax"}]}


def _write_v0(path, weights=None):
    """A project as the early drafts (version 0) wrote it: spec under "network", split beside the data."""
    manifest = {"format": "backprop-studio-project", "version": 0,
                "network": V0_NETWORK,
                "data": {"source": {"kind": "sklearn", "name": "iris"}},
                "split": {"val_fraction": 0.3}, "data_sha256": "feed", "history": [{"epoch": 1, "train_loss": 1.0}],
                "has_weights": weights is not None}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.json", json.dumps(manifest))
        if weights is not None:
            import io
            buffer = io.BytesIO()
            np.savez(buffer, **weights)
            archive.writestr("weights.npz", buffer.getvalue())


def test_version_0_is_migrated(tmp_path):
    path = tmp_path / "old.bps"
    _write_v0(path, _weights(V0_NETWORK))
    project = load_project(path)
    assert project.file_version == 0
    assert [layer["units"] for layer in project.spec["layers"]] == [4, 2]
    assert project.spec["training"]["loss"] == "cross_entropy"  # filled in by validation
    assert project.data_config["source"] == {"kind": "sklearn", "name": "iris"}
    assert project.data_config["val_fraction"] == 0.3 and project.data_config["test_fraction"] == 0.2
    assert project.data_hash == "feed"
    assert project.history == [{"epoch": 1, "train_loss": 1.0}]
    np.testing.assert_array_equal(project.weights["params"], _weights(V0_NETWORK)["params"])
    assert project.warnings == []


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b""), "not a Backprop Studio project"),
    (lambda p: p.write_text("hello, I am text"), "not a Backprop Studio project"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("other.txt", "x"), "has no project.json"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("project.json", "{not json"), "not valid JSON"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("project.json", json.dumps(
        {"format": "backprop-studio-project", "version": 99})), "newer Backprop Studio"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("project.json", json.dumps(
        {"format": "backprop-studio-project", "version": 1, "spec": {"input_size": 0, "layers": []},
         "data": {"config": {"source": {}}}})), "invalid network"),
])
def test_bad_files_raise_clear_errors(tmp_path, make, message):
    path = tmp_path / "bad.bps"
    make(path)
    with pytest.raises(ProjectError, match=message) as info:
        load_project(path)
    assert "bad.bps" in str(info.value)


def test_truncated_file_is_reported_as_damaged(tmp_path):
    path = tmp_path / "cut.bps"
    save_project(path, default_spec(), DATA_CONFIG, _weights(), [{"epoch": 1}] * 50)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProjectError, match="damaged|not a Backprop Studio"):
        load_project(path)


def test_corrupted_bytes_are_reported_as_damaged(tmp_path):
    path = tmp_path / "flip.bps"
    save_project(path, default_spec(), DATA_CONFIG, _weights(), [])
    data = bytearray(path.read_bytes())
    data[40:60] = b"\xff" * 20  # inside the first member's compressed data
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match="damaged"):
        load_project(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ProjectError, match="does not exist"):
        load_project(tmp_path / "nope.bps")
    with pytest.raises(ProjectError, match="is a folder"):
        load_project(tmp_path)


def test_save_removes_temporaries_a_killed_save_left_but_nothing_else(tmp_path):
    path = tmp_path / "keep.bps"
    stale = tmp_path / ".keep.bps.k1ll3d_x.tmp"  # mkstemp's pattern for this project, from a killed save
    stale.write_bytes(b"half a zip")
    os.utime(stale, (1_000_000, 1_000_000))
    running = tmp_path / ".keep.bps.c0ncurr.tmp"  # a save in another process, newer than ours: not ours to delete
    running.write_bytes(b"being written")
    os.utime(running, (4_000_000_000, 4_000_000_000))
    others = [tmp_path / ".other.bps.abc.tmp", tmp_path / "keep.bps.abc.tmp", tmp_path / ".keep.bps.a.b.tmp"]
    for other in others:
        other.write_bytes(b"not ours")
        os.utime(other, (1_000_000, 1_000_000))
    link = tmp_path / ".keep.bps.l1nk.tmp"
    link.symlink_to(others[0])
    save_project(path, default_spec(), DATA_CONFIG, None, [])
    assert not stale.exists()
    assert running.exists() and link.is_symlink() and all(other.exists() for other in others)
    assert load_project(path).spec == default_spec()


def test_history_may_keep_a_confusion_matrix_but_not_deeper_nesting():
    """The studio keeps the last epoch's confusion matrix (rows of counts) in the history; deeper lists are refused."""
    from core.project_errors import ManifestError
    from core.project_manifest import check_history

    history = [{"epoch": 1, "train_loss": 0.5, "confusion": [[3, 1], [0, 4]]}]
    assert check_history(history) == history
    with pytest.raises(ManifestError, match="record 1"):
        check_history([{"epoch": 1, "deep": [[[1]]]}])
