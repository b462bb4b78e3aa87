"""`backprop-studio sweep PROJECT --param PATH=SPEC ...` and `sweep-worker PROJECT --storage URL --study NAME`:
hyper-parameter sweeps with Optuna, headless.

`sweep` creates (or continues: same study name) a study and runs it to --trials trials on --workers local
processes (default: one per core) or a Dask cluster (--dask ADDRESS), showing a progress bar over the trials,
then prints the best trial. With --json it prints, on stdout, one JSON object per trial as it ends, exactly
`{"number": int, "params": {path: value}, "value": float | null, "state": "complete" | "pruned" | "failed",
"run_id": int | null, "seconds": float | null}`, then `{"best": {path: value} | null, "value": float | null}`.

`sweep-worker` joins an existing study from any machine that reaches its storage (a PostgreSQL or MySQL URL):
Optuna's many-workers pattern. It prints the same lines as `sweep`.

Exit codes (core.cli.errors): 0 done, 1 no trial completed (all pruned or failed), 2 bad input (a bad --param,
an unknown study, a storage that can't be opened), 130 interrupted (finished trials are kept; run the same
command again to continue).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from contextlib import contextmanager
from typing import Any, Iterator

from core.cli.errors import EXIT_FAILURE, EXIT_INTERRUPTED, CliError

PARAM_HELP = ("a setting to search, by its spec path, with its range: PATH=log:A:B (log scale), PATH=lin:A:B, "
              "PATH=int:A:B or PATH=choice:a,b,c; e.g. --param training.optimizer.lr=log:1e-4:1 --param "
              "layers[*].dropout=lin:0:0.5 (one value for every hidden layer) --param training.optimizer.name="
              "choice:adam,sgd (repeatable). The grid sampler tries every choice, every whole number of an int "
              "range of at most 10, and 5 points of any other range")


def add_parsers(commands: argparse._SubParsersAction) -> None:
    sweep = commands.add_parser(
        "sweep", help="search hyper-parameters with Optuna (grid, random or TPE), trials in parallel",
        description="Train PROJECT's network once per trial, each trial with other values of the --param settings "
                    "chosen by the sampler, hopeless trials pruned, and print the best. The study is kept in "
                    "--storage (default: a journal file beside the project); the same study name continues it. "
                    "Each trial is also a run in the project's run store. With --json: one JSON object per trial "
                    '{"number", "params", "value", "state", "run_id", "seconds"}, then {"best": {...}, "value"}.')
    sweep.add_argument("project", help="the project file (.bps), or the name of an example project")
    sweep.add_argument("--param", action="append", required=True, metavar="PATH=SPEC", dest="params",
                       help=PARAM_HELP)
    sweep.add_argument("--sampler", choices=("grid", "random", "tpe"), default="tpe",
                       help="how values are chosen: every grid point, at random, or TPE (Bayesian; default)")
    sweep.add_argument("--trials", type=int, default=20, help="trials the study should hold (default 20; a grid "
                                                             "stops at its size)")
    sweep.add_argument("--workers", type=int, default=0, help="trials run at once, each in its own process "
                                                              "(default 0: one per core)")
    sweep.add_argument("--storage", metavar="URL", help="an Optuna storage URL (postgresql://user:pass@host/db, "
                                                        "mysql://…, sqlite:///file.db) or a journal file path; "
                                                        "default: PROJECT.sweeps.journal beside the project")
    sweep.add_argument("--study", metavar="NAME", help="the study's name (default: the project's file name)")
    sweep.add_argument("--dask", metavar="ADDRESS", help="run the trials on the Dask cluster whose scheduler is at "
                                                         "ADDRESS (tcp://host:8786); the storage must be reachable "
                                                         "from its workers")
    sweep.add_argument("--objective", choices=("val_loss", "val_metric", "test"), default="val_loss",
                       help="what to optimise: validation loss (minimised; default), validation metric, or the "
                            "test-set metric (both maximised)")
    sweep.add_argument("--epochs", type=int, help="train each trial this many epochs instead of the project's")
    sweep.add_argument("--no-prune", action="store_true", help="train every trial to the end (no median pruner)")
    sweep.add_argument("--seed", type=int, default=0, help="the sampler's seed (default 0)")
    _add_output_options(sweep)
    sweep.set_defaults(run=run_sweep_command)

    worker = commands.add_parser(
        "sweep-worker", help="work on an existing sweep study (from any machine that reaches its storage)",
        description="Run trials of the study NAME in --storage (made by 'sweep'), with PROJECT as this machine "
                    "sees it: Optuna's pattern for many workers on many machines sharing one PostgreSQL or "
                    "MySQL storage. Without --trials it works until the study holds its target.")
    worker.add_argument("project", help="the project file (.bps), or the name of an example project")
    worker.add_argument("--storage", metavar="URL", required=True, help="the study's storage URL or journal file")
    worker.add_argument("--study", metavar="NAME", required=True, help="the study's name")
    worker.add_argument("--trials", type=int, help="run this many trials (default: until the study holds its "
                                                   "target)")
    _add_output_options(worker)
    worker.set_defaults(run=run_worker_command)


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of the bar and summary "
                                                            "(see the description)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar, only the best trial")


def run_sweep_command(args: argparse.Namespace) -> int:
    from core.cli.project_session import open_project
    from core.sweeps import SweepPlan, parse_param, run_sweep
    if args.epochs is not None and args.epochs < 1:
        raise CliError(f"--epochs must be at least 1, got {args.epochs}")
    session = open_project(args.project)
    with _sweep_errors():
        params = tuple(parse_param(text, session.spec) for text in args.params)
        plan = SweepPlan(session.path, params, args.sampler, args.trials, args.workers, args.storage, args.study,
                         args.objective, args.epochs, args.dask, not args.no_prune, args.seed)
        report = TrialReport(args, args.trials)
        try:
            outcome = run_sweep(plan, on_trial=report.trial)
        except KeyboardInterrupt:
            raise CliError("interrupted; the finished trials are kept: run the same command again to continue",
                           EXIT_INTERRUPTED) from None
        finally:
            report.close()
    return report.finish(outcome)


def run_worker_command(args: argparse.Namespace) -> int:
    from core.cli.project_session import open_project
    from core.sweeps.runner import run_worker
    session = open_project(args.project)  # a missing or damaged project is one line before the storage opens
    with _sweep_errors():
        report = TrialReport(args, args.trials)
        try:
            outcome = run_worker(str(session.path), args.storage, args.study, args.trials, on_trial=report.trial)
        except KeyboardInterrupt:
            raise CliError("interrupted; the finished trials are kept in the study", EXIT_INTERRUPTED) from None
        finally:
            report.close()
    return report.finish(outcome)


class TrialReport:
    """The bar (stderr) or the JSON lines (stdout) as trials end, then the best trial; the exit code."""

    def __init__(self, args: argparse.Namespace, total: int | None):
        from core.sweeps.study import STOPPED_ERROR
        self.json, self.bar, self.ended, self.stopped_error = args.json, None, set(), STOPPED_ERROR
        self.show_bar, self.total = not (args.json or args.quiet), total

    def trial(self, result: Any) -> None:
        if result.state == "running" or result.number in self.ended:
            return
        self.ended.add(result.number)
        if self.show_bar and self.bar is None:  # made at the first trial: a refused study shows no empty bar
            from tqdm import tqdm
            self.bar = tqdm(total=self.total, desc="sweep", unit="trial", file=sys.stderr, dynamic_ncols=True)
        if self.json:
            print(json.dumps({"number": result.number, "params": result.params, "value": _finite(result.value),
                              "state": result.state, "run_id": result.run_id, "seconds": result.seconds}),
                  flush=True)
        elif self.bar is not None:
            if result.error:
                self.bar.write(f"trial {result.number} failed: {result.error}", file=sys.stderr)
            if result.error != self.stopped_error:  # a stopped trial is run again: it does not count
                self.bar.update(1)
            if result.value is not None:
                self.bar.set_postfix({"last": f"{result.value:.4g}", "state": result.state}, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.show_bar, self.bar = False, None

    def finish(self, outcome: Any) -> int:
        self.close()
        if self.json:
            print(json.dumps({"best": outcome.best_params, "value": _finite(outcome.best_value)}))
        else:
            states = [trial.state for trial in outcome.trials]
            counts = ", ".join(f"{states.count(state)} {state}" for state in ("complete", "pruned", "failed")
                               if states.count(state))
            print(f"study {outcome.study_name} in {outcome.storage}: {len(states)} trials ({counts or 'none'})")
            if outcome.best_params is not None:
                values = ", ".join(f"{path}={value!r}" for path, value in outcome.best_params.items())
                print(f"best: {outcome.best_value:.6g} with {values}")
        if outcome.best_params is None:
            if not self.json:
                print("no trial completed (every one was pruned or failed)", file=sys.stderr)
            return EXIT_FAILURE
        return 0


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


@contextmanager
def _sweep_errors() -> Iterator[None]:
    """SweepError and the engine's own user-facing errors (a damaged project in a worker) as one-line CliErrors."""
    from core.cli.project_session import user_errors
    from core.sweeps import SweepError
    with user_errors():
        try:
            yield
        except SweepError as error:
            raise CliError(str(error)) from None
