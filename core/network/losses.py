"""Losses by name, built from a spec's training section: `make_loss(spec["training"])`.

A `Loss` reads the network output *as the loss sees it* — logits for the two fused losses, activations for the
regression ones — and returns (mean loss, dLoss/d(output)):

- cross_entropy: softmax fused in, targets are class indices (int, shape (n,)); mean over samples.
- binary_cross_entropy: sigmoid fused in (on logits, stable), targets 0/1 floats, (n, k) or (n,) when k = 1;
  mean over elements.
- mse, mae, huber(δ): targets floats (n, k) or (n,) when k = 1; mean over all elements, like PyTorch's 'mean'
  (MAE's gradient at zero error is 0, Huber is PyTorch's HuberLoss).

Each loss also knows its metric: accuracy for classification, R² (averaged over outputs, like scikit-learn) for
regression. Targets that cannot be used raise `NetworkError` naming the row and the problem.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.kernels import losses as k
from core.network.errors import NetworkError

_REGRESSION_CODES = {"mse": k.MSE, "mae": k.MAE, "huber": k.HUBER}
_FUSED = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}


def _first_bad_row(bad: np.ndarray) -> int:
    return int(np.flatnonzero(bad.reshape(len(bad), -1).any(axis=1))[0])


class Loss:
    """One loss function with its gradient, target checks and metric. Gradient buffers are reused between
    calls, so a returned gradient is valid until the next call."""

    def __init__(self, name: str, huber_delta: float = 1.0):
        if name not in _FUSED and name not in _REGRESSION_CODES:
            raise ValueError(f"unknown loss {name!r}; choose one of "
                             f"{', '.join([*_REGRESSION_CODES, *_FUSED])}")
        if not huber_delta > 0.0:
            raise ValueError(f"huber_delta must be > 0, got {huber_delta!r}")
        self.name = name
        self.huber_delta = float(huber_delta)
        self.fused_activation: str | None = _FUSED.get(name)
        self.is_classification = name in _FUSED
        self.metric_name = "accuracy" if self.is_classification else "r2"
        self._grads: dict[tuple, np.ndarray] = {}  # one reused gradient buffer per (shape, dtype)

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"

    # ------------------------------------------------------------------ targets
    def prepare_targets(self, y: Any, n_rows: int, n_outputs: int, dtype: np.dtype, *,
                        check: bool = True) -> np.ndarray:
        """Targets in the layout the kernels read, or NetworkError saying what is wrong and where."""
        try:
            y = np.asarray(y)
        except Exception as exc:  # ragged lists and the like
            raise NetworkError(f"targets could not be read as an array: {exc}") from None
        if y.ndim == 0 or len(y) != n_rows:
            got = "a single value" if y.ndim == 0 else f"{len(y)} rows"
            raise NetworkError(f"targets have {got} but the input has {n_rows} rows")
        if y.dtype.kind not in "biuf":
            raise NetworkError(f"targets must be numbers, got dtype {y.dtype}")
        if self.name == "cross_entropy":
            return self._class_labels(y, n_outputs, check)
        if y.ndim == 1 and n_outputs == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_outputs:
            raise NetworkError(f"targets have shape {y.shape}, the network has {n_outputs} outputs; expected "
                               f"({n_rows}, {n_outputs})" + (f" or ({n_rows},)" if n_outputs == 1 else ""))
        y = np.ascontiguousarray(y, dtype=dtype)
        if check:
            finite = np.isfinite(y)
            if not finite.all():
                row = _first_bad_row(~finite)
                raise NetworkError(f"target row {row} contains {'NaN' if np.isnan(y[row]).any() else 'inf'}")
            if self.name == "binary_cross_entropy" and ((y < 0) | (y > 1)).any():
                row = _first_bad_row((y < 0) | (y > 1))
                raise NetworkError(f"target row {row} has {y[row].tolist()}; binary cross-entropy needs "
                                     f"targets between 0 and 1")
        return y

    def _class_labels(self, y: np.ndarray, n_classes: int, check: bool) -> np.ndarray:
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise NetworkError(f"cross-entropy targets must be class indices of shape (n,), got shape {y.shape}")
        if y.dtype.kind == "f":
            if not np.isfinite(y).all() or (y != np.round(y)).any():
                row = int(np.flatnonzero(~np.isfinite(y) | (y != np.round(y)))[0])
                raise NetworkError(f"target row {row} is {y[row].item()!r}; cross-entropy targets must be whole "
                                     f"class numbers 0–{n_classes - 1}")
        labels = np.ascontiguousarray(y, dtype=np.int64)
        if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):  # checked always: kernels index
            row = int(np.flatnonzero((labels < 0) | (labels >= n_classes))[0])
            raise NetworkError(f"target row {row} is class {labels[row]}, but the network has {n_classes} "
                               f"outputs (classes 0–{n_classes - 1})")
        return labels

    # ------------------------------------------------------------------ value and gradient
    def value_and_grad(self, output: np.ndarray, y: Any, *, check: bool = True) -> tuple[float, np.ndarray]:
        """(mean loss, dLoss/d(output)). `output` is (n, k) logits (fused losses) or activations."""
        output = np.ascontiguousarray(output)
        n, m = output.shape
        y = self.prepare_targets(y, n, m, output.dtype, check=check)
        key = (output.shape, output.dtype)
        grad = self._grads.get(key)
        if grad is None:
            if len(self._grads) >= 4:  # batch size, last short batch, evaluation batches
                self._grads.clear()
            grad = self._grads[key] = np.empty_like(output)
        if self.name == "cross_entropy":
            value = k.softmax_cross_entropy(output, y, grad)
        elif self.name == "binary_cross_entropy":
            value = k.binary_cross_entropy_logits(output, y, grad)
        else:
            value = k.regression_loss(output, y, _REGRESSION_CODES[self.name], self.huber_delta, grad)
        return float(value), grad

    def value(self, output: np.ndarray, y: Any, *, check: bool = True) -> float:
        return self.value_and_grad(output, y, check=check)[0]

    # ------------------------------------------------------------------ metric
    def metric(self, output: np.ndarray, y: Any) -> float:
        """Accuracy (classification) or R² averaged over outputs (regression); higher is better for both."""
        output = np.asarray(output)
        n, m = output.shape
        y = self.prepare_targets(y, n, m, output.dtype)
        if self.name == "cross_entropy":
            return float(np.mean(np.argmax(output, axis=1) == y))
        if self.name == "binary_cross_entropy":
            return float(np.mean((output > 0) == (y >= 0.5)))
        return r2_score(y, output)


def r2_score(y: np.ndarray, prediction: np.ndarray) -> float:
    """Coefficient of determination, averaged over output columns; a constant column scores 1 if predicted
    exactly and 0 otherwise (scikit-learn's convention)."""
    y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    prediction = np.asarray(prediction, dtype=np.float64).reshape(len(y), -1)
    residual = ((y - prediction) ** 2).sum(axis=0)
    total = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    scores = np.where(total > 0, 1.0 - residual / np.where(total > 0, total, 1.0),
                      np.where(residual == 0, 1.0, 0.0))
    return float(scores.mean())


def make_loss(training: dict[str, Any]) -> Loss:
    """The loss a spec's training section asks for (`loss`, and `huber_delta` for Huber)."""
    return Loss(training.get("loss", "cross_entropy"), training.get("huber_delta", 1.0))
