"""The memory budget: its default, the environment variable that changes it, and the one-line refusal."""

from __future__ import annotations

import os

import pytest

from core.memory_budget import ENV_VARIABLE, GIB, MemoryBudgetError, check_allocation, memory_budget_bytes


@pytest.fixture(autouse=True)
def no_address_space_limit(monkeypatch):
    """The figures below assume no `ulimit -v`; under one the budget is smaller (tested in test_memory_limits)."""
    monkeypatch.setattr("core.memory_budget._address_space_headroom", lambda: None)


def _physical_bytes() -> int:
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def test_default_is_half_the_memory_at_most_4_gib(monkeypatch):
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    budget = memory_budget_bytes()
    assert 0 < budget <= 4 * GIB
    assert budget <= _physical_bytes() // 2


@pytest.mark.parametrize("setting, expected", [
    ("123456789", 123456789), ("512M", 512 * 1024**2), ("2G", 2 * GIB), ("2GiB", 2 * GIB), ("1.5g", 3 * GIB // 2),
    (" 64k ", 64 * 1024), ("3GB", 3 * GIB),
])
def test_environment_variable_sets_it(monkeypatch, setting, expected):
    monkeypatch.setenv(ENV_VARIABLE, setting)
    assert memory_budget_bytes() == expected


@pytest.mark.parametrize("setting", ["lots", "-1G", "0", "2X", "1e9", "nan"])
def test_a_bad_setting_is_named(monkeypatch, setting):
    monkeypatch.setenv(ENV_VARIABLE, setting)
    with pytest.raises(MemoryBudgetError, match=ENV_VARIABLE) as caught:
        memory_budget_bytes()
    assert repr(setting) in str(caught.value)


def test_check_allocation_names_both_figures_and_the_variable(monkeypatch):
    monkeypatch.setenv(ENV_VARIABLE, "1G")
    check_allocation("a small array", GIB)  # Exactly the budget is allowed.
    with pytest.raises(MemoryBudgetError) as caught:
        check_allocation("the data", 30 * GIB)
    assert str(caught.value) == ("the data needs 30.0 GiB, over the memory budget of 1 GiB "
                                 f"(set {ENV_VARIABLE} to change it)")
    assert isinstance(caught.value, ValueError)


def test_huge_python_int_estimates_do_not_overflow(monkeypatch):
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    with pytest.raises(MemoryBudgetError, match="needs"):
        check_allocation("a header's claim", (2**32 - 1) ** 3)
