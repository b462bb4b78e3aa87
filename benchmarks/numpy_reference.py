"""A plain NumPy training loop (no Numba): the straightforward way one would write it, for comparison. The update
is the workload's optimizer: Adam, SGD with momentum or RMSprop (torch.optim's arithmetic)."""

from __future__ import annotations

import numpy as np

from benchmarks.workloads import Workload


class NumpyMLP:
    def __init__(self, work: Workload, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.work = work
        self.weights = []
        self.biases = []
        for fan_in, fan_out in zip(work.sizes[:-1], work.sizes[1:]):
            bound = np.sqrt(6.0 / fan_in)
            self.weights.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
            self.biases.append(np.zeros(fan_out, np.float32))
        self.params = self.weights + self.biases
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0
        self.rng = rng

    def _activate(self, z):
        return np.tanh(z) if self.work.activation == "tanh" else np.maximum(z, 0)

    def _activation_grad(self, a, g):
        return g * (1 - a * a) if self.work.activation == "tanh" else g * (a > 0)

    def train_epoch(self) -> None:
        work = self.work
        order = self.rng.permutation(work.num_samples)
        for start in range(0, work.num_samples, work.batch_size):
            idx = order[start:start + work.batch_size]
            x, y = work.x[idx], work.y[idx]
            activations, masks = [x], []
            for i, (w, b) in enumerate(zip(self.weights, self.biases)):
                z = activations[-1] @ w + b
                if i < len(self.weights) - 1:
                    a = self._activate(z)
                    if work.dropout:
                        mask = (self.rng.random(a.shape, dtype=np.float32) >= work.dropout) / (1 - work.dropout)
                        a = a * mask
                        masks.append(mask)
                    activations.append(a)
                else:
                    z = z - z.max(axis=1, keepdims=True)
                    p = np.exp(z)
                    p /= p.sum(axis=1, keepdims=True)
            g = p
            g[np.arange(len(y)), y] -= 1
            g /= len(y)
            grads_w, grads_b = [None] * len(self.weights), [None] * len(self.weights)
            for i in range(len(self.weights) - 1, -1, -1):
                grads_w[i] = activations[i].T @ g
                grads_b[i] = g.sum(axis=0)
                if i:
                    g = g @ self.weights[i].T
                    if work.dropout:
                        g = g * masks[i - 1]
                    g = self._activation_grad(activations[i], g)
            getattr(self, "_" + work.optimizer["name"])(grads_w + grads_b)

    def _momentum(self, grads):
        lr, mu = self.work.optimizer["lr"], self.work.optimizer["momentum"]
        for p, g, buf in zip(self.params, grads, self.m):
            buf *= mu
            buf += g
            p -= lr * buf

    def _rmsprop(self, grads, alpha=0.99, eps=1e-8):
        lr = self.work.optimizer["lr"]
        for p, g, v in zip(self.params, grads, self.v):
            v *= alpha
            v += (1 - alpha) * g * g
            p -= lr * g / (np.sqrt(v) + eps)

    def _adam(self, grads, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        self.t += 1
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= lr * (m / c1) / (np.sqrt(v / c2) + eps)
