"""L-BFGS for full-batch training: a faithful NumPy port of torch.optim.LBFGS (with or without strong Wolfe).

One `step(closure)` runs up to `max_iter` quasi-Newton iterations; the closure returns (loss, gradient) at the
CURRENT parameters. The curvature history (last `history_size` steps s and gradient changes y) persists across
steps, exactly as PyTorch keeps it in its state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from core.optimizers.base import Optimizer, register
from core.optimizers.line_search import strong_wolfe

Closure = Callable[[], tuple[float, np.ndarray]]


@register
class LBFGS(Optimizer):
    """Limited-memory BFGS. `line_search` is "strong_wolfe" or "none" (a fixed step of lr)."""

    name = "lbfgs"

    def _init_state(self) -> None:
        self.n_iter = 0  # iterations over all steps (PyTorch's state["n_iter"])
        self.func_evals = 0
        self.direction: np.ndarray | None = None
        self.step_length: float | None = None
        self.old_dirs: list[np.ndarray] = []  # y: gradient changes
        self.old_stps: list[np.ndarray] = []  # s: parameter changes
        self.ro: list[float] = []
        self.h_diag = 1.0
        self.prev_flat_grad: np.ndarray | None = None
        self.prev_loss: float | None = None

    def _evaluate(self, closure: Closure) -> tuple[float, np.ndarray]:
        loss, grads = closure()
        # copy: the closure may hand back the network's gradient buffer, which the next call overwrites
        return float(loss), np.array(grads, dtype=self.params.dtype, copy=True)

    def _direction(self, flat_grad: np.ndarray) -> np.ndarray:
        """Two-loop recursion: −H·g from the stored history, after adding the newest (s, y) pair."""
        y = flat_grad - self.prev_flat_grad
        s = self.direction * self.step_length
        ys = float(y @ s)
        if ys > 1e-10:
            if len(self.old_dirs) == int(self.hyper["history_size"]):
                self.old_dirs.pop(0)
                self.old_stps.pop(0)
                self.ro.pop(0)
            self.old_dirs.append(y)
            self.old_stps.append(s)
            self.ro.append(1.0 / ys)
            self.h_diag = ys / float(y @ y)
        al = [0.0] * len(self.old_dirs)
        q = -flat_grad
        for i in range(len(self.old_dirs) - 1, -1, -1):
            al[i] = float(self.old_stps[i] @ q) * self.ro[i]
            q -= al[i] * self.old_dirs[i]
        r = q * self.h_diag
        for i in range(len(self.old_dirs)):
            be_i = float(self.old_dirs[i] @ r) * self.ro[i]
            r += (al[i] - be_i) * self.old_stps[i]
        return r

    def step(self, closure: Closure) -> float:  # type: ignore[override]
        """Up to max_iter iterations; returns the loss at the parameters the step started from (like torch)."""
        h = self.hyper
        lr, max_iter = float(h["lr"]), int(h["max_iter"])
        max_eval = max_iter * 5 // 4  # PyTorch's default budget of function evaluations
        tolerance_grad, tolerance_change = float(h["tolerance_grad"]), float(h["tolerance_change"])
        self.steps += 1

        orig_loss, flat_grad = self._evaluate(closure)
        loss = orig_loss
        current_evals = 1
        self.func_evals += 1
        if np.abs(flat_grad).max() <= tolerance_grad:  # already optimal
            return orig_loss

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            self.n_iter += 1
            if self.n_iter == 1:
                d = -flat_grad
                self.old_dirs, self.old_stps, self.ro, self.h_diag = [], [], [], 1.0
            else:
                d = self._direction(flat_grad)
            self.prev_flat_grad = flat_grad.copy()
            self.prev_loss = loss
            # the first step ever is scaled down by the gradient's size
            t = min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr if self.n_iter == 1 else lr
            self.direction, self.step_length = d, t  # kept even when we stop here, as PyTorch keeps them
            gtd = float(flat_grad @ d)
            if gtd > -tolerance_change:  # not a descent direction
                break

            ls_func_evals = 0
            if h["line_search"] == "strong_wolfe":
                start = self.params.copy()

                def along_direction(step_length: float) -> tuple[float, np.ndarray]:
                    self.params += step_length * d
                    result = self._evaluate(closure)
                    self.params[...] = start
                    return result

                loss, flat_grad, t, ls_func_evals = strong_wolfe(along_direction, t, d, loss, flat_grad, gtd,
                                                                 max_ls=max_eval - current_evals)
                self.params += t * d
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self.params += t * d
                opt_cond = False
                if n_iter != max_iter:  # re-evaluate, unless this was the last iteration
                    loss, flat_grad = self._evaluate(closure)
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            self.step_length = t  # the line search may have changed it
            current_evals += ls_func_evals
            self.func_evals += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:  # the step no longer moves the weights
                break
            if abs(loss - self.prev_loss) < tolerance_change:
                break
        return orig_loss

    def _scalars(self) -> dict[str, Any]:
        return {"n_iter": self.n_iter, "func_evals": self.func_evals, "step_length": self.step_length,
                "h_diag": self.h_diag, "prev_loss": self.prev_loss, "ro": list(self.ro)}

    def _history_rows(self, rows: list[np.ndarray]) -> np.ndarray:
        """The curvature history as a (len, n) array; (0, n) before the first pair is stored (before the first
        step, or after steps of max_iter=1), where reshape(0, -1) cannot infer n."""
        return np.array(rows, dtype=self.params.dtype).reshape(len(rows), self.params.size)

    def state_dict(self) -> dict[str, Any]:
        d = super().state_dict()
        empty = self.params[:0].copy()
        d["state"] = {"direction": empty if self.direction is None else self.direction.copy(),
                      "prev_flat_grad": empty if self.prev_flat_grad is None else self.prev_flat_grad.copy(),
                      "old_dirs": self._history_rows(self.old_dirs),
                      "old_stps": self._history_rows(self.old_stps)}
        return d

    def load_state_dict(self, d: dict[str, Any]) -> None:
        if d["config"].get("name") != self.name:
            raise ValueError(f"optimizer lbfgs: cannot load the state of optimizer {d['config'].get('name')!r}")
        self.hyper.update({k: v for k, v in d["config"].items() if k != "name"})
        self.steps = int(d["steps"])
        s, scalars = d["state"], d["scalars"]
        self.direction = s["direction"].copy() if len(s["direction"]) else None
        self.prev_flat_grad = s["prev_flat_grad"].copy() if len(s["prev_flat_grad"]) else None
        self.old_dirs = [row.copy() for row in s["old_dirs"]]
        self.old_stps = [row.copy() for row in s["old_stps"]]
        self.ro = [float(r) for r in scalars["ro"]]
        self.n_iter, self.func_evals = int(scalars["n_iter"]), int(scalars["func_evals"])
        self.step_length, self.h_diag, self.prev_loss = scalars["step_length"], scalars["h_diag"], scalars["prev_loss"]
