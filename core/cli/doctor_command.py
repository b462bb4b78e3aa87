"""`backprop-studio doctor PROJECT`: name what goes wrong in a project's training, and print it: one paragraph per
finding, or with --json one object per line. Exit 0 whether or not problems were found.

A trained project's saved history is read instead of training again (`core.diagnostics.saved_history`); the
problems it can't show (those that need the activation probe, or per-layer gradients an older history lacks) are
named on stderr as not checked. `--retrain` or `--epochs N` trains from fresh initial weights, watched by the
doctor, as an untrained project always is. Which of the two it did is said on stderr (stdout stays the findings).
"""

from __future__ import annotations

import argparse
import json
import sys

from core.cli.errors import EXIT_INTERRUPTED, EXIT_USAGE, CliError
from core.cli.project_session import open_project, user_errors


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "doctor", help="name what goes wrong in a project's training (learning rate, gradients, units, overfitting)",
        description="Print each problem the training doctor finds in PROJECT (a .bps file, or an example name), "
                    "with its evidence and the cures to try (as --set changes). A trained project's saved history "
                    "is read, without training (saturation, dead ReLUs and vanishing gradients need a live run: "
                    "they are named on stderr as not checked); an untrained project, --retrain or --epochs trains "
                    "it from fresh initial weights with its settings, watched by the doctor. Stderr says which. "
                    "Nothing is saved.")
    parser.add_argument("project", help="the project file (.bps), or the name of an example project")
    parser.add_argument("--epochs", type=int, help="train this many epochs instead of the project's setting "
                                                   "(implies --retrain)")
    parser.add_argument("--retrain", action="store_true", help="train again even when the project has a saved "
                                                               "history, so every detector runs")
    parser.add_argument("--json", action="store_true", help="one JSON object per finding and line: problem, "
                                                            "epoch, layer, evidence, cures")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.epochs is not None and args.epochs < 1:
        raise CliError(f"--epochs must be at least 1, got {args.epochs}", EXIT_USAGE)
    changes = {"training.epochs": args.epochs} if args.epochs is not None else None
    session = open_project(args.project, changes, {"training.epochs": "--epochs"})
    diagnosis = None
    if not args.retrain and args.epochs is None and session.project.history:
        diagnosis = _from_history(session)
    if diagnosis is not None:
        findings, summary = diagnosis.findings, f"in the saved {diagnosis.epochs} epochs"
    else:
        findings, summary = _from_training(session)
    if args.json:
        for finding in findings:
            print(json.dumps(finding.as_json_dict()))
        return 0
    name = session.path.stem
    if not findings:
        print(f"{name}: no problem found {summary}.")
    for finding in findings:
        where = f", {finding.layer}" if finding.layer else ""
        print(f"{finding.problem} (epoch {finding.epoch}{where}): {finding.message}")
        print("  evidence: " + ", ".join(f"{key} = {value:.4g}" for key, value in finding.evidence.items()))
        for cure in finding.cures:
            sets = " ".join(f"--set {path}={json.dumps(value)}" for path, value in cure.changes.items())
            print(f"  cure: {cure.label}  ({sets})")
    return 0


def _from_history(session):
    """The doctor over the saved history (None when it holds no usable record); says so on stderr."""
    from core.diagnostics.saved_history import diagnose_history
    with user_errors(f"{session.path.name}: "):
        names = session.network(use_weights=False).layer_names
        diagnosis = diagnose_history(session.spec, session.project.history, names)
    if diagnosis is None:
        return None
    print(f"doctor: read the saved history of {session.path.name} ({diagnosis.epochs} epochs), no training; "
          f"use --retrain to train again with every detector", file=sys.stderr)
    reasons: dict[str, list[str]] = {}
    for problem, reason in diagnosis.skipped.items():
        reasons.setdefault(reason, []).append(problem)
    for reason, problems in reasons.items():
        print(f"doctor: not checked: {', '.join(problems)} ({reason})", file=sys.stderr)
    return diagnosis


def _from_training(session):
    """Train from fresh initial weights watched by the doctor: (findings, what the summary line says)."""
    from core.diagnostics import diagnose
    prepared = session.prepared()
    network = session.network(use_weights=False)
    print(f"doctor: training {session.path.name} from fresh initial weights "
          f"({session.spec['training']['epochs']} epochs)", file=sys.stderr)
    try:
        with user_errors(f"{session.path.name}: "):
            findings, last = diagnose(network, prepared)
    except KeyboardInterrupt:
        raise CliError("interrupted", EXIT_INTERRUPTED) from None
    return findings, f"in {last.epoch} epochs ({last.stop_reason})"
