"""The search space: PATH=SPEC parsed exactly (log, lin, int, choice), values typed by the catalogue, every
refusal one line naming the parameter, hostile text never more than text, and the grid's documented points."""

import pytest

from core.spec import default_spec
from core.sweeps import GRID_POINTS, ParamRange, SweepError, check_range, grid_values, parse_param
from core.sweeps.space import grid_points, grid_size

SPEC = default_spec(2, 2)  # two hidden layers of 8 (tanh), adam


@pytest.mark.parametrize("text, expected", [
    ("training.optimizer.lr=log:1e-4:1", ParamRange("training.optimizer.lr", "log", 1e-4, 1.0)),
    ("layers[*].dropout=lin:0:0.5", ParamRange("layers[*].dropout", "lin", 0.0, 0.5)),
    ("training.batch_size=int:4:64", ParamRange("training.batch_size", "int", 4, 64)),
    ("layers[0].units=log:2:256", ParamRange("layers[0].units", "log", 2, 256)),
    ("training.optimizer.name=choice:adam,sgd", ParamRange("training.optimizer.name", "choice", choices=("adam", "sgd"))),
    ("layers[1].units=choice:4, 16,32", ParamRange("layers[1].units", "choice", choices=(4, 16, 32))),
    ("layers[0].batch_norm=choice:true,false", ParamRange("layers[0].batch_norm", "choice", choices=(True, False))),
    ("training.l2=choice:0,1e-4", ParamRange("training.l2", "choice", choices=(0.0, 1e-4))),
])
def test_good_parameters_parse_to_typed_ranges(text, expected):
    param = parse_param(text, SPEC)
    assert param == expected
    assert [type(v) for v in param.choices] == [type(v) for v in expected.choices]
    assert type(param.low) is type(expected.low)


@pytest.mark.parametrize("text, words", [
    ("training.optimizer.lr", "write PATH=SPEC"),
    ("=log:1:2", "write PATH=SPEC"),
    ("training.optimizer.lr=exp:1:2", "not a range"),
    ("training.optimizer.lr=log:1", "needs two ends"),
    ("training.optimizer.lr=log:1:2:3", "needs two ends"),
    ("training.optimizer.lr=log:0:1", "lr must be > 0"),
    ("training.optimizer.lr=log:nan:1", "is not a number"),
    ("training.optimizer.lr=log:1e-3:inf", "is not a number"),
    ("training.optimizer.lr=log:1e999:1e9999", "not a finite number"),
    ("training.optimizer.lr=lin:0.5:0.1", "must be below"),
    ("layers[*].dropout=lin:0:1.5", "dropout must be < 1"),
    ("layers[5].units=int:1:4", "there is no layer 6"),
    ("layers[0].colour=choice:red", "unknown setting 'colour'"),
    ("training.batch_size=lin:4:64", "lin:A:B does not fit it"),
    ("training.batch_size=int:4.5:64", "not a whole number"),
    ("training.optimizer.name=choice:adam,adam", "listed twice"),
    ("training.optimizer.name=choice:adam,", "an empty choice"),
    ("training.optimizer.name=choice:adam,__import__('os').system('touch /tmp/pwned')", "must be one of"),
    ("__import__('os')=lin:0:1", "is not a setting path"),
    ("layers[0].batch_norm=choice:yes,no", "not true or false"),
    ("training.optimizer.lr=" + "1" * 3000, "longer than"),
    ("training.shuffle=int:0:1", "int:A:B does not fit it (use choice:a,b)"),
])
def test_bad_parameters_are_one_line_naming_the_parameter(text, words):
    with pytest.raises(SweepError) as caught:
        parse_param(text, SPEC)
    message = str(caught.value)
    assert words in message and "\n" not in message
    if not text.startswith(("training.optimizer.lr", "=")) and "=" in text and len(text) < 3000:
        assert text.split("=")[0] in message


def test_a_hostile_choice_name_is_never_run(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(SweepError):
        parse_param(f"layers[0].activation=choice:relu,__import__('os').system('touch {marker}')", SPEC)
    assert not marker.exists()


def test_a_range_the_studio_builds_is_checked_and_typed_the_same_way():
    assert check_range(ParamRange("layers[0].units", "int", 4.0, 16.0), SPEC) == ParamRange("layers[0].units", "int",
                                                                                            4, 16)
    with pytest.raises(SweepError, match="layers\\[0\\].units"):
        check_range(ParamRange("layers[0].units", "int", 0, 16), SPEC)


def test_grid_values_are_every_choice_and_small_int_and_documented_points_otherwise():
    assert grid_values(parse_param("training.optimizer.name=choice:adam,sgd", SPEC)) == ["adam", "sgd"]
    assert grid_values(parse_param("layers[0].units=int:2:5", SPEC)) == [2, 3, 4, 5]
    assert grid_values(parse_param("training.batch_size=int:4:64", SPEC)) == [4, 19, 34, 49, 64]
    log = grid_values(parse_param("training.optimizer.lr=log:1e-4:1", SPEC))
    assert log == [1e-4, 1e-3, 1e-2, 1e-1, 1.0] and len(log) == GRID_POINTS
    assert grid_values(parse_param("layers[*].dropout=lin:0:0.5", SPEC)) == [0.0, 0.125, 0.25, 0.375, 0.5]


def test_grid_points_are_distinct_and_seeded_without_listing_a_huge_grid():
    params = tuple(parse_param(f"layers[{i}].units=int:1:10", default_spec(2, 2, hidden=(8,) * 12))
                   for i in range(12))
    assert grid_size(params) == 10 ** 12
    points = grid_points(params, 50, seed=3)
    assert len({tuple(p.values()) for p in points}) == 50
    assert points == grid_points(params, 50, seed=3) != grid_points(params, 50, seed=4)
