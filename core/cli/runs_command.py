"""`backprop-studio runs PROJECT`: list the project's recorded runs, or export one as CSV or TensorBoard events.

    runs PROJECT                              a table: id, name, date, status, epochs, figures, what differs
    runs PROJECT --json                       one JSON object per run and line
    runs PROJECT --against 3                  "what differs" against run 3 (default: the first run)
    runs PROJECT --export-csv 3 run3.csv      run 3's epochs as CSV
    runs PROJECT --export-tensorboard 3 tb/   run 3 as TensorBoard event files (tensorboard --logdir tb)
    runs PROJECT --rename 3 "wide net"        name run 3 (any text up to 200 characters, no line breaks)
    runs PROJECT --star 3 / --unstar 3        mark run 3 (starred runs show a * in the list)
    runs PROJECT --delete 3                   forget run 3 and everything recorded for it

The store is `<project>.runs.sqlite` beside the project (core.runs.store_file); `train` records into it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any

from core.cli.errors import CliError
from core.cli.resources import resolve_project


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "runs", help="list the runs recorded for a project, or export one (CSV, TensorBoard)",
        formatter_class=argparse.RawDescriptionHelpFormatter, description=__doc__.split("\n\n", 1)[1])
    parser.add_argument("project", help="the project file (.bps), or the name of an example project")
    parser.add_argument("--json", action="store_true", help="one JSON object per run and line: id, name, created, "
                                                            "kind, parent, status, stop_reason, epochs, final, best, "
                                                            "settings")
    parser.add_argument("--against", type=int, metavar="ID",
                        help="list the settings that differ from this run's (default: the first run)")
    parser.add_argument("--export-csv", nargs=2, metavar=("ID", "OUT"), help="write run ID's epochs to OUT as CSV")
    parser.add_argument("--export-tensorboard", nargs=2, metavar=("ID", "DIR"),
                        help="write run ID as TensorBoard event files into the folder DIR")
    parser.add_argument("--rename", nargs=2, metavar=("ID", "NAME"), help="give run ID a name")
    parser.add_argument("--star", type=int, metavar="ID", help="star run ID")
    parser.add_argument("--unstar", type=int, metavar="ID", help="unstar run ID")
    parser.add_argument("--delete", type=int, metavar="ID", help="delete run ID (its file space is given back)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.runs import RunStore, RunStoreError, store_path_for
    from core.runs.store_file import check_store_file
    project = resolve_project(args.project)
    path = store_path_for(project)
    try:
        if not check_store_file(path):
            print(f"no runs recorded for {project.name} yet ({path} does not exist)", file=sys.stderr)
            return 0
        with RunStore.open(path) as store:
            if args.export_csv or args.export_tensorboard:
                return _export(store, args)
            if _manage(store, args):
                return 0
            runs = store.list_runs()
            reference = _reference(runs, args.against)
            for summary in runs:
                print(json.dumps(run_json(summary, reference)) if args.json else _line(summary, reference))
    except RunStoreError as error:
        raise CliError(str(error)) from None
    return 0


def run_json(summary: Any, reference: Any | None) -> dict[str, Any]:
    """The --json object of one run; `settings` are the spec paths whose value differs from `reference`'s."""
    from core.spec import changed_paths
    settings = {} if reference is None else {path: new for path, (_, new) in
                                             sorted(changed_paths(reference.spec, summary.spec).items())}
    return {"id": summary.id, "name": summary.name, "created": _iso(summary.created), "kind": summary.kind,
            "parent": summary.parent, "parent_epoch": summary.parent_epoch, "status": summary.status,
            "stop_reason": summary.stop_reason, "starred": summary.starred, "epochs": summary.epochs,
            "metric": summary.metric_name, "final": _finite(summary.final), "best": _finite(summary.best),
            "settings": settings}


def _export(store: Any, args: argparse.Namespace) -> int:
    from core.runs.export import export_csv, export_tensorboard
    run_id, target = args.export_csv or args.export_tensorboard
    record = store.load_run(_run_id(run_id))
    if args.export_csv:
        rows = export_csv(record, target)
        print(f"wrote {rows} epoch{'s' if rows != 1 else ''} of run {record.id} to {target}")
    else:
        folder = export_tensorboard(record, target)
        print(f"wrote run {record.id} as TensorBoard events to {folder} (tensorboard --logdir {folder})")
    return 0


def _manage(store: Any, args: argparse.Namespace) -> bool:
    """Rename, star, unstar or delete a run when asked; True when one was asked for."""
    if args.rename:
        store.rename(_run_id(args.rename[0]), args.rename[1])
    elif args.star is not None or args.unstar is not None:
        store.star(args.star if args.star is not None else args.unstar, starred=args.star is not None)
    elif args.delete is not None:
        store.delete(args.delete)
    else:
        return False
    return True


def _run_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CliError(f"run ID must be a whole number, got {text!r}", 2) from None


def _reference(runs: list, against: int | None) -> Any | None:
    if against is None:
        return runs[0] if runs else None
    for summary in runs:
        if summary.id == against:
            return summary
    raise CliError(f"--against {against}: no such run (runs: {', '.join(str(s.id) for s in runs) or 'none'})", 2)


def _line(summary: Any, reference: Any | None) -> str:
    info = run_json(summary, reference)
    final, best = info["final"], info["best"]
    figures = " ".join(f"{name} {_figure(final[name])}" for name in ("train_loss", "val_loss", "test_loss")
                       if final[name] is not None)
    star = "*" if summary.starred else " "
    differs = ", ".join(f"{path}={json.dumps(value)}" for path, value in info["settings"].items()) or "-"
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(summary.created))
    ending = summary.stop_reason if summary.status != "running" else "running"
    return (f"{star}{summary.id:>4}  {_printable(summary.name)[:24]:<24}  {when}  {summary.kind:<5}  {ending:<16}  "
            f"{summary.epochs:>5} epochs  {figures}  best val_loss {_figure(best['val_loss'])}  differs: {differs}")


def _printable(text: str) -> str:
    """A name for a terminal: invisible and direction-changing characters (U+202E could make a line read
    backwards) shown as escapes. (--json escapes every non-ASCII character anyway.)"""
    return "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in text)


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _finite(figures: dict[str, Any]) -> dict[str, Any]:
    return {name: value if value is None or not isinstance(value, float) or math.isfinite(value) else None
            for name, value in figures.items()}


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
