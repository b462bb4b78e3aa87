"""`CoordinateAxis`: one vertical axis of the sweep's parallel-coordinates plot, and how a value sits on it.

An axis maps a setting's value to a height from 0 (bottom) to 1 (top): linearly for a linear or integer range,
by log10 for a log range (so 1e-4 … 1e-1 are evenly spaced, as the sampler saw them), and to evenly spaced
slots for a list of choices (the first at the bottom). Its tick labels say what the heights mean in the
setting's own units. No Qt here: the plot draws what this computes, and the tests check it directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

SCALES = ("log", "lin", "int", "choice")
END_LABEL_GAP = 0.12  # a log axis labels its ends too, unless a decade's label sits within this height of one


@dataclass(frozen=True)
class CoordinateAxis:
    """An axis named `label` over [low, high] (numbers) or `choices`, on a `scale` from `SCALES`."""

    label: str
    scale: str
    low: float = 0.0
    high: float = 1.0
    choices: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"axis {self.label}: scale must be one of {', '.join(SCALES)}, got {self.scale!r}")
        if self.scale == "log" and not 0 < self.low:
            raise ValueError(f"axis {self.label}: a log axis needs a positive low end, got {self.low!r}")

    def position(self, value: Any) -> float | None:
        """The height of `value` on this axis, 0 to 1; None for a value the axis can't show (missing, not a
        number, not one of the choices, not positive on a log axis)."""
        if self.scale == "choice":
            if value not in self.choices:
                return None
            return 0.5 if len(self.choices) == 1 else self.choices.index(value) / (len(self.choices) - 1)
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        if not math.isfinite(number):
            return None
        if self.scale == "log":
            if number <= 0:
                return None
            low, high, number = math.log10(self.low), math.log10(self.high), math.log10(number)
        else:
            low, high = float(self.low), float(self.high)
        if high == low:  # one value only (e.g. every trial had the same objective): the middle
            return 0.5
        return (number - low) / (high - low)

    def value_at(self, position: float) -> float:
        """The numeric value at a height (the inverse of `position`, for numeric axes)."""
        if self.scale == "log":
            low, high = math.log10(self.low), math.log10(self.high)
            return 10 ** (low + position * (high - low))
        return self.low + position * (self.high - self.low)

    def ticks(self) -> list[tuple[float, str]]:
        """(height, label) pairs: every choice; each decade of a log axis (its ends when it spans less than one);
        the ends and the middle of a linear or integer axis."""
        if self.scale == "choice":
            return [(self.position(choice) or 0.0, str(choice)) for choice in self.choices]
        if self.high == self.low:
            return [(0.5, format_number(self.low))]
        if self.scale == "log":
            low, high = math.log10(self.low), math.log10(self.high)
            decades = [d for d in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)]
            if len(decades) < 2 or len(decades) > 8:
                return [(0.0, format_number(self.low)), (1.0, format_number(self.high))]
            span = high - low or 1.0
            ticks = [((d - low) / span, decade_label(d)) for d in decades]
            for end, value in ((0.0, self.low), (1.0, self.high)):  # the range's ends, unless a decade is close
                if all(abs(end - height) > END_LABEL_GAP for height, _ in ticks):
                    ticks.append((end, format_number(value)))
            return sorted(ticks)
        middle = (self.low + self.high) / 2
        if self.scale == "int" and middle != int(middle):
            middle = round(middle)
        return [(self.position(v) or 0.0, format_number(v)) for v in (self.low, middle, self.high)]


def decade_label(exponent: int) -> str:
    """10^exponent written short: 0.001, 0.1, 10, 1000 near 1; 1e-5, 1e6 further out."""
    return f"{10.0 ** exponent:g}" if -3 <= exponent <= 3 else f"1e{exponent}"


def format_number(value: Any) -> str:
    """A short, readable number: 4 significant figures, integers as integers, tiny and huge ones in e-notation."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or (math.isfinite(value) and value == int(value) and abs(value) < 1e6):
        return str(int(value))
    return f"{value:.4g}"
