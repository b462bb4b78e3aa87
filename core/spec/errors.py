"""The one error type for an invalid spec: its message names the layer or field, the bad value and what is allowed."""


class SpecError(ValueError):
    """A network or training spec that cannot be used, with a message a user can act on.

    `where` is the path of the offending field, e.g. "layers[2].units" or "training.optimizer.lr".
    """

    def __init__(self, message: str, where: str = ""):
        super().__init__(message)
        self.where = where
