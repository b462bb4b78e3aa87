"""core.project.load_project against every generated malformed project: it opens (checked) or refuses in one line.

The invariant for every case: either a Project whose contents are valid (spec re-validates unchanged, the data
reference passes its checks, weights are None or finite arrays of the network's sizes), or a ProjectError whose
message is one short line naming the file. Never another exception, a hang or an unbounded allocation.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from core.network.memory import parameter_counts
from core.project import ProjectError, load_project
from core.project_manifest import check_data_config
from core.spec import validate_spec
from tests.core.fuzz import project_cases


@pytest.fixture(scope="module")
def case_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-cases")


def _load_checked(path):
    """Load `path`; return the Project, or the ProjectError's message after checking it is one clean line."""
    try:
        project = load_project(path)
    except ProjectError as error:
        message = str(error)
        assert "\n" not in message and len(message) < 400, message
        assert path.name in message, message
        return message
    assert validate_spec(project.spec) == project.spec
    assert check_data_config(project.data_config) == project.data_config
    if project.weights is not None:
        counts = parameter_counts(project.spec["input_size"], project.spec["layers"])
        assert [project.weights[k].shape for k in ("params", "buffers")] == [(n,) for n in counts]
        assert all(np.isfinite(array).all() for array in project.weights.values())
    return project


def test_every_manifest_mutation_opens_checked_or_refuses_in_one_line(case_folder):
    cases = project_cases.manifest_cases(case_folder)
    assert len(cases) > 500  # the generator really covers the manifest
    refused = 0
    for number, (name, write) in enumerate(cases):
        path = case_folder / f"m{number}.bps"
        write(path)
        try:
            refused += isinstance(_load_checked(path), str)
        except Exception as error:  # a crash: report which mutation caused it
            raise AssertionError(f"mutation {name}: {type(error).__name__}: {error}") from error
        path.unlink()
    assert refused > len(cases) // 2


@pytest.mark.parametrize("field, value, expected", [
    ("units", float("nan"), "units must be a whole number"),
    ("units", float("inf"), "units must be a whole number"),
    ("epochs", float("nan"), "epochs must be a whole number"),
    ("seed", float("inf"), "seed must be a whole number"),
])
def test_nan_and_inf_counts_name_the_field(tmp_path, field, value, expected):
    manifest = project_cases.base_manifest(tmp_path)
    target = manifest["spec"]["layers"][0] if field == "units" else manifest["spec"]["training"]
    target[field] = value
    project_cases.write_project(tmp_path / "x.bps", manifest)
    with pytest.raises(ProjectError, match=expected):
        load_project(tmp_path / "x.bps")


@pytest.mark.parametrize("where, value, expected", [
    (("data", "config", "feature_transform"), "xy", "feature_transform must be a list"),
    (("data", "config", "scaling"), "bogus", "scaling must be one of"),
    (("data", "config", "val_fraction"), float("nan"), "val_fraction must be a number"),
    (("data", "config", "source", "kind"), {}, "kind must be one of"),
    (("data", "config", "source", "num_points"), 1e12, "num_points must be"),
    (("data", "config", "source", "num_points"), float("inf"), "num_points must be"),
    (("history",), 5, "run history"),
])
def test_wrong_types_and_enums_in_the_data_reference_are_named(tmp_path, where, value, expected):
    manifest = project_cases.base_manifest(tmp_path)
    target = manifest
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    project_cases.write_project(tmp_path / "x.bps", manifest)
    with pytest.raises(ProjectError, match=expected):
        load_project(tmp_path / "x.bps")


def test_sklearn_source_with_a_list_name_and_old_split_of_wrong_type(tmp_path):
    manifest = project_cases.base_manifest(tmp_path)
    manifest["data"]["config"]["source"] = {"kind": "sklearn", "name": []}
    project_cases.write_project(tmp_path / "a.bps", manifest)
    with pytest.raises(ProjectError, match="name must be text"):
        load_project(tmp_path / "a.bps")
    old = {"format": "backprop-studio-project", "version": 0, "network": manifest["spec"], "split": 5}
    project_cases.write_project(tmp_path / "b.bps", old)
    with pytest.raises(ProjectError, match="split settings must be a mapping"):
        load_project(tmp_path / "b.bps")


