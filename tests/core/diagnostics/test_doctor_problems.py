"""Each problem, really shown by a small network trained through core's Trainer, is named within a few epochs, and
not confused with its look-alike (saturation is not vanishing from depth; a high rate is not an exploding net)."""

import pytest

from core.diagnostics import diagnose
from tests.core.diagnostics.doctor_support import SCENARIOS, circles, doctor_run, spec_with, tiny_circles


def scenario_run(problem: str):
    spec, data_maker, epochs, before = SCENARIOS[problem]
    return doctor_run(spec, data_maker(), epochs, before)


def test_sgd_at_rate_1000_on_the_default_project_is_a_rate_too_high_not_vanishing():
    found, last = scenario_run("lr_too_high")
    assert last.stop_reason == "completed"  # the Trainer itself sees nothing wrong
    assert found["lr_too_high"].epoch <= 5
    assert found["lr_too_high"].evidence["loss_over_start"] > 100  # it sits in the thousands; it started at ~0.7
    # Its tanh layers are saturated (and so pass no gradient): that is saturation, not vanishing from depth.
    assert set(found) == {"lr_too_high", "saturation"}


@pytest.mark.parametrize("seed", [2, 6, 7])  # of seeds 0-7, those whose validation loss rose long enough
def test_a_rate_too_high_is_not_called_overfitting_when_the_noisy_validation_loss_rises(seed):
    # SGD at lr 1000 for 60 epochs: both losses jump about in the thousands, the validation one sometimes rising
    # for a while; nothing was learnt, so nothing was memorised (these seeds were called overfitting at epochs
    # 13-29 before the detector asked for a training loss below its start).
    spec = spec_with({"training.optimizer.name": "sgd", "training.optimizer.lr": 1000.0, "training.seed": seed})
    found, _ = doctor_run(spec, circles(), 60)
    assert "lr_too_high" in found and "overfitting" not in found


def test_adam_at_rate_1000_diverges_and_that_is_the_rate_not_an_exploding_net():
    found, last = doctor_run(spec_with({"training.optimizer.lr": 1000.0}), circles(), 8)
    assert last.diverged
    assert set(found) == {"lr_too_high"}


def test_a_net_whose_weights_grow_the_signal_layer_by_layer_explodes_at_a_normal_rate():
    found, last = scenario_run("exploding_gradients")
    assert last.diverged
    assert set(found) == {"exploding_gradients"}
    assert found["exploding_gradients"].evidence["max_mean_abs_gradient"] > 1e6  # the threshold is 1e3
    spec, _, epochs, _ = SCENARIOS["exploding_gradients"]
    # The same net from its normal initial weights trains without a finding: the weights explode, not the rate.
    assert doctor_run(spec, circles(), epochs)[0] == {}


def test_a_deep_sigmoid_net_has_vanishing_gradients_not_saturation():
    found, _ = scenario_run("vanishing_gradients")
    assert set(found) == {"vanishing_gradients"}
    finding = found["vanishing_gradients"]
    assert finding.epoch <= 5
    assert finding.evidence["gradient_over_last_layer"] < 1e-4  # 8 sigmoids: ≤ 4⁻⁷ ≈ 6e-5, the threshold is 1e-3
    assert finding.layer.startswith(("layer 1 ", "layer 2 ", "layer 3 ", "layer 4 "))  # an early layer


def test_the_circles_vanishing_example_is_named_vanishing():
    from core.cli.resources import example_paths
    from core.project import load_project
    from core.project_parts import network_with_weights, prepare_from_config
    project = load_project(example_paths()["circles_vanishing"])
    findings, _ = diagnose(network_with_weights(project.spec, None),
                           prepare_from_config(project.data_config, project.spec), epochs=8)
    assert [finding.problem for finding in findings] == ["vanishing_gradients"]


def test_tanh_units_with_initial_weights_ten_times_too_large_are_saturated_not_vanishing():
    found, _ = scenario_run("saturation")
    assert set(found) == {"saturation"}
    assert found["saturation"].evidence["saturated_share"] >= 0.65  # the threshold is 0.5
    assert found["saturation"].epoch <= 4


def test_a_high_rate_with_relu_kills_units():
    found, _ = scenario_run("dead_relu")
    assert set(found) == {"dead_relu"}
    assert found["dead_relu"].epoch <= 4
    assert found["dead_relu"].evidence["dead_share"] >= 0.9  # the threshold is 0.6


def test_zero_initial_weights_sit_on_a_saddle():
    found, _ = scenario_run("plateau")
    assert set(found) == {"plateau"}
    assert found["plateau"].epoch <= 12  # training seeds 0–8: epochs 5–9


def test_a_tiny_rate_converges_too_slowly_but_is_no_plateau():
    found, _ = scenario_run("slow_convergence")
    assert set(found) == {"slow_convergence"}
    assert found["slow_convergence"].evidence["projected_loss"] > 0.5  # far from 0.25 × start, which is useful


@pytest.mark.parametrize("seed", [0, 3])
def test_a_big_net_on_a_tiny_data_set_overfits(seed):
    spec = spec_with({"training.batch_size": 8, "training.seed": seed}, hidden=(128, 128), activation="relu")
    found, _ = doctor_run(spec, tiny_circles(), 80)
    assert set(found) == {"overfitting"}
    evidence = found["overfitting"].evidence
    assert evidence["val_loss"] > 1.5 * evidence["best_val_loss"] and evidence["gap"] > evidence["gap_at_best"]
    assert found["overfitting"].epoch <= 60  # training seeds 0–7: epochs 28–35
