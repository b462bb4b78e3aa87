"""The one memory budget every loader and builder checks BEFORE it allocates.

A file can claim any size: a project with 10⁹ inputs, a zip member that inflates to 1 GiB, an array header
of 10¹² values. Code that is about to allocate for such a claim estimates the bytes first and calls
`check_allocation(what, nbytes)`, which raises `MemoryBudgetError` past the budget, so the user gets one line
naming the figure instead of a machine that swaps or a process the kernel kills.

The budget is half of the physical memory (4 GiB where that is unknown), or the value of the environment
variable BACKPROP_STUDIO_MEMORY_BUDGET: a number of bytes or a size such as ``512MiB``, ``8GiB``, ``8G``.
Under an address-space limit (``ulimit -v``, RLIMIT_AS) the budget never exceeds the room left below it.
"""

from __future__ import annotations

import math
import os
import re

ENV_VARIABLE = "BACKPROP_STUDIO_MEMORY_BUDGET"
GIB = 1024**3
_FALLBACK_BUDGET = 4 * GIB  # when the physical memory cannot be read
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": 1024**2, "mb": 1000**2, "mib": 1024**2,
          "g": GIB, "gb": 1000**3, "gib": GIB, "t": 1024**4, "tb": 1000**4, "tib": 1024**4}
_SIZE_PATTERN = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*")


class MemoryBudgetError(ValueError):
    """An allocation was refused because it would exceed the memory budget (or the budget setting is bad)."""


def memory_budget_bytes() -> int:
    """The number of bytes one allocation may take: the setting or default, capped by any address-space limit."""
    setting = os.environ.get(ENV_VARIABLE, "").strip()
    budget = parse_size(setting) if setting else _default_budget()
    headroom = _address_space_headroom()
    return budget if headroom is None else min(budget, headroom)


def check_allocation(what: str, nbytes: int) -> None:
    """Raise MemoryBudgetError if allocating `nbytes` for `what` would exceed the budget; else return."""
    budget = memory_budget_bytes()
    if not nbytes <= budget:  # also refuses a NaN estimate
        raise MemoryBudgetError(
            f"{what} needs {format_gib(nbytes)}, over the memory budget of {format_gib(budget)} "
            f"(set {ENV_VARIABLE} to change it)"
        )


def parse_size(text: str) -> int:
    """Bytes in a size such as ``4294967296``, ``512MiB``, ``1.5GiB`` or ``8G`` (powers of 1024 unless "GB")."""
    match = _SIZE_PATTERN.fullmatch(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise MemoryBudgetError(f"{ENV_VARIABLE}={text!r} is not a size; use e.g. 4GiB, 512MiB or a number of bytes")
    size = float(match.group(1)) * _UNITS[unit]
    if not math.isfinite(size) or size < 1:
        raise MemoryBudgetError(f"{ENV_VARIABLE}={text!r} must be a positive size such as 4GiB")
    return int(size)


def format_gib(nbytes: float) -> str:
    """A size in GiB for messages: ``29.8 GiB``, ``0.004 GiB``; never rounds a real figure to zero."""
    gib = nbytes / GIB
    if not math.isfinite(gib) or gib >= 10:
        return f"{gib:.1f} GiB" if math.isfinite(gib) else "an unbounded amount of memory"
    return f"{gib:.3g} GiB"


def _default_budget() -> int:
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return _FALLBACK_BUDGET
    return physical // 2 if physical > 0 else _FALLBACK_BUDGET


def _address_space_headroom() -> int | None:
    """Bytes left below RLIMIT_AS (limit minus the current virtual size), or None when there is no limit."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft_limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft_limit == resource.RLIM_INFINITY:
        return None
    return max(0, soft_limit - _virtual_size_bytes())


def _virtual_size_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
