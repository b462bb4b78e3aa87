"""Where the packaged resources live (icons, example projects, the desktop entry), and finding examples by name.

`resources/` sits beside the `core` and `studio` packages: in a source tree, in site-packages after
`pip install .`, and in a PyInstaller bundle alike.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from core.cli.errors import CliError


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)  # a frozen (PyInstaller) app
    if bundle and (Path(bundle) / "resources").is_dir():
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def examples_dir() -> Path:
    return resources_dir() / "examples"


def example_paths() -> dict[str, Path]:
    """Example projects by name (file stem), sorted."""
    folder = examples_dir()
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.bps"))}


def resolve_project(name_or_path: str | os.PathLike[str]) -> Path:
    """A project file path; a bare example name (e.g. "xor") means that example when no such file exists."""
    path = Path(name_or_path)
    if path.exists():
        return path
    examples = example_paths()
    if str(name_or_path) in examples:
        return examples[str(name_or_path)]
    hint = f" (examples: {', '.join(examples)})" if examples and os.sep not in str(name_or_path) else ""
    raise CliError(f"{path}: no such project file{hint}")
