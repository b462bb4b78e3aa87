"""`ScrubError`: a run that can't be scrubbed (its data changed, a checkpoint doesn't fit); the message is one line."""

from __future__ import annotations


class ScrubError(ValueError):
    """One line naming the run (and the checkpoint or the data) and what is wrong."""