def test_deep_json_is_refused_without_recursion_error(tmp_path):
    manifest = project_cases.base_manifest(tmp_path)
    manifest["extra"] = project_cases.DEEP
    project_cases.write_project(tmp_path / "x.bps", manifest, deep=True)
    with pytest.raises(ProjectError, match="nests deeper than"):
        load_project(tmp_path / "x.bps")


@pytest.mark.parametrize("name, expected", [("input_size=1e9", "input_size must be a whole number from 1"),
                                            ("two-65536-layers", "over the memory budget"),
                                            ("1e5-layers", "at most 1000 layers")])
def test_networks_too_big_are_refused_before_allocating(tmp_path, name, expected):
    manifest = project_cases.base_manifest(tmp_path)
    write = dict(project_cases._size_cases(manifest))[name]
    write(tmp_path / "x.bps")
    with pytest.raises(ProjectError, match=expected) as refused:
        load_project(tmp_path / "x.bps")
    if name == "two-65536-layers":
        assert "GiB" in str(refused.value) and "BACKPROP_STUDIO_MEMORY_BUDGET" in str(refused.value)


def test_every_bad_weights_file_opens_untrained_with_one_warning(tmp_path):
    for name, write in project_cases.weights_cases(tmp_path):
        path = tmp_path / "w.bps"
        write(path)
        project = load_project(path)
        assert project.weights is None, name
        assert len(project.warnings) == 1 and "opens untrained" in project.warnings[0], name
        assert "\n" not in project.warnings[0]


def test_good_weights_open_trained_without_warning(tmp_path):
    project_cases.valid_project(tmp_path / "ok.bps")
    project = load_project(tmp_path / "ok.bps")
    assert project.weights is not None and project.warnings == []
    np.testing.assert_array_equal(project.weights["params"], project_cases.trained_state()["params"])


def test_every_archive_mutation_refuses_in_one_line_or_opens_checked(tmp_path):
    for name, write in project_cases.archive_cases(tmp_path):
        path = tmp_path / f"{name}.bps"
        write(path)
        try:
            _load_checked(path)
        except Exception as error:
            raise AssertionError(f"archive case {name}: {type(error).__name__}: {error}") from error


@pytest.mark.parametrize("name, expected", [
    ("truncated-at-4", "damaged (truncated)"), ("truncated-at-30", "damaged (truncated)"),
    ("zip-bomb-manifest", "more than the"), ("lying-size", "more than the"),
    ("many-members", "holds 1000 files"), ("text", "not a Backprop Studio project file"),
])
def test_archive_problems_are_named(tmp_path, name, expected):
    dict(project_cases.archive_cases(tmp_path))[name](tmp_path / "x.bps")
    with pytest.raises(ProjectError) as refused:
        load_project(tmp_path / "x.bps")
    assert expected in str(refused.value)


def test_non_regular_files_are_refused_without_blocking(tmp_path):
    for name, path in project_cases.special_files(tmp_path):
        with pytest.raises(ProjectError) as refused:
            load_project(path)
        assert "not a project file" in str(refused.value), name


def test_an_unreadable_file_says_permission_denied(tmp_path, monkeypatch):
    project_cases.valid_project(tmp_path / "locked.bps")

    def denied(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr("core.project_files.os.open", denied)  # root reads every file, so denial is simulated
    with pytest.raises(ProjectError, match="locked.bps: permission denied"):
        load_project(tmp_path / "locked.bps")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0 or sys.platform == "win32",
                    reason="root reads files whatever their mode")
def test_a_real_unreadable_file_says_permission_denied(tmp_path):
    path = tmp_path / "locked.bps"
    project_cases.valid_project(path)
    path.chmod(0)
    with pytest.raises(ProjectError, match="permission denied"):
        load_project(path)


def test_a_member_over_a_small_budget_is_refused_before_reading(tmp_path, monkeypatch):
    project_cases.valid_project(tmp_path / "ok.bps")
    monkeypatch.setenv("BACKPROP_STUDIO_MEMORY_BUDGET", "100")  # bytes: less than the manifest
    with pytest.raises(ProjectError, match=r"ok.bps: its project.json needs .* over the memory budget"):
        load_project(tmp_path / "ok.bps")
    monkeypatch.setenv("BACKPROP_STUDIO_MEMORY_BUDGET", "lots")
    with pytest.raises(ProjectError, match="BACKPROP_STUDIO_MEMORY_BUDGET='lots' is not a size"):
        load_project(tmp_path / "ok.bps")
