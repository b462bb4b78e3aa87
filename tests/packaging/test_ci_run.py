"""`.ci/run` runs the README's test command first, in a fresh clone, then installs torch and runs the torch
reference tests, and fails if either step fails. Checked with a stand-in `python3` on PATH (it logs what it is
asked to do and fakes the venv), in a throwaway repository whose README holds a test command of the real shape."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README_COMMAND = 'python3 -m venv .venv && .venv/bin/pip install -e ".[test,packaging]" && .venv/bin/python -m pytest'

# Logs its name and arguments; `-m venv DIR` makes DIR/bin/{python,pip} copies of itself; fails when the call
# contains $FAIL_ON.
FAKE_PYTHON = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$CALL_LOG"
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; cp "$0" "$3/bin/pip"; fi
if [ -n "${FAIL_ON:-}" ] && [[ "$*" == *"$FAIL_ON"* ]]; then exit 3; fi
exit 0
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                reason="needs git and bash")


def run_ci(tmp_path: Path, fail_on: str = "") -> tuple[int, list[str]]:
    project = tmp_path / "project"
    (project / ".ci").mkdir(parents=True)
    shutil.copy2(REPO / ".ci" / "run", project / ".ci" / "run")
    (project / "README.md").write_text(f"# Title\n\n```bash\n{README_COMMAND}\n```\n", encoding="utf-8")
    git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "."], cwd=project, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "test"], cwd=project, check=True)
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake = fake_bin / "python3"
    fake.write_text(FAKE_PYTHON, encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.log"
    env = {**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}", "CALL_LOG": str(log),
           "FAIL_ON": fail_on, "TMPDIR": str(tmp_path)}
    result = subprocess.run(["bash", str(project / ".ci" / "run")], env=env, capture_output=True, text=True,
                            timeout=120)
    return result.returncode, log.read_text(encoding="utf-8").splitlines()


def test_the_readme_command_runs_first_then_torch_and_its_tests(tmp_path):
    status, calls = run_ci(tmp_path)
    assert status == 0
    assert calls == ["python3 -m venv .venv", 'pip install -e .[test,packaging]', "python -m pytest",
                     "python -m pip install -q torch==2.13.0", "python -m pytest -m torch"]


@pytest.mark.parametrize("fail_on, last_call", [("-e .[test", "pip install -e .[test,packaging]"),
                                                ("-m pytest -m torch", "python -m pytest -m torch")])
def test_a_failure_in_either_step_fails_the_run(tmp_path, fail_on, last_call):
    status, calls = run_ci(tmp_path, fail_on)
    assert status != 0
    assert calls[-1] == "python -m pytest -m torch"  # step 2 runs even after step 1 failed
    assert last_call in calls


def test_the_real_readme_has_the_line_ci_runs():
    """.ci/run takes the first line of the README shaped like the command above; the README must have one."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    (command,) = [line for line in lines if line.startswith("python3 -m venv .venv && ") and " pytest" in line][:1]
    assert command.endswith("-m pytest") and "[test" in command
