"""Settings a user may change while training runs, addressed by spec path: the catalogue's `live` flag decides.

A live change is {path: value}, e.g. {"training.optimizer.lr": 0.01}; `check_live_changes` refuses a path whose
catalogue field is not live (or that names no setting of this run's spec, such as momentum for Adam) and a bad
value, each in one line naming the path. The Trainer queues the checked changes and its StepRunner applies them by
path before the next batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.spec import SpecError, check_setting, field_for, live_paths


def check_live_changes(spec: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes with values converted to their fields' types, or SpecError naming the path and the problem."""
    checked: dict[str, Any] = {}
    for path, value in changes.items():
        if not field_for(spec, path).live:
            raise SpecError(f"{path} can't change while training; the live settings are "
                            f"{', '.join(live_paths(spec))}", path)
        checked[path] = check_setting(spec, path, value)
    return checked
