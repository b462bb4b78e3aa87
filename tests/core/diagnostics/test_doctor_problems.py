"""Each problem, really shown by a small network trained through core's Trainer, is named within a few epochs, and
not confused with its look-alike (saturation is not vanishing from depth; a high rate is not an exploding net)."""

import pytest

from tests.core.diagnostics.doctor_support import circles, doctor_run, scale_weights, spec_with


@pytest.fixture(scope="module")
def data():
    return circles()


def test_sgd_at_rate_1000_on_the_default_project_is_a_rate_too_high_not_vanishing(data):
    found, last = doctor_run(spec_with({"training.optimizer.name": "sgd", "training.optimizer.lr": 1000.0}), data, 8)
    assert last.stop_reason == "completed"  # the Trainer itself sees nothing wrong
    assert "lr_too_high" in found and found["lr_too_high"].epoch <= 5
    assert found["lr_too_high"].evidence["loss_over_start"] > 100  # it sits in the thousands; it started at ~0.7
    # Its tanh layers are saturated (and so pass no gradient): that is saturation, not vanishing from depth.
    assert "saturation" in found
    assert not {"vanishing_gradients", "exploding_gradients", "plateau", "slow_convergence"} & set(found)


def test_adam_at_rate_1000_diverges_and_that_is_the_rate_not_an_exploding_net(data):
    found, last = doctor_run(spec_with({"training.optimizer.lr": 1000.0}), data, 8)
    assert last.diverged
    assert set(found) == {"lr_too_high"}


def test_a_net_whose_weights_grow_the_signal_layer_by_layer_explodes_at_a_normal_rate(data):
    spec = spec_with({"training.optimizer.name": "sgd", "training.optimizer.lr": 0.01}, hidden=(32,) * 8,
                     activation="relu")
    found, last = doctor_run(spec, data, 6, before=scale_weights(2.0))
    assert last.diverged
    assert set(found) == {"exploding_gradients"}
    assert found["exploding_gradients"].evidence["max_mean_abs_gradient"] > 1e6
    # The same net at its normal initial weights trains without a finding: the weights explode, not the rate.
    assert doctor_run(spec, data, 6)[0] == {}


def test_a_deep_sigmoid_net_has_vanishing_gradients_not_saturation(data):
    spec = spec_with({"layers[*].init": "xavier_normal", "training.optimizer.name": "sgd",
                      "training.optimizer.lr": 0.05}, hidden=(8,) * 8, activation="sigmoid")
    found, _ = doctor_run(spec, data, 8)
    assert set(found) == {"vanishing_gradients"}
    finding = found["vanishing_gradients"]
    assert finding.epoch <= 5
    assert finding.evidence["gradient_over_last_layer"] < 1e-4  # 8 sigmoids: ≤ 4⁻⁷ ≈ 6e-5, the threshold is 1e-3
    assert finding.layer.startswith(("layer 1 ", "layer 2 ", "layer 3 ", "layer 4 "))  # an early layer


def test_the_circles_vanishing_example_is_named_vanishing():
    from core.diagnostics import diagnose
    from core.project import load_project
    from core.project_parts import network_with_weights, prepare_from_config
    from core.cli.resources import example_paths
    project = load_project(example_paths()["circles_vanishing"])
    findings, _ = diagnose(network_with_weights(project.spec, None),
                           prepare_from_config(project.data_config, project.spec), epochs=8)
    assert [finding.problem for finding in findings] == ["vanishing_gradients"]


def test_a_high_rate_with_relu_kills_units(data):
    spec = spec_with({"layers[*].activation": "relu", "training.optimizer.name": "sgd", "training.optimizer.lr": 3.0})
    found, _ = doctor_run(spec, data, 8)
    assert "dead_relu" in found and found["dead_relu"].epoch <= 4
    assert found["dead_relu"].evidence["dead_share"] >= 0.75  # the threshold is 0.5
    assert "vanishing_gradients" not in found


def test_zero_initial_weights_sit_on_a_saddle(data):
    found, _ = doctor_run(spec_with({"layers[*].init": "zeros"}), data, 10)
    assert set(found) == {"plateau"}
    assert found["plateau"].epoch <= 7


def test_a_tiny_sgd_rate_converges_too_slowly_but_is_no_plateau(data):
    found, _ = doctor_run(spec_with({"training.optimizer.name": "sgd", "training.optimizer.lr": 1e-4}), data, 12)
    assert set(found) == {"slow_convergence"}
    assert found["slow_convergence"].evidence["projected_loss"] > 0.5  # far from the 0.25 × start that is useful


@pytest.mark.parametrize("seed", [1, 4])
def test_a_big_net_on_a_tiny_data_set_overfits(seed):
    tiny = circles(num_points=60, noise=0.3, seed=seed, val_fraction=0.5)
    spec = spec_with({"training.batch_size": 8, "training.seed": seed}, hidden=(128, 128), activation="relu")
    found, _ = doctor_run(spec, tiny, 80)
    assert set(found) == {"overfitting"}
    evidence = found["overfitting"].evidence
    assert evidence["val_loss"] > 1.5 * evidence["best_val_loss"] and evidence["gap"] > evidence["gap_at_best"]
    assert found["overfitting"].epoch <= 60
