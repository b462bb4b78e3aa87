"""How the hidden units behave: a forward pass in evaluation mode over a fixed sample of training rows.

It measures, per hidden layer, what the gradient figures cannot tell apart:
- saturation: the share of tanh/sigmoid outputs in the flat tails (|tanh| > 0.99, sigmoid < 0.01 or > 0.99,
  i.e. pre-activations beyond about ±2.6 and ±4.6), where the derivative is below 2 %;
- dead ReLUs: the share of ReLU units whose output is 0 for every probe row.

The probe runs on the doctor's passes on at most `MAX_ROWS` rows (a fixed, seeded choice), so it costs a fraction
of one epoch and leaves the training path untouched. It is lean because it runs on the training thread: the rows
are checked and converted once, the pass goes through the hidden blocks only (the output layer tells nothing
here) and the shares are counted without float temporaries (about half the time of `Network.layer_activations`
with the means over boolean arrays, on the digits example's 64-64-10 net). Residual layers are skipped (their
output adds the input, so the activation can't be read from it); their shares are nan.
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
        # Checked and converted to the network's dtype once: the blocks take them as they are on every pass.
        self._checked = network.check_input(rows) if len(rows) else rows
        hidden = network.spec["layers"][:-1]
        self.kinds = [None if layer["residual"] else layer["activation"] for layer in hidden]
        self._rng = np.random.default_rng(seed)  # unused in evaluation mode (no dropout); blocks take one

    def measure(self) -> tuple[np.ndarray, np.ndarray]:
        """(saturation share, dead share) per hidden layer; nan where the measure doesn't apply."""
        saturation = np.full(len(self.kinds), np.nan)
        dead = np.full(len(self.kinds), np.nan)
        if not len(self.rows) or not any(self.kinds):
            return saturation, dead
        values = self._checked
        for i, (kind, block) in enumerate(zip(self.kinds, self.network.blocks)):
            values = block.forward(values, False, self._rng)  # a reused buffer of the block's
            if kind == "tanh":
                saturation[i] = _share_beyond(values, -TANH_TAIL, TANH_TAIL)
            elif kind == "sigmoid":
                saturation[i] = _share_beyond(values, SIGMOID_TAIL, 1.0 - SIGMOID_TAIL)
            elif kind == "relu":
                # A unit is dead when its largest output over the rows is not above 0 (a nan is not dead).
                dead[i] = np.count_nonzero(values.max(axis=0) <= 0.0) / values.shape[1]
        return saturation, dead


def _share_beyond(values: np.ndarray, low: float, high: float) -> float:
    """The share of values below `low` or above `high` (the two tails are disjoint)."""
    return (np.count_nonzero(values < low) + np.count_nonzero(values > high)) / values.size
