"""What the diagnostic commands (`lr-find`, `gradcheck`) start from: a project's network and prepared data.

The network holds the project's trained weights when it has them, else its initial weights (from the spec's
seed), and says which. Every failure to get there (no such file, bad project, data that won't load, a network
over the memory budget) is one line with exit code 2: for these commands 1 means "the check found a problem"
(gradcheck: a wrong gradient), so trouble running the check must read differently, as `diff` and `cmp` do.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from core.cli.errors import EXIT_USAGE, CliError


@dataclass
class DiagnosticInputs:
    name: str  # the project file's name, for messages
    network: Any  # core.network.Network
    data: Any  # core.data.PreparedData
    weights: str  # "trained" or "initial"


@contextmanager
def trouble_exits_2() -> Iterator[None]:
    """Re-raise any CliError (and the diagnostics' own ValueErrors) with exit code 2."""
    try:
        yield
    except CliError as error:
        raise CliError(str(error), EXIT_USAGE) from error
    except ValueError as error:  # e.g. LrFinderError, or check_gradients' refusal of an argument
        raise CliError(str(error), EXIT_USAGE) from error


def add_project_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", help="the project file (.bps), or the name of an example project")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="settings",
                        help="change one setting for this check only, by its spec path, e.g. --set "
                             "training.optimizer.name=sgd (repeatable; the project file is not changed)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text (see the description)")


def open_inputs(args: argparse.Namespace) -> DiagnosticInputs:
    """The project's network (trained weights if any) and prepared data; CliError (exit 2) when they fail."""
    from core.cli.project_session import open_project, user_errors
    from core.cli.train_command import setting_changes
    from core.network.memory import check_network_memory, training_rows
    session = open_project(args.project, setting_changes(args.settings))
    prepared = session.prepared()
    with user_errors(f"{session.path.name}: "):
        check_network_memory(session.spec, training_rows(session.spec, len(prepared.x_train)))
    network = session.network(use_weights=session.trained)
    return DiagnosticInputs(session.path.name, network, prepared, "trained" if session.trained else "initial")
