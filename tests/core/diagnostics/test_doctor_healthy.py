"""Healthy runs raise nothing: the default project, each bundled example (but the one that shows vanishing
gradients on purpose) and a seeded sample of 20 reasonable configurations."""

import numpy as np
import pytest

from core.cli.resources import example_paths
from core.data import playground, prepare
from core.diagnostics import diagnose
from tests.core.diagnostics.doctor_support import circles, doctor_run, spec_with

SHOWS_A_PROBLEM = {"circles_vanishing": "vanishing_gradients"}


def test_the_default_project_is_healthy():
    found, last = doctor_run(spec_with({}), circles(), 60)
    assert found == {}
    assert last.train_loss < 0.1  # it really trained: a silent doctor on a run that learnt nothing proves nothing


@pytest.mark.parametrize("name", sorted(set(example_paths()) - set(SHOWS_A_PROBLEM)))
def test_each_example_is_healthy(name):
    from core.project import load_project
    from core.project_parts import network_with_weights, prepare_from_config
    project = load_project(example_paths()[name])
    epochs = min(int(project.spec["training"]["epochs"]), 40)
    findings, _ = diagnose(network_with_weights(project.spec, None),
                           prepare_from_config(project.data_config, project.spec), epochs=epochs)
    assert findings == []


def reasonable_configuration(seed: int):
    """A playground set of 400 points, 1–3 hidden layers of 8–32 tanh or ReLU units, Adam or momentum at a usual
    rate, mini-batches of 16 or 32: what a user would try first."""
    rng = np.random.default_rng(1000 + seed)
    name = str(rng.choice(["circles", "xor", "gaussians"]))
    depth, width = int(rng.integers(1, 4)), int(rng.choice([8, 16, 32]))
    activation, optimizer = str(rng.choice(["tanh", "relu"])), str(rng.choice(["adam", "momentum"]))
    lr = float(rng.choice([0.003, 0.01, 0.03])) if optimizer == "adam" else float(rng.choice([0.03, 0.1]))
    data = prepare(playground(name, num_points=400, noise=0.1, seed=seed), val_fraction=0.2, seed=seed)
    spec = spec_with({"training.optimizer.name": optimizer, "training.optimizer.lr": lr,
                      "training.batch_size": int(rng.choice([16, 32])), "training.seed": seed},
                     hidden=(width,) * depth, activation=activation)
    return spec, data


def test_a_seeded_sample_of_reasonable_configurations_is_healthy():
    noisy = {}
    for seed in range(20):
        spec, data = reasonable_configuration(seed)
        found, _ = doctor_run(spec, data, 40)
        if found:
            noisy[seed] = sorted(found)
    assert noisy == {}  # a false positive names its seed and problem
