"""`python -m core.cli COMMAND ...`: the headless commands without the desktop app."""

import sys

from core.cli.main import main

sys.exit(main())
