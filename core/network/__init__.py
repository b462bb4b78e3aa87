"""A feed-forward network built from a spec, with all parameters in one flat buffer (see `Network`).

`Network` is imported on first use (PEP 562): it brings numba along, and core.project only needs the
numba-free `core.network.memory` to check a file's network before anything is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.network.errors import NetworkError

if TYPE_CHECKING:
    from core.network.network import Network

__all__ = ["Network", "NetworkError"]


def __getattr__(name: str) -> Any:
    if name == "Network":
        from core.network.network import Network
        return Network
    raise AttributeError(f"module 'core.network' has no attribute {name!r}")
