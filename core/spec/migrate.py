"""Spec versions and the migrations between them.

Version 1 is the first; a spec without a version is taken as version 1. A spec from a newer program is refused
with a message that says so, rather than guessed at.
"""

from __future__ import annotations

from typing import Any

from core.spec.errors import SpecError

SPEC_VERSION = 1

# version -> function that upgrades a spec of that version to version + 1
_MIGRATIONS: dict[int, Any] = {}


def migrate_spec(spec: dict[str, Any]) -> dict[str, Any]:
    version = spec.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SpecError(f"spec: version must be a whole number ≥ 1, got {repr(version)[:40]}", "version")
    if version > SPEC_VERSION:
        raise SpecError(f"spec: version {version} was written by a newer Backprop Studio; this one reads up to "
                        f"version {SPEC_VERSION}", "version")
    while version < SPEC_VERSION:
        spec = _MIGRATIONS[version](spec)
        version += 1
    spec["version"] = SPEC_VERSION
    return spec
