"""How the hidden units behave: a forward pass in evaluation mode over a fixed sample of training rows.

It measures, per hidden layer, what the gradient figures cannot tell apart:
- saturation: the share of tanh/sigmoid outputs in the flat tails (|tanh| > 0.99, sigmoid < 0.01 or > 0.99,
  i.e. pre-activations beyond about ±2.6 and ±4.6), where the derivative is below 2 %;
- dead ReLUs: the share of ReLU units whose output is 0 for every probe row.

The probe runs once per epoch on at most `MAX_ROWS` rows (a fixed, seeded choice), so it costs a fraction of
one epoch and leaves the training path untouched. Residual layers are skipped (their output adds the input, so
the activation can't be read from it); their shares are nan.
"""

from __future__ import annotations

import numpy as np

MAX_ROWS = 256
TANH_TAIL = 0.99
SIGMOID_TAIL = 0.01


class ActivationProbe:
    def __init__(self, network, x_train: np.ndarray, seed: int = 0):
        self.network = network
        rows = np.asarray(x_train)
        if len(rows) > MAX_ROWS:
            rows = rows[np.sort(np.random.default_rng(seed).choice(len(rows), MAX_ROWS, replace=False))]
        self.rows = rows
        hidden = network.spec["layers"][:-1]
        self.kinds = [None if layer["residual"] else layer["activation"] for layer in hidden]

    def measure(self) -> tuple[np.ndarray, np.ndarray]:
        """(saturation share, dead share) per hidden layer; nan where the measure doesn't apply."""
        saturation = np.full(len(self.kinds), np.nan)
        dead = np.full(len(self.kinds), np.nan)
        if not len(self.rows) or not any(self.kinds):
            return saturation, dead
        maps = self.network.layer_activations(self.rows)
        for i, (kind, values) in enumerate(zip(self.kinds, maps)):
            if kind == "tanh":
                saturation[i] = float(np.mean(np.abs(values) > TANH_TAIL))
            elif kind == "sigmoid":
                saturation[i] = float(np.mean((values < SIGMOID_TAIL) | (values > 1.0 - SIGMOID_TAIL)))
            elif kind == "relu":
                dead[i] = float(np.mean(np.all(values <= 0.0, axis=0)))
        return saturation, dead
