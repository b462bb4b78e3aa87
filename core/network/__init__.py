"""A feed-forward network built from a spec, with all parameters in one flat buffer (see `Network`)."""

from core.network.errors import NetworkError
from core.network.network import Network

__all__ = ["Network", "NetworkError"]
