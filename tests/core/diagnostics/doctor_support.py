"""Shared pieces of the doctor's tests: the default project's data, specs made from the default one, and a run of
core's Trainer watched by a Doctor."""

from __future__ import annotations

from typing import Any, Callable

from core.data import playground, prepare
from core.diagnostics import diagnose
from core.network import Network
from core.spec import default_spec, with_changes


def circles(num_points: int = 400, noise: float = 0.1, seed: int = 0, val_fraction: float = 0.2):
    """The default project's data set (the studio's first start: 400 circles points, noise 0.1)."""
    return prepare(playground("circles", num_points=num_points, noise=noise, seed=seed), val_fraction=val_fraction,
                   seed=seed)


def spec_with(changes: dict[str, Any], **shape: Any) -> dict[str, Any]:
    """The default 2-8-8-2 tanh spec (or `default_spec(2, 2, **shape)`) with dotted-path changes."""
    return with_changes(default_spec(2, 2, **shape), changes)


def doctor_run(spec: dict[str, Any], data, epochs: int, before: Callable[[Network], None] | None = None):
    """Train `spec` on `data` for `epochs` with the doctor watching; {problem: Finding} and the last snapshot.
    `before(network)` may change the initial weights (it runs before training)."""
    network = Network.from_spec(spec)
    if before is not None:
        before(network)
    findings, last = diagnose(network, data, epochs=epochs)
    return {finding.problem: finding for finding in findings}, last


def scale_weights(factor: float) -> Callable[[Network], None]:
    """Multiply every weight matrix (not the biases) by `factor`: a net whose signal grows layer by layer."""
    def scale(network: Network) -> None:
        for name, values in network.parameters():
            if name.endswith(".weight"):
                values *= factor
    return scale
