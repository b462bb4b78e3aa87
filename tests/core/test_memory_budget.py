"""The memory budget: its setting, its refusal message, and its cap under an address-space limit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.memory_budget import (
    ENV_VARIABLE,
    GIB,
    MemoryBudgetError,
    check_allocation,
    memory_budget_bytes,
    parse_size,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4096", 4096), ("512MiB", 512 * 1024**2), ("1.5GiB", int(1.5 * GIB)), ("8G", 8 * GIB), ("2GB", 2 * 10**9)],
)
def test_sizes_are_parsed_with_units(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["abc", "-1", "0", "4 parsecs", "1e999", "nan"])
def test_a_bad_setting_is_refused_in_one_line_naming_the_variable(text):
    with pytest.raises(MemoryBudgetError, match=ENV_VARIABLE):
        parse_size(text)


def test_the_environment_variable_sets_the_budget(monkeypatch):
    monkeypatch.setenv(ENV_VARIABLE, "1MiB")
    assert memory_budget_bytes() == 1024**2
    check_allocation("a small buffer", 1024**2)  # exactly the budget is allowed
    with pytest.raises(MemoryBudgetError) as refused:
        check_allocation("the network's parameters", 2 * 1024**2)
    message = str(refused.value)
    assert message.startswith("the network's parameters needs 0.00195 GiB, over the memory budget of 0.000977 GiB")
    assert ENV_VARIABLE in message and "\n" not in message


def test_default_budget_is_positive_and_refuses_an_absurd_claim(monkeypatch):
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    assert memory_budget_bytes() > 0
    with pytest.raises(MemoryBudgetError, match="29.8 GiB|over the memory budget"):
        check_allocation("x", 10**18)
    with pytest.raises(MemoryBudgetError, match="unbounded"):
        check_allocation("x", float("inf"))  # type: ignore[arg-type]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_an_address_space_limit_caps_the_budget():
    script = (
        "import resource, os\n"
        f"os.environ[{ENV_VARIABLE!r}] = '1TiB'\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, resource.RLIM_INFINITY))\n"
        "from core.memory_budget import memory_budget_bytes\n"
        "print(memory_budget_bytes())\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert 0 < int(result.stdout) < 2 * GIB


def test_a_network_over_the_budget_is_refused_before_its_buffers_exist(monkeypatch):
    from core.network import Network
    from core.network.memory import estimate_network_bytes
    from core.spec import default_spec
    monkeypatch.setenv(ENV_VARIABLE, "1GiB")
    wide = default_spec(hidden=(65536, 65536))  # 16 GiB of float32 parameters alone
    with pytest.raises(MemoryBudgetError, match=r"the network \(2-65536-65536-2\) needs .* GiB, over the memory"):
        Network.from_spec(wide)
    small = default_spec()
    network = Network.from_spec(small)
    # The estimate covers at least what building the network allocated (params, grads, mask) and more.
    assert estimate_network_bytes(small) >= 3 * network.params.nbytes
