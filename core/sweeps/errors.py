"""The one error type of sweeps: a message a user can act on, naming the parameter or the study."""


class SweepError(ValueError):
    """A search space, plan or storage that can't be used (bad --param, unknown study, unreachable storage)."""
