"""Opening a project for a headless command: the file, its prepared data and its network with trained weights.

Every engine error (bad project file, missing data file, invalid spec, weights that don't fit) becomes a
`CliError` with the engine's own message, so commands never show a traceback for a user mistake.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from core.cli.errors import EXIT_USAGE, CliError
from core.cli.resources import resolve_project


@contextmanager
def user_errors(prefix: str = "") -> Iterator[None]:
    """Turn the engine's user-facing errors into CliError."""
    from core.data import DataError
    from core.export import ExportError
    from core.memory_budget import MemoryBudgetError
    from core.network import NetworkError
    from core.project import ProjectError
    from core.spec import SpecError
    try:
        yield
    except (ProjectError, DataError, SpecError, ExportError, NetworkError, MemoryBudgetError) as error:
        raise CliError(f"{prefix}{error}") from error
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise CliError(f"{prefix}{where}{error.strerror or error}") from error


@dataclass
class ProjectSession:
    path: Path
    project: Any  # core.project.Project
    spec: dict[str, Any]

    @property
    def trained(self) -> bool:
        return self.project.weights is not None

    def prepared(self) -> Any:
        from core.project_parts import prepare_from_config
        with user_errors(f"{self.path.name}: can't load its data: "):
            prepared = prepare_from_config(self.project.data_config, self.spec)
        saved_hash = self.project.data_hash
        if saved_hash and prepared.dataset_hash != saved_hash:
            print(f"warning: {self.path.name}: the data set changed since the project was saved "
                  f"(content hash differs)", file=sys.stderr)
        return prepared

    def network(self, use_weights: bool = True) -> Any:
        from core.project_parts import network_with_weights
        with user_errors(f"{self.path.name}: "):
            return network_with_weights(self.spec, self.project.weights if use_weights else None)


def open_project(name_or_path: str, changes: Mapping[str, Any] | None = None,
                 option_names: Mapping[str, str] | None = None) -> ProjectSession:
    """Load a project (or an example by name) with command-line changes {spec path: value} applied to its spec
    (validated once). A refused change is a usage error naming its option (`option_names[path]`, else --set)."""
    from core.project import load_project
    from core.spec import SpecError, with_changes
    path = resolve_project(name_or_path)
    with user_errors():
        project = load_project(path)
    for warning in project.warnings:  # e.g. weights that don't fit: the project is used untrained
        print(f"warning: {warning}", file=sys.stderr)
    spec = project.spec  # immutable: with_changes makes a new one
    if changes:
        try:
            spec = with_changes(spec, changes)
        except SpecError as error:
            text, where = str(error), error.where
            text = text[len(where) + 2:] if where and text.startswith(f"{where}: ") else text
            option = (option_names or {}).get(where) or (f"--set {where}" if where else "--set")
            raise CliError(f"{option}: {text}", EXIT_USAGE) from error
    return ProjectSession(path, project, spec)
