"""The window's panels by dock name, where a panel that starts hidden behind a tab is built when first needed.

Building every plot up front was about half of a warm start; a dock behind a tab holds a light placeholder until
it is first shown (or its panel is asked for), and only then builds its panel. Reading `panels[name]` builds a
waiting panel and walking the mapping builds them all, so callers always get real ones. A panel whose factory
raises lets the error through (to the reader, or to the dock's first showing) and stays waiting: asked for again,
it raises again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtWidgets import QWidget


class LazyPanels(Mapping[str, QWidget]):
    def __init__(self, on_built: Callable[[str, QWidget], None]):
        self._on_built = on_built  # wires a new panel to the rest of the window
        self._order: list[str] = []  # the docks' order, built or not
        self._built: dict[str, QWidget] = {}
        self._waiting: dict[str, Callable[[], QWidget]] = {}

    def add(self, name: str, panel: QWidget) -> None:
        self._order.append(name)
        self._built[name] = panel
        self._on_built(name, panel)

    def add_later(self, name: str, build: Callable[[], QWidget]) -> None:
        """`build()` makes the panel the first time it is needed."""
        self._order.append(name)
        self._waiting[name] = build

    def is_built(self, name: str) -> bool:
        return name in self._built

    def built_names(self) -> list[str]:
        """The docks whose panel exists (without building the others)."""
        return [name for name in self._order if name in self._built]

    def build(self, name: str) -> QWidget | None:
        """The panel, built now if it was waiting; None when there is no such dock."""
        build = self._waiting.get(name)
        if build is not None:
            panel = build()  # raises for a broken panel, which stays waiting
            del self._waiting[name]
            self._built[name] = panel
            self._on_built(name, panel)
        return self._built.get(name)

    def build_all(self) -> None:
        for name in list(self._waiting):
            self.build(name)

    def __getitem__(self, name: str) -> QWidget:
        panel = self.build(name)
        if panel is None:
            raise KeyError(name)
        return panel

    def __contains__(self, name: object) -> bool:
        return name in self._order  # without building it

    def __iter__(self) -> Iterator[str]:
        self.build_all()  # whoever walks every panel (keys, values, items) gets real ones, none dropped on the way
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)
