"""The cures: every cure is a change `with_changes` accepts for the spec it was made for, and each one, applied,
makes its problem go away in the run that showed it (retrained from the same seed)."""

import pytest

from core.diagnostics import PROBLEMS
from core.diagnostics.cures import cures_for
from core.spec import changed_paths, default_spec, with_changes
from tests.core.diagnostics.doctor_support import SCENARIOS, doctor_run, spec_with

SPECS = {"default": default_spec(2, 2), "relu": spec_with({"layers[*].activation": "relu"}),
         "no hidden layer": default_spec(2, 2, hidden=()), "regression": default_spec(3, 1, task="regression"),
         "sgd at 1000": SCENARIOS["lr_too_high"][0], "zeros": SCENARIOS["plateau"][0]}


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_cure_applies_to_the_spec_it_was_made_for_and_changes_it(problem, name):
    spec = SPECS[name]
    for cure in cures_for(problem, spec):
        assert cure.label and cure.changes
        assert changed_paths(spec, with_changes(spec, cure.changes))


def test_cures_that_would_change_nothing_are_left_out():
    relu_he = spec_with({"layers[*].activation": "relu", "layers[*].init": "he_normal", "layers[*].batch_norm": True})
    assert cures_for("vanishing_gradients", relu_he) == []
    assert [c.changes for c in cures_for("plateau", SPECS["zeros"])] == [{"layers[*].init": "auto"}]


def test_a_rate_far_too_high_is_lowered_to_the_usual_rate_and_a_reasonable_one_to_a_tenth():
    assert cures_for("lr_too_high", SPECS["sgd at 1000"])[0].changes == {"training.optimizer.lr": 0.01}
    assert cures_for("lr_too_high", SPECS["default"])[0].changes == {"training.optimizer.lr": pytest.approx(0.001)}


@pytest.mark.parametrize("problem", sorted(SCENARIOS))
def test_each_cure_makes_its_problem_go_away(problem):
    spec, data_maker, epochs, before = SCENARIOS[problem]
    data = data_maker()
    found, _ = doctor_run(spec, data, epochs, before)
    cures = found[problem].cures
    assert cures
    for cure in cures:
        # Bad initial weights stand for a bad initialiser: a cure that picks the initialiser replaces them.
        keep_weights = before if not any(path.endswith(".init") for path in cure.changes) else None
        after, _ = doctor_run(with_changes(spec, cure.changes), data, epochs, keep_weights)
        assert problem not in after, cure.label
