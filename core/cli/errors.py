"""`CliError`: a user mistake or a failed command, reported as one line on stderr with an exit code.

The exit codes, the same for every command (listed in `backprop-studio --help`):
- 0: the command did its job (`doctor` exits 0 whether or not it found problems);
- 1 (`EXIT_FAILURE`): the command ran on good input and its answer is "no": `gradcheck` found a layer whose
  gradient is wrong, or `train`'s run diverged (nothing saved);
- 2 (`EXIT_USAGE`, argparse's own): the input is bad: an unknown option or value, a missing, unreadable or
  damaged project or data file, an untrained project where weights are needed, a path that can't be written, a
  network over the memory budget;
- 130: interrupted (Ctrl+C).
A CliError is a bad input unless it says otherwise, so a new refusal can't end up with another command's code.
"""

from __future__ import annotations

EXIT_FAILURE = 1  # the command ran on good input; its answer is a failure (a wrong gradient, a diverged run)
EXIT_USAGE = 2  # bad input: the command line, a file, or a project that can't be used (argparse uses 2 too)
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report SIGINT
EXIT_CODES_HELP = ("exit codes (every command):\n"
                   "  0    done (doctor: whether or not it found problems)\n"
                   "  1    the command ran and failed: gradcheck found a wrong gradient, or train's run diverged\n"
                   "  2    bad input: an option, a missing or damaged project or data file, an untrained project\n"
                   "       where weights are needed, an unwritable path, a network over the memory budget\n"
                   "  130  interrupted")


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = EXIT_USAGE):
        super().__init__(message)
        self.exit_code = exit_code
