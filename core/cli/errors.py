"""`CliError`: a user mistake or a failed command, reported as one line on stderr with an exit code."""

from __future__ import annotations

EXIT_FAILURE = 1  # the command ran but could not do its job (bad file, diverged run, unwritable path)
EXIT_USAGE = 2  # the command line itself is wrong (argparse uses 2 too)


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = EXIT_FAILURE):
        super().__init__(message)
        self.exit_code = exit_code
