"""The Trainer's step equals a hand-written loop of the documented order:
data loss and gradient → L1/L2 → clipping → optimizer step → decoupled weight decay, with seeded shuffling.

Equal up to round-off, not bit for bit: the Trainer takes the fused kernel where it can, the hand-written loop the
BLAS path, and the two may round differently (the fused kernel's docstring says so; under OPENBLAS_CORETYPE=
Sandybridge or NUMBA_CPU_NAME=generic they do). A step in the wrong order is far larger than round-off: swapping
clipping and L2, or dropping the decoupled decay, moves some weight by ~0.1 after these 12 steps (round-off:
1.2e-7 under Sandybridge)."""

import numpy as np

from core.clipping import clip_gradients
from core.data import playground, prepare
from core.network import Network
from core.optimizers import make_optimizer
from core.regularizers import apply_decoupled_weight_decay, regularization_loss_and_grad
from core.spec import default_spec
from core.training import Trainer
from core.training.rng_streams import training_streams


def test_trainer_matches_the_documented_loop():
    data = prepare(playground("gaussians", num_points=90, noise=0.2, seed=5), val_fraction=0.2)
    spec = default_spec(2, 2, hidden=(5,), activation="relu").to_json()
    spec["training"].update(epochs=2, batch_size=16, l1=0.001, l2=0.01, decoupled_weight_decay=0.1, seed=4,
                            optimizer={"name": "adam", "lr": 0.05}, clipping={"mode": "norm", "value": 0.5})
    trained = Network.from_spec(spec)
    trainer = Trainer(trained, data, report_every=0)
    losses = []
    for snap in trainer.run():
        if snap.kind == "epoch":
            losses.append(snap.train_loss)

    net = Network.from_spec(spec)
    t = net.spec["training"]
    optimizer = make_optimizer(t, net.params)
    mask = net.weight_mask.astype(bool)
    shuffle = training_streams(t["seed"])["shuffle"]
    x, y = data.x_train, data.y_train
    expected_losses = []
    for _ in range(2):
        order = shuffle.permutation(len(x))
        total = 0.0
        for start in range(0, len(x), 16):
            rows = order[start:start + 16]
            loss = net.loss_and_grad(x[rows], y[rows])
            loss += regularization_loss_and_grad(net.params, net.grads, mask, t["l1"], t["l2"])
            clip_gradients(net.grads, "norm", 0.5, params=net.params)
            optimizer.step(net.grads)
            apply_decoupled_weight_decay(net.params, mask, 0.05, 0.1)
            total += loss * len(rows)
        expected_losses.append(total / len(x))
    # float32 round-off after 12 Adam steps: ~1e-7; a wrong order moves a weight by ~0.1 (see the docstring).
    np.testing.assert_allclose(trained.params, net.params, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-5)
