"""`backprop-studio train PROJECT`: train headless with a progress bar and write the trained project."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from core.cli.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, CliError
from core.cli.progress import EpochProgress
from core.cli.project_session import open_project, user_errors


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train", help="train a project's network headless and save the trained project",
        description="Train the network of PROJECT (a .bps file, or an example name such as 'xor') on its data "
                    "with its training settings, showing a progress bar, and save the trained project (weights "
                    "and history). The run is reproducible: the same seed gives the same weights.")
    parser.add_argument("project", help="the project file (.bps), or the name of an example project")
    parser.add_argument("-o", "--output", help="where to save the trained project (default: overwrite PROJECT; "
                                               "required for an example)")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="settings",
                        help="change one setting for this run, named by its spec path, e.g. --set "
                             "training.optimizer.lr=0.01 or --set layers[0].units=16 (repeatable; VALUE is read "
                             "as JSON when it parses, else as text); the saved project keeps the change")
    parser.add_argument("--epochs", type=int, help="train this many epochs instead of the project's setting "
                                                   "(--set training.epochs=N)")
    parser.add_argument("--seed", type=int, help="seed for initial weights, data split, shuffling and dropout "
                                                 "(--set training.seed=N)")
    parser.add_argument("--resume", action="store_true", help="start from the project's trained weights instead "
                                                              "of fresh initial weights")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar, only the summary line")
    parser.add_argument("--no-record", action="store_true",
                        help="don't record this run in the project's run store (<project>.runs.sqlite beside the "
                             "saved project; see the 'runs' command)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.cli.resources import examples_dir
    from core.project import save_project
    from core.training import Trainer

    if args.epochs is not None and args.epochs < 1:
        raise CliError(f"--epochs must be at least 1, got {args.epochs}", EXIT_USAGE)
    changes, option_names = setting_changes(args.settings), {}
    for path, option, value in (("training.epochs", "--epochs", args.epochs), ("training.seed", "--seed", args.seed)):
        if value is not None:
            changes[path], option_names[path] = value, option
    session = open_project(args.project, changes, option_names)
    output = Path(args.output) if args.output else session.path
    if not args.output and examples_dir() in session.path.resolve().parents:
        raise CliError(f"{session.path.stem} is a bundled example; give --output PATH to save the trained copy")
    if args.resume and not session.trained:
        raise CliError(f"{session.path.name} has no trained weights to resume from; train without --resume")
    prepared = session.prepared()
    from core.network.memory import check_network_memory, training_rows
    with user_errors(f"{session.path.name}: "):  # a full batch of this data set may need more than the file said
        check_network_memory(session.spec, training_rows(session.spec, len(prepared.x_train)))
    network = session.network(use_weights=args.resume)
    with user_errors(f"{session.path.name}: "):
        trainer = Trainer(network, prepared, report_every=0, confusion=False)
    from core.cli.run_recording import CliRecording
    recording = None if args.no_record else CliRecording.start(output, session.spec, session.project.data_config,
                                                               prepared, network)
    progress = EpochProgress(trainer.epochs, quiet=args.quiet, description=session.path.stem)
    last = None
    try:
        for snapshot in trainer.run():
            progress.update(snapshot)
            last = snapshot
            if recording is not None:
                recording.record(snapshot)
    except KeyboardInterrupt:
        if recording is not None:
            recording.interrupted()
        raise CliError("interrupted; nothing was saved", EXIT_INTERRUPTED) from None
    finally:
        progress.close()
    test_score = None  # (loss, metric) on the held-out test set, measured once for the record and the summary
    if last is not None and not last.diverged and len(prepared.x_test):
        test_score = tuple(float(v) for v in network.evaluate(prepared.x_test, prepared.y_test))
    if recording is not None:
        recording.finish(last, test_score)
    if last is None or last.diverged:
        reason = last.stop_reason if last is not None else "no training step ran"
        raise CliError(f"training diverged: {reason}. Nothing was saved; try a lower learning rate or gradient "
                       f"clipping", EXIT_FAILURE)
    history = list(session.project.history) + trainer.history if args.resume else trainer.history
    extra = dict(session.project.extra)
    with user_errors():
        save_project(output, session.spec, session.project.data_config, network.get_state(), history, extra,
                     data_hash=prepared.dataset_hash)
    print(_summary(last, test_score, output))
    return 0


def setting_changes(settings: list[str]) -> dict[str, Any]:
    """{path: value} from --set PATH=VALUE options (VALUE as JSON when it parses, else as text)."""
    changes: dict[str, Any] = {}
    for setting in settings:
        path, equals, text = setting.partition("=")
        if not equals or not path.strip():
            raise CliError(f"--set {setting}: write PATH=VALUE, e.g. --set training.optimizer.lr=0.01", EXIT_USAGE)
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        changes[path.strip()] = value
    return changes


def _summary(last, test_score: tuple[float, float] | None, output: Path) -> str:
    parts = [f"trained {last.epoch} epoch{'s' if last.epoch != 1 else ''} in {last.elapsed:.1f} s "
             f"({last.stop_reason})", f"train loss {last.train_loss:.4g}"]
    name = last.metric_name
    if last.val_metric is not None:
        parts.append(f"validation {name} {last.val_metric:.4f}")
    if test_score is not None:
        parts.append(f"test {name} {test_score[1]:.4f}")
    return "; ".join(parts) + f". Saved {output}"

