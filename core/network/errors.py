"""The one error type for inputs a network cannot use."""


class NetworkError(ValueError):
    """Bad inputs to forward / predict / fit: wrong width, shape or dtype, non-finite values, unusable targets.

    The message names what is wrong and where, e.g. "input has 3 features, the network expects 2" or
    "input row 17 contains NaN".
    """
