"""The memory budget: how many bytes one load or build may allocate, checked BEFORE allocating.

A file can claim any size (an array header of 10¹² values, a zip member inflating to 1 TiB), so code about to
allocate for such a claim estimates the bytes and calls `check_allocation`, which refuses in one line naming
the figure instead of letting the machine swap or the kernel kill the process.

Default: half the physical memory, at most 4 GiB. The environment variable BACKPROP_STUDIO_MEMORY_BUDGET
overrides it: a number of bytes, or a size with a suffix such as ``512M``, ``2G``, ``2GiB`` (powers of 1024).
Under an address-space limit (``ulimit -v``, RLIMIT_AS) the budget never exceeds the room left below it.
"""

from __future__ import annotations

import os
import re

ENV_VARIABLE = "BACKPROP_STUDIO_MEMORY_BUDGET"
GIB = 1024**3
_DEFAULT_CAP = 4 * GIB
_SUFFIX_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4}
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]*)?)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)


class MemoryBudgetError(ValueError):
    """An allocation over the memory budget was refused, or the budget setting itself is not a size."""


def memory_budget_bytes() -> int:
    """The budget in bytes: BACKPROP_STUDIO_MEMORY_BUDGET if set, else min(4 GiB, half the physical memory)."""
    setting = os.environ.get(ENV_VARIABLE, "").strip()
    budget = _parse_size(setting) if setting else _default_budget()
    headroom = _address_space_headroom()
    return budget if headroom is None else min(budget, headroom)


def check_allocation(what: str, nbytes: int) -> None:
    """Raise MemoryBudgetError if `what` needs more than the budget; `nbytes` is an exact Python int estimate."""
    budget = memory_budget_bytes()
    if nbytes > budget:
        raise MemoryBudgetError(f"{what} needs {_gib(nbytes)}, over the memory budget of {_gib(budget)} "
                                f"(set {ENV_VARIABLE} to change it)")


def _parse_size(text: str) -> int:
    match = _SIZE.fullmatch(text)
    if match is None or float(match.group(1)) < 1:
        raise MemoryBudgetError(f"{ENV_VARIABLE}={text!r} is not a size; use a number of bytes or e.g. 512M, 2G")
    return int(float(match.group(1)) * 1024 ** _SUFFIX_POWERS[match.group(2).lower()])


def _default_budget() -> int:
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # Not a POSIX system: keep the cap.
        return _DEFAULT_CAP
    return min(_DEFAULT_CAP, physical // 2) if physical > 0 else _DEFAULT_CAP


def _address_space_headroom() -> int | None:
    """Bytes left below RLIMIT_AS (the limit minus the current virtual size), or None without a limit."""
    try:
        import resource
    except ImportError:  # Windows has no RLIMIT_AS.
        return None
    soft_limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft_limit == resource.RLIM_INFINITY:
        return None
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            virtual = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        virtual = 0
    return max(0, soft_limit - virtual)


def _gib(nbytes: int) -> str:
    """``29.8 GiB``; small figures keep three significant digits so they never read as zero."""
    gib = nbytes / GIB
    return f"{gib:.1f} GiB" if gib >= 10 else f"{gib:.3g} GiB"
