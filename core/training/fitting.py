"""`fit`: build a network from a spec, train it to the end, return it with its history. For scripts."""

from __future__ import annotations

from typing import Any

from core.training.trainer import Trainer


def fit(spec: dict[str, Any], data, **trainer_kwargs: Any):
    """Train `Network.from_spec(spec)` on `data`; return (network, history). Divergence is not an error here:
    the history ends where the run stopped and the network keeps its last finite weights. The spec is
    validated once, by the Network; the Trainer takes the network's spec as it is."""
    from core.network import Network
    network = Network.from_spec(spec)
    trainer_kwargs.setdefault("report_every", 0)
    trainer = Trainer(network, data, **trainer_kwargs)
    for _ in trainer.run():
        pass
    return network, trainer.history
