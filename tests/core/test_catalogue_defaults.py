"""The catalogue's optimizer defaults against torch.optim's (2.13): every default that differs from PyTorch's is
said in that field's help text, where the studio and `--help` show the default. The table below is PyTorch's
signatures written out, so the check runs without torch; where torch is installed, the table is checked too."""

from __future__ import annotations

import inspect

import pytest

from core.spec.catalogue import OPTIMIZERS, TRAINING_FIELDS

_ADAM = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
# Our name -> (torch class, its defaults in our field names). "momentum" and "nesterov" are torch's SGD with the
# momentum switched on, so only their learning rate and dampening are compared.
TORCH_DEFAULTS = {
    "sgd": ("SGD", {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}),
    "momentum": ("SGD", {"lr": 1e-3, "dampening": 0.0, "weight_decay": 0.0}),
    "nesterov": ("SGD", {"lr": 1e-3, "weight_decay": 0.0}),
    "rmsprop": ("RMSprop", {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
                            "centered": False}),
    "adagrad": ("Adagrad", {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0,
                            "eps": 1e-10}),
    "adadelta": ("Adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0}),
    "adam": ("Adam", _ADAM),
    "adamw": ("AdamW", {**_ADAM, "weight_decay": 1e-2}),
    "adamax": ("Adamax", {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}),
    "nadam": ("NAdam", {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
                        "momentum_decay": 4e-3}),
    "lbfgs": ("LBFGS", {"lr": 1.0, "max_iter": 20, "history_size": 100, "tolerance_grad": 1e-7,
                        "tolerance_change": 1e-9, "line_search": "none"}),
}


def differences() -> list[tuple[str, str]]:
    return [(name, key) for name, (_, torch_defaults) in TORCH_DEFAULTS.items()
            for key, value in torch_defaults.items() if OPTIMIZERS[name].defaults()[key] != value]


def test_every_optimizer_is_in_the_table():
    assert set(TORCH_DEFAULTS) == set(OPTIMIZERS)


def test_the_known_differences_are_the_only_ones():
    """SGD's lr (0.01 against 0.001) and L-BFGS's line search (strong Wolfe against none); nothing else."""
    assert differences() == [("sgd", "lr"), ("momentum", "lr"), ("nesterov", "lr"), ("lbfgs", "line_search")]


def test_each_difference_is_stated_in_the_help_where_the_default_is_shown():
    for name, key in differences():
        (help_text,) = [f.help for f in OPTIMIZERS[name].fields if f.name == key]
        assert "torch.optim" in help_text, (name, key, help_text)


def test_decoupled_weight_decay_says_what_it_decays_and_when():
    (help_text,) = [f.help for f in TRAINING_FIELDS if f.name == "decoupled_weight_decay"]
    assert "After each optimizer step" in help_text and "biases" in help_text
    assert "as AdamW does" not in help_text  # AdamW decays biases too, and before its step


@pytest.mark.torch
def test_the_table_matches_torch_where_torch_is_installed():
    torch = pytest.importorskip("torch")
    renamed = {"line_search": "line_search_fn"}
    for name, (class_name, torch_defaults) in TORCH_DEFAULTS.items():
        parameters = inspect.signature(getattr(torch.optim, class_name)).parameters
        for key, value in torch_defaults.items():
            if key in ("beta1", "beta2"):
                actual = parameters["betas"].default[key == "beta2"]
            elif key == "line_search":
                actual = parameters[renamed[key]].default or "none"
            else:
                actual = parameters[key].default
            assert actual == value, (name, key, actual)
