"""The headless commands (train, predict, export) against the generated malformed projects.

Every refused case must exit non-zero with ONE line "backprop-studio: error: ..." naming the file, no traceback,
and write nothing: outputs that already exist keep their bytes, the project file too. Most cases run in-process
through `core.cli.main.main(argv)`; FIFOs, /dev/zero and the address-space limit run in subprocesses.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.cli.main import main
from core.project import ProjectError, load_project
from tests.core.fuzz import project_cases

ROOT = Path(__file__).resolve().parents[3]
SENTINEL = b"already here; must stay untouched\n"
GiB = 1024**3


@pytest.fixture(scope="module")
def rejected_cases(tmp_path_factory):
    """The manifest and archive mutations core.project refuses (the others are valid projects)."""
    folder = tmp_path_factory.mktemp("cli-cases")
    cases = project_cases.manifest_cases(folder) + project_cases.archive_cases(folder)
    rejected = []
    for number, (name, write) in enumerate(cases):
        path = folder / f"c{number}.bps"
        write(path)
        try:
            load_project(path)
        except ProjectError:
            rejected.append((name, path))
            continue
        path.unlink()
    return rejected


def _commands(project: Path, folder: Path) -> dict[str, tuple[list[str], Path]]:
    data = folder / "features.csv"
    if not data.exists():
        data.write_text("x,y\n1,2\n")
    outputs = {name: folder / f"out-{name}" for name in ("train.bps", "predict.csv", "export.npz")}
    for output in outputs.values():
        output.write_bytes(SENTINEL)
    return {"train": (["train", str(project), "-o", str(outputs["train.bps"]), "-q"], outputs["train.bps"]),
            "predict": (["predict", str(project), str(data), "-o", str(outputs["predict.csv"])],
                        outputs["predict.csv"]),
            "export": (["export", str(project), "-f", "npz", "-o", str(outputs["export.npz"])],
                       outputs["export.npz"])}


def _assert_refused_in_one_line(code: int, stderr: str, name: str, label: str) -> None:
    errors = [line for line in stderr.splitlines() if line.startswith("backprop-studio: error:")]
    assert code != 0, label
    assert "Traceback" not in stderr, f"{label}: {stderr}"
    assert len(errors) == 1 and name in errors[0], f"{label}: {stderr}"
    assert all(line.startswith(("backprop-studio: error:", "warning:")) for line in stderr.splitlines()), stderr


def test_every_refused_project_fails_each_command_in_one_line_writing_nothing(rejected_cases, tmp_path, capsys):
    assert len(rejected_cases) > 300
    for number, (name, project) in enumerate(rejected_cases):
        before = project.read_bytes()
        # Every case through one command in turn, and every tenth through all three.
        commands = list(_commands(project, tmp_path).items())
        for command, (argv, output) in commands if number % 10 == 0 else [commands[number % 3]]:
            code = main(argv)
            _assert_refused_in_one_line(code, capsys.readouterr().err, project.name, f"{command} {name}")
            assert output.read_bytes() == SENTINEL and project.read_bytes() == before, f"{command} {name}"


def test_weights_that_dont_fit_are_named_and_nothing_is_written(tmp_path, capsys):
    for name, write in project_cases.weights_cases(tmp_path):
        project = tmp_path / "w.bps"
        write(project)
        commands = _commands(project, tmp_path)
        commands["train"][0].append("--resume")
        for command, (argv, output) in commands.items():
            code = main(argv)
            stderr = capsys.readouterr().err
            _assert_refused_in_one_line(code, stderr, "w.bps", f"{command} {name}")
            warnings = [line for line in stderr.splitlines() if line.startswith("warning:")]
            assert len(warnings) == 1 and "don't fit the network" in warnings[0], f"{command} {name}: {stderr}"
            assert output.read_bytes() == SENTINEL


def _run(argv: list[str], *, limit: int | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """A CLI command in a child process (optionally under an address-space limit); prints its VmPeak in kB."""
    script = textwrap.dedent(f"""
        import resource, sys
        limit = {limit!r}
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        from core.cli.main import main
        code = main({argv!r})
        status = open("/proc/self/status").read()
        print(status.split("VmPeak:")[1].split()[0])
        sys.exit(code)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("BACKPROP_STUDIO_MEMORY_BUDGET", None)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=timeout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="FIFOs, /dev/zero and /proc are Linux's")
def test_fifos_and_devices_are_refused_at_once_by_every_command(tmp_path):
    for kind, path in project_cases.special_files(tmp_path):
        for command, (argv, output) in _commands(path, tmp_path).items():
            result = _run(argv, timeout=60)  # before the fix a FIFO blocked open() for ever
            _assert_refused_in_one_line(result.returncode, result.stderr, "x.bps", f"{command} {kind}")
            assert output.read_bytes() == SENTINEL


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_under_an_address_space_limit_big_projects_are_refused_not_killed(tmp_path):
    """3 GiB of address space: a normal command fits with room to spare, a network that needs more (but less
    than the default budget of a large machine) and the bombs are refused in one line with the figure."""
    limit = 3 * GiB
    normal = _run(["export", "xor", "-f", "npz", "-o", str(tmp_path / "xor.npz"), "--allow-untrained"],
                  limit=limit)
    assert normal.returncode == 0, normal.stderr
    assert int(normal.stdout.split()[-1]) * 1024 < limit * 0.6  # the margin the limit leaves a normal command

    manifest = project_cases.base_manifest(tmp_path)
    spec = manifest["spec"]
    spec["layers"] = [dict(spec["layers"][0], units=8192), dict(spec["layers"][0], units=8192), spec["layers"][-1]]
    big = tmp_path / "big.bps"
    project_cases.write_project(big, dict(manifest, spec=spec, has_weights=False))  # ~5 GiB to train
    bomb = tmp_path / "bomb.bps"
    project_cases._zip_bomb(bomb)
    for project, expected in ((big, "over the memory budget"), (bomb, "more than the")):
        output = tmp_path / "out.bps"
        output.write_bytes(SENTINEL)
        result = _run(["train", str(project), "-o", str(output), "-q"], limit=limit)
        _assert_refused_in_one_line(result.returncode, result.stderr, project.name, project.name)
        assert expected in result.stderr and output.read_bytes() == SENTINEL
        assert int(result.stdout.split()[-1]) * 1024 < limit
