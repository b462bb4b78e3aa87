"""`backprop-studio race PROJECT --optimizers adam sgd momentum rmsprop [--epochs N] [--json]`: the optimizer race,
headless.

Every optimizer trains PROJECT's network from the same initial weights, data order, dropout masks and seed
(`core.race`), and the ranking table is printed (loss at the last common epoch, epochs to the worst racer's final
loss, best validation loss, each racer's own training time). With --json: one JSON array holding one object per
optimizer, best first, exactly `{"optimizer": str, "final_loss": float | null, "best_val_loss": float | null,
"epochs": int, "seconds": float}` (null: no epoch completed, or no validation set). The project file is never
changed; each racer is recorded as a run of kind "race", named by its optimizer, in the project's run store
(`<project>.runs.sqlite`, core.runs.store_file), unless --no-record.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any

from core.cli.errors import EXIT_INTERRUPTED, EXIT_USAGE, CliError

OPTIMIZER_HELP = ("optimizers to race, 2 to 8, each a catalogue name with its catalogue defaults (learning rate "
                  "included), optionally with settings: NAME or NAME:FIELD=VALUE[,FIELD=VALUE], e.g. adam "
                  "adam:lr=0.01 sgd momentum rmsprop. 'momentum' is the catalogue's own 'SGD with momentum' "
                  "(momentum 0.9, learning rate 0.01); 'sgd' is plain SGD (momentum 0); 'nesterov' is Nesterov "
                  "accelerated gradient")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "race", help="race optimizers from the same start and rank them",
        description="Train PROJECT's network once per optimizer, every racer from the same initial weights, data "
                    "order, dropout masks and seed, and print the ranking: training loss at the last epoch all "
                    "reached, epochs to reach the worst racer's final loss, best validation loss, and each "
                    "racer's own training time. The project file is not changed; each racer is recorded as a run in the "
                    "project's run store (unless --no-record). With --json, one array of objects, best "
                    'first: {"optimizer", "final_loss", "best_val_loss", "epochs", "seconds"}.')
    parser.add_argument("project", help="the project file (.bps), or the name of an example project")
    add_race_arguments(parser, required=True)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table (see the description)")
    parser.add_argument("--no-record", action="store_true",
                        help="don't record the racers in the project's run store (<project>.runs.sqlite beside the "
                             "project; each racer is a run of kind race, named by its optimizer; see the 'runs' "
                             "command)")
    parser.set_defaults(run=run)


def add_race_arguments(parser: argparse.ArgumentParser, *, required: bool, option: str = "--optimizers") -> None:
    parser.add_argument(option, nargs="+", required=required, metavar="OPTIMIZER", dest="optimizers",
                        help=OPTIMIZER_HELP)
    parser.add_argument("--epochs", type=int, help="train this many epochs instead of the project's setting")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="settings",
                        help="change one setting of the shared start for this race only, by its spec path, e.g. "
                             "--set training.seed=3 (repeatable; the project file is not changed)")


def run(args: argparse.Namespace) -> int:
    from core.race import rank_racers
    outcome = run_race(args, record=not args.no_record)
    rows = rank_racers(outcome.results)
    if args.json:
        print(json.dumps([{"optimizer": row.name, "final_loss": row.final_loss, "best_val_loss": row.best_val_loss,
                           "epochs": row.epochs, "seconds": row.seconds} for row in rows], allow_nan=False))
        return 0
    print(f"{outcome.name}: {len(rows)} optimizers from one start (seed {outcome.seed}, {outcome.path} path)")
    print(_table(rows))
    return 0


@dataclass
class RaceOutcome:
    name: str  # the project file's name, for messages
    race: Any  # core.race.OptimizerRace, run to its end
    prepared: Any  # core.data.PreparedData

    @property
    def seed(self) -> int:
        return int(self.race.spec["training"]["seed"])

    @property
    def results(self):
        return self.race.results

    @property
    def path(self) -> str:
        return self.race.path


def run_race(args: argparse.Namespace, *, record: bool = False) -> RaceOutcome:
    """Open the project, race `args.optimizers` on its data and return the finished race; with `record`, each
    racer is a run (kind "race") in the project's run store (`--no-record` opts out)."""
    from core.cli.project_session import open_project, user_errors
    from core.cli.train_command import setting_changes
    from core.network.memory import check_network_memory, training_rows
    from core.race import OptimizerRace, RaceError
    if args.epochs is not None and args.epochs < 1:
        raise CliError(f"--epochs must be at least 1, got {args.epochs}", EXIT_USAGE)
    setups = racer_setups(args.optimizers)
    session = open_project(args.project, setting_changes(args.settings))
    prepared = session.prepared()
    with user_errors(f"{session.path.name}: "):
        check_network_memory(session.spec, training_rows(session.spec, len(prepared.x_train)))
        try:
            race = OptimizerRace(session.spec, prepared, setups, epochs=args.epochs)
        except RaceError as error:
            raise CliError(f"--optimizers: {error}", EXIT_USAGE) from error
        recording = _start_recording(race, session, prepared) if record else None
        try:
            for update in race.run():
                if recording is not None:
                    recording.record(update)
        except KeyboardInterrupt:
            if recording is not None:
                recording.interrupted()
            raise CliError("interrupted", EXIT_INTERRUPTED) from None
        if recording is not None:
            _warn(recording.finish(prepared))
    return RaceOutcome(session.path.name, race, prepared)


def _start_recording(race: Any, session: Any, prepared: Any):
    """The race's record in the project's store, opened before any time is spent (one error line naming
    --no-record when the store can't be used)."""
    from core.race.recording import RaceRecording
    from core.runs import RunStoreError, store_path_for
    try:
        return RaceRecording.start(race, store_path_for(session.path), session.project.data_config,
                                   prepared.dataset_hash)
    except RunStoreError as error:
        raise CliError(f"{error} (or race with --no-record)") from None


def _warn(problem: str | None) -> None:
    if problem:
        print(f"warning: {problem}", file=sys.stderr)


def racer_setups(texts: list[str]):
    """RacerSetups from NAME or NAME:FIELD=VALUE[,FIELD=VALUE] (VALUE as JSON when it parses, else text)."""
    from core.race import RacerSetup
    setups = []
    for text in texts:
        name, colon, settings = text.partition(":")
        changes: dict[str, Any] = {"training.optimizer.name": name.strip()}
        for setting in filter(None, settings.split(",")) if colon else ():
            key, equals, value = setting.partition("=")
            if not equals or not key.strip():
                raise CliError(f"--optimizers {text}: write NAME:FIELD=VALUE, e.g. adam:lr=0.01", EXIT_USAGE)
            changes[f"training.optimizer.{key.strip()}"] = _value(value)
        setups.append(RacerSetup(text, changes))
    return setups


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _number(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def _table(rows) -> str:
    epoch, target = rows[0].epoch, rows[0].target_loss
    header = ("rank", "optimizer", f"loss@{epoch}", f"epochs to {_number(target)}", "best val loss", "seconds",
              "epochs", "stopped")
    lines = [header] + [(str(r.rank), r.name, _number(r.loss_at_epoch), str(r.epochs_to_target or "-"),
                         _number(r.best_val_loss), f"{r.seconds:.2f}", str(r.epochs), r.stop_reason or "-")
                        for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines)
