"""`backprop-studio doctor PROJECT`: train the project headless, watched by the training doctor, and print what it
found: one paragraph per finding, or with --json one object per line. Exit 0 whether or not problems were found.
"""

from __future__ import annotations

import argparse
import json

from core.cli.errors import EXIT_USAGE, CliError
from core.cli.project_session import open_project, user_errors


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "doctor", help="train a project and name what goes wrong (learning rate, gradients, units, overfitting)",
        description="Train the network of PROJECT (a .bps file, or an example name) from fresh initial weights "
                    "with its settings, watched by the training doctor, and print each problem found with its "
                    "evidence and the cures to try (as --set changes). Nothing is saved.")
    parser.add_argument("project", help="the project file (.bps), or the name of an example project")
    parser.add_argument("--epochs", type=int, help="train this many epochs instead of the project's setting")
    parser.add_argument("--json", action="store_true", help="one JSON object per finding and line: problem, "
                                                            "epoch, layer, evidence, cures")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.diagnostics import diagnose
    if args.epochs is not None and args.epochs < 1:
        raise CliError(f"--epochs must be at least 1, got {args.epochs}", EXIT_USAGE)
    changes = {"training.epochs": args.epochs} if args.epochs is not None else None
    session = open_project(args.project, changes, {"training.epochs": "--epochs"})
    prepared = session.prepared()
    network = session.network(use_weights=False)
    try:
        with user_errors(f"{session.path.name}: "):
            findings, last = diagnose(network, prepared)
    except KeyboardInterrupt:
        raise CliError("interrupted", 130) from None
    if args.json:
        for finding in findings:
            print(json.dumps(finding.as_json_dict()))
        return 0
    name = session.path.stem
    if not findings:
        print(f"{name}: no problem found in {last.epoch} epochs ({last.stop_reason}).")
    for finding in findings:
        where = f", {finding.layer}" if finding.layer else ""
        print(f"{finding.problem} (epoch {finding.epoch}{where}): {finding.message}")
        print("  evidence: " + ", ".join(f"{key} = {value:.4g}" for key, value in finding.evidence.items()))
        for cure in finding.cures:
            sets = " ".join(f"--set {path}={json.dumps(value)}" for path, value in cure.changes.items())
            print(f"  cure: {cure.label}  ({sets})")
    return 0
