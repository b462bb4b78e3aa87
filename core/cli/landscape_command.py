"""`backprop-studio landscape PROJECT [--runs ...] [--grid 41] --out slice.png|.npz`: a 2-D slice of the loss surface.

Without --runs: around the project's weights (trained, else initial), along two filter-normalised random
directions. With --runs: the named optimizers are raced from one start first (run records are not stored yet,
so --runs takes optimizer names, as `race --optimizers` does), the slice is around the first racer's final
weights or the common start, along the top two PCA directions of their weight trajectories (or random ones), and
each racer's path is projected onto it. The .png shows contours, the paths with a marker per epoch, a legend and
the directions' kind; the .npz holds the arrays (see `core.landscape.files`). Nothing else is written.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from core.cli.errors import EXIT_INTERRUPTED, EXIT_USAGE, CliError

SUFFIXES = (".png", ".npz")


def add_parser(commands: argparse._SubParsersAction) -> None:
    from core.cli.race_command import add_race_arguments
    parser = commands.add_parser(
        "landscape", help="draw a 2-D slice of the loss surface, with optimizers' paths on it",
        description="Evaluate PROJECT's training loss (on a fixed subset of up to --subset rows, inference mode) "
                    "over a GRID×GRID slice of weight space and write it as a picture (.png: contours, paths "
                    "with a marker per epoch, the directions' kind in the title) or as arrays (.npz: alpha, beta, "
                    "loss, directions_kind, centre, explained, path_names, paths, path_lengths). Without --runs the "
                    "slice is around the project's weights along filter-normalised random directions (Li et al., "
                    "2018). With --runs the optimizers are raced from one start and their paths drawn; the run "
                    "store is not merged yet, so --runs takes optimizer names (as race --optimizers).")
    parser.add_argument("project", help="the project file (.bps), or the name of an example project")
    parser.add_argument("--out", required=True, help="where to write the slice: a .png picture or .npz arrays")
    add_race_arguments(parser, required=False, option="--runs")
    parser.add_argument("--grid", type=int, default=41, help="points per axis (default %(default)s, 2 to 401)")
    parser.add_argument("--directions", choices=("pca", "random"),
                        help="the slice's directions: pca (the racers' trajectories; the default with --runs) or "
                             "random (filter-normalised; the default without --runs)")
    parser.add_argument("--centre", choices=("final", "start"), default="final",
                        help="with --runs: around the first racer's final weights (default) or the racers' common "
                             "start; without --runs: the project's weights or its initial weights")
    parser.add_argument("--span", type=float, help="half-width of the grid in each direction (default: 1 for "
                                                   "random directions, the paths' reach with room for PCA)")
    parser.add_argument("--subset", type=int, default=1000, help="training rows the loss is measured on (default "
                                                                 "%(default)s, a fixed random choice)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.cli.project_session import user_errors
    from core.landscape import LandscapeError
    out = Path(args.out)
    if out.suffix.lower() not in SUFFIXES:
        raise CliError(f"--out {args.out}: write a .png picture or .npz arrays", EXIT_USAGE)
    if args.subset < 1:
        raise CliError(f"--subset must be at least 1, got {args.subset}", EXIT_USAGE)
    if args.directions == "pca" and not args.optimizers:
        raise CliError("--directions pca needs --runs: PCA directions come from the racers' trajectories",
                       EXIT_USAGE)
    started = time.perf_counter()
    inputs = _runs_inputs(args) if args.optimizers else _project_inputs(args)
    name, spec, prepared, centre, buffers, label, trajectories = inputs
    from core.landscape import PCA, RANDOM, make_slice
    kind = {"pca": PCA, "random": RANDOM, None: None}[args.directions]
    with user_errors(f"{name}: "):
        try:
            result = make_slice(spec, prepared.x_train, prepared.y_train, centre, centre_label=label,
                                buffers=buffers, trajectories=trajectories, kind=kind, grid=args.grid,
                                half_width=args.span, subset_rows=args.subset)
        except LandscapeError as error:
            raise CliError(str(error), EXIT_USAGE) from error
        except KeyboardInterrupt:
            raise CliError("interrupted; nothing was written", EXIT_INTERRUPTED) from None
        if out.suffix.lower() == ".png":
            from core.landscape.picture import save_slice_png
            try:
                save_slice_png(result, out, f"{name}: loss around {label}\ndirections: "
                                            f"{result.directions.describe()}")
            except ImportError as error:  # the desktop bundle leaves matplotlib out (packaging's EXCLUDES)
                raise CliError(f"--out {args.out}: a .png needs matplotlib, which this installation lacks "
                               f"({error.name}); write .npz arrays instead") from error
        else:
            from core.landscape.files import save_slice_npz
            save_slice_npz(result, out)
    print(f"wrote {out}: {args.grid}×{args.grid} losses around {label}, directions {result.directions.describe()}"
          f", {len(result.paths)} path{'s' if len(result.paths) != 1 else ''} "
          f"({time.perf_counter() - started:.1f} s)")
    return 0


def _project_inputs(args: argparse.Namespace):
    from core.cli.project_session import open_project
    from core.cli.train_command import setting_changes
    session = open_project(args.project, setting_changes(args.settings))
    prepared = session.prepared()
    use_weights = session.trained and args.centre == "final"
    network = session.network(use_weights=use_weights)
    label = "the trained weights" if use_weights else "the initial weights"
    return session.path.name, session.spec, prepared, network.params, network.buffers, label, {}


def _runs_inputs(args: argparse.Namespace):
    from core.cli.race_command import run_race
    outcome = run_race(args)
    race, first = outcome.race, outcome.results[0]
    if args.centre == "start":
        centre, buffers, label = race.start_state["params"], race.start_state["buffers"], "the common start"
    else:
        centre, buffers, label = first.final_params, first.final_buffers, f"{first.name}'s final weights"
    trajectories = {result.name: result.trajectory_array() for result in outcome.results}
    return outcome.name, race.spec, outcome.prepared, centre, buffers, label, trajectories
