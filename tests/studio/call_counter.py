"""`count_calls`: replace an attribute (a method, a module's function) with a wrapper that counts its calls, for
tests that check work is skipped (a redraw that changed nothing sets no range, a hidden plot re-bins nothing)."""

from __future__ import annotations

from typing import Any


def count_calls(monkeypatch: Any, owner: Any, name: str) -> list[int]:
    """`owner.name` keeps working and counts its calls in the returned one-item list (undone after the test)."""
    calls = [0]
    original = getattr(owner, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls
