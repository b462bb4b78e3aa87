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
    """{dotted path: value} for every leaf setting of `spec`, in spec order: the paths `core.spec.changed_paths`
    names (a test holds the two equal), walked here with the path built as it goes, which is 4× faster over a
    thousand runs than formatting each leaf's parts."""
    leaves: dict[str, Any] = {}
    _walk(spec, "", leaves)
    return leaves


def _walk(node: Any, path: str, leaves: dict[str, Any]) -> None:
    """Mappings and lists of mappings (the layers) are walked; every other value is a leaf."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            _walk(value, f"{path}.{key}" if path else str(key), leaves)
    elif isinstance(node, list) and node and all(isinstance(item, Mapping) for item in node):
        for index, value in enumerate(node):
            _walk(value, f"{path}[{index}]", leaves)
    else:
        leaves[path] = node


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
    first: dict[str, Any] = {}  # each path's value in the first run that has it, in spec order
    differing: set[str] = set()
    for leaves in settings:
        for path, value in leaves.items():
            if path not in first:
                first[path] = value
            elif path not in differing and not _same(first[path], value):
                differing.add(path)
    return [path for path in first if path in differing]


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


def _same(a: Any, b: Any) -> bool:
    """Equal settings: 1 and 1.0 are (as in JSON), True and 1 are not."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)
