"""The run table's rows without Qt: the runs in tree order, their settings as dotted paths, the paths that differ
among them (W&B's "diff only" columns), and the filter.

A row is a `RunSummary` (core.runs) with its depth in the fork tree and its spec's leaf settings by dotted path
(`training.optimizer.lr`, `layers[1].units`: the one name every setting has, core.spec.paths). Only the paths
whose value is not the same in every listed run become columns. All of it is plain Python, built off the GUI
thread when the table refreshes (1,000 runs: tens of milliseconds).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.runs import RunSummary
from core.spec import changed_paths

_MISSING = object()


@dataclass(frozen=True)
class RunRow:
    summary: RunSummary
    depth: int  # 0: started fresh (or its parent is gone); 1 + its parent's depth for a fork or a rewind
    settings: Mapping[str, Any]  # every leaf setting of the run's spec by dotted path


@dataclass(frozen=True)
class RunRows:
    rows: list[RunRow]  # in tree order: each run followed by its forks, oldest first
    differing: list[str]  # the dotted paths whose value is not the same in every row, in spec order


def leaf_settings(spec: Mapping[str, Any]) -> dict[str, Any]:
    """{dotted path: value} for every leaf setting of `spec`, in spec order (compared with nothing, every leaf
    differs: `changed_paths` is core.spec's one walk over a spec's leaves)."""
    return {path: value for path, (_, value) in changed_paths({}, spec).items()}


def tree_order(summaries: Sequence[RunSummary]) -> list[tuple[RunSummary, int]]:
    """(run, depth) with each run's children (forks and rewinds, by `parent`) right below it, oldest first."""
    known = {summary.id for summary in summaries}
    children: dict[int | None, list[RunSummary]] = {}
    for summary in sorted(summaries, key=lambda s: s.id):
        parent = summary.parent if summary.parent in known and summary.parent != summary.id else None
        children.setdefault(parent, []).append(summary)
    ordered: list[tuple[RunSummary, int]] = []
    stack = [(summary, 0) for summary in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:  # iterative: a long chain of forks must not hit the recursion limit
        summary, depth = stack.pop()
        if summary.id in seen:
            continue
        seen.add(summary.id)
        ordered.append((summary, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(summary.id, [])))
    ordered.extend((summary, 0) for summary in summaries if summary.id not in seen)  # a cycle (a damaged file)
    return ordered


def differing_paths(settings: Sequence[Mapping[str, Any]]) -> list[str]:
    """The paths whose value differs among the runs that have the setting, in spec order. A setting only some
    runs have (Adam's beta1 beside SGD's momentum) is not a difference by itself: the optimizer's name column
    says it, and a race of four optimizers stays a few columns wide."""
    order: dict[str, None] = {}
    for leaves in settings:
        order.update(dict.fromkeys(leaves))
    return [path for path in order
            if len({_key(leaves[path]) for leaves in settings if path in leaves}) > 1]


def build_rows(summaries: Sequence[RunSummary]) -> RunRows:
    rows = [RunRow(summary, depth, leaf_settings(summary.spec)) for summary, depth in tree_order(summaries)]
    return RunRows(rows, differing_paths([row.settings for row in rows]))


def setting_text(value: Any) -> str:
    """A setting's value as the table and the filter write it: text as it is, the rest as JSON (0.01, true)."""
    if value is _MISSING:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def row_matches(row: RunRow, paths: Iterable[str], text: str) -> bool:
    """Whether every word of `text` is found (case-insensitively) in the run's name or in one of its
    `PATH=VALUE` settings among `paths` (e.g. "training.optimizer.lr=0.01", or just "lr=0.01" or "adam")."""
    words = text.lower().split()
    if not words:
        return True
    haystack = [row.summary.name.lower(), row.summary.kind] + [
        f"{path}={setting_text(row.settings.get(path, _MISSING))}".lower() for path in paths]
    return all(any(word in item for item in haystack) for word in words)


def _key(value: Any) -> str:
    """A hashable stand-in for a setting's value (lists and dicts included); 1 and 1.0 compare equal, as in JSON."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return json.dumps(value, sort_keys=True, default=str)
    return repr(float(value))
