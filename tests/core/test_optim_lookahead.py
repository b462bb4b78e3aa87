"""Lookahead against a hand-written reference (PyTorch has none): slow weights pulled every k steps."""

from __future__ import annotations

import numpy as np

from core.optimizers import SGD, Adam, Lookahead
from tests.core.test_optim_problem import dataset, initial_params, loss_and_grad


def test_lookahead_matches_a_hand_written_reference() -> None:
    x, labels = dataset()
    params = initial_params()
    lookahead = Lookahead(Adam(params, lr=0.05), k=3, alpha=0.4)
    # reference: plain Adam on a second buffer, with the slow weights kept by hand
    reference = initial_params()
    fast = Adam(reference, lr=0.05)
    slow = reference.copy()
    for step in range(1, 11):
        lookahead.step(loss_and_grad(params, x, labels)[1])
        fast.step(loss_and_grad(reference, x, labels)[1])
        if step % 3 == 0:
            slow += 0.4 * (reference - slow)
            reference[...] = slow
        np.testing.assert_allclose(params, reference, rtol=0, atol=1e-12)
    np.testing.assert_allclose(lookahead.slow, slow, rtol=0, atol=1e-12)


def test_sync_by_hand_with_sgd() -> None:
    params = np.array([1.0])
    lookahead = Lookahead(SGD(params, lr=0.1), k=2, alpha=0.5)
    lookahead.step(np.array([1.0]))  # fast 0.9
    np.testing.assert_allclose(params, [0.9])
    lookahead.step(np.array([1.0]))  # fast 0.8, then slow = 1 + 0.5·(0.8 − 1) = 0.9 and fast = slow
    np.testing.assert_allclose(params, [0.9])
    np.testing.assert_allclose(lookahead.slow, [0.9])


def test_live_settings_reach_the_inner_optimizer() -> None:
    params = np.array([1.0])
    lookahead = Lookahead(SGD(params, lr=0.1), k=5)
    lookahead.hyper["lr"] = 0.5
    lookahead.step(np.array([1.0]))
    np.testing.assert_allclose(params, [0.5])
