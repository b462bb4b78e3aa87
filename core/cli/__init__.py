"""The headless commands: `backprop-studio train | predict | export | examples` (see `core.cli.main`)."""

from core.cli.errors import CliError
from core.cli.main import COMMANDS, build_parser, main, run_cli

__all__ = ["COMMANDS", "CliError", "build_parser", "main", "run_cli"]
