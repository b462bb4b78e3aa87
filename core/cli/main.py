"""The command line: `backprop-studio train | predict | export | examples | doctor | lr-find | gradcheck | race |
landscape | runs | sweep | sweep-worker`, and `run_cli` for the app's entry.

`run_cli(argv)` returns an exit code when argv (without the program name) is a command, and None otherwise, so
`studio.app.main` can start the window. Errors go to stderr as one line and a non-zero exit code, the same code for
the same kind of trouble in every command (`core.cli.errors`: 1 a check or run that failed, 2 bad input, 130
interrupted; listed at the end of --help); a traceback only ever means a bug. `backprop-studio-cli` (a console
script, for terminals on Windows) is `main`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from core.cli import (doctor_command, export_command, gradcheck_command, lr_find_command, predict_command,
                      train_command)
from core.cli import landscape_command, race_command, runs_command, sweep_command
from core.cli.errors import EXIT_CODES_HELP, EXIT_INTERRUPTED, EXIT_USAGE, CliError

COMMANDS = ("train", "predict", "export", "examples", "doctor", "lr-find", "gradcheck")
COMMANDS += ("race", "landscape", "runs")
COMMANDS += ("sweep", "sweep-worker")
PROGRAM = "backprop-studio"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Backprop Studio: build, train, watch and export neural networks.\n"
                    "Without a command the desktop app starts. Commands run headless:",
        epilog="app options (without a command):\n"
               "  --project PATH               open this project in the app\n"
               "  --install-desktop-entry      add Backprop Studio to your desktop's application menu (Linux)\n"
               "  --uninstall-desktop-entry    remove it again\n"
               "  --self-test                  open the window offscreen, train, export, exit 0 when all works\n"
               "  --version                    print the version\n\n"
               f"{EXIT_CODES_HELP}\n\n"
               f"Run '{PROGRAM} COMMAND --help' for a command's options.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    train_command.add_parser(commands)
    predict_command.add_parser(commands)
    export_command.add_parser(commands)
    doctor_command.add_parser(commands)
    lr_find_command.add_parser(commands)
    gradcheck_command.add_parser(commands)
    race_command.add_parser(commands)
    landscape_command.add_parser(commands)
    runs_command.add_parser(commands)
    sweep_command.add_parsers(commands)
    examples = commands.add_parser("examples", help="list the example projects",
                                   description="List the example projects; pass a name wherever a PROJECT goes.")
    examples.set_defaults(run=_list_examples)
    return parser


def _list_examples(args: argparse.Namespace) -> int:
    from core.cli.resources import example_paths
    from core.project import ProjectError, load_project
    for name, path in example_paths().items():
        try:
            description = load_project(path).extra.get("description", "")
        except ProjectError as error:
            description = f"(can't be read: {error})"
        print(f"{name:<16} {description}")
    return 0


def is_cli_command(argv: Sequence[str]) -> bool:
    """True when argv (without the program name) asks for a headless command or the command-line help."""
    return bool(argv) and (argv[0] in COMMANDS or argv[0] in ("-h", "--help"))


def run_cli(argv: Sequence[str]) -> int | None:
    """Run a command and return its exit code; None when argv is not a command (the app should start)."""
    argv = list(argv)
    if not is_cli_command(argv):
        return None
    from core.kernel_cache import configure_kernel_cache
    configure_kernel_cache()  # before any command imports numba: the kernels' disk cache must be writable
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error (2, message already printed)
        return int(exit_.code or 0)
    try:
        return int(args.run(args))
    except CliError as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    """The `backprop-studio-cli` console script: commands only (no window), help when run bare."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        build_parser().print_help()
        return EXIT_USAGE
    code = run_cli(argv)
    if code is None:
        print(f"{PROGRAM}: error: unknown command {argv[0]!r}; choose one of {', '.join(COMMANDS)} "
              f"(see --help)", file=sys.stderr)
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
