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
    """Multiply every dense weight matrix (not the biases, nor batch norm's scale) by `factor`: initial weights
    `factor` times too large, as a bad initialiser would draw them."""
    def scale(network: Network) -> None:
        for name, values in network.parameters():
            if name.endswith(".weight") and ".bn." not in name:
                values *= factor
    return scale


def tiny_circles(seed: int = 4):
    """60 noisy points, half of them for validation: too few for a big net."""
    return circles(num_points=60, noise=0.3, seed=seed, val_fraction=0.5)


# problem -> (spec, data maker, epochs, initial-weights change): a small run that really shows the problem.
SCENARIOS: dict[str, tuple[dict[str, Any], Callable[[], Any], int, Callable[[Network], None] | None]] = {
    "lr_too_high": (spec_with({"training.optimizer.name": "sgd", "training.optimizer.lr": 1000.0}), circles, 8, None),
    "exploding_gradients": (spec_with({"training.optimizer.name": "sgd", "training.optimizer.lr": 0.01},
                                      hidden=(32,) * 8, activation="relu"), circles, 6, scale_weights(2.0)),
    "vanishing_gradients": (spec_with({"layers[*].init": "xavier_normal", "training.optimizer.name": "sgd",
                                       "training.optimizer.lr": 0.05}, hidden=(8,) * 8, activation="sigmoid"),
                            circles, 8, None),
    "saturation": (spec_with({"training.optimizer.name": "sgd", "training.optimizer.lr": 0.01}, hidden=(32,) * 3),
                   circles, 10, scale_weights(10.0)),
    "dead_relu": (spec_with({"layers[*].activation": "relu", "training.optimizer.name": "sgd",
                             "training.optimizer.lr": 3.0}), circles, 8, None),
    "plateau": (spec_with({"layers[*].init": "zeros"}), circles, 14, None),
    "slow_convergence": (spec_with({"training.optimizer.name": "momentum", "training.optimizer.lr": 1e-4}),
                         circles, 12, None),
    "overfitting": (spec_with({"training.batch_size": 8, "training.seed": 4}, hidden=(128, 128), activation="relu"),
                    lambda: tiny_circles(4), 80, None),
}
