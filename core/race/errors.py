"""`RaceError`: a race that can't start (too few racers, a change that would break the shared start)."""

from __future__ import annotations


class RaceError(ValueError):
    """One line a user can act on, naming the racer and the setting."""
