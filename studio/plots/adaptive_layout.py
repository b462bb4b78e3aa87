"""`AdaptiveLayout`: arrange a plot widget's sub-plots for the size and shape of its dock.

Three plots stacked in a 250-pixel-high dock are unreadable (clipped titles, overlapping tick labels). So the
layout picks, from the space the plots have:
- "wide": side by side (optionally the main plot on the left and the others stacked beside it),
- "tall": stacked,
- "single": one plot at a time, chosen with a compact selector (`PlotSelector`) the widget puts in its controls,
whichever first gives every visible plot at least `min_plot_size`. Titles are hidden in "single" mode (the
selector names the plot). The arrangement changes only when the mode changes, not on every resize.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QSizePolicy, QToolButton, QWidget

from studio.plots.plot_style import show_title

WIDE_RATIO = 1.6  # width / height above which side by side is preferred over stacked
SINGLE, WIDE, TALL = "single", "wide", "tall"


class PlotSelector(QWidget):
    """A row of small exclusive buttons, one per plot: "Loss | Accuracy | LR"."""

    selected = Signal(int)

    def __init__(self, names: Sequence[str], tips: Sequence[str] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.buttons: list[QToolButton] = []
        for i, name in enumerate(names):
            button = QToolButton()
            button.setText(name)
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setToolTip(tips[i] if i < len(tips) else f"Show the {name} plot")
            self.group.addButton(button, i)
            row.addWidget(button)
            self.buttons.append(button)
        self.buttons[0].setChecked(True)
        self.group.idClicked.connect(self.selected)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_name(self, index: int, name: str) -> None:
        self.buttons[index].setText(name)

    def set_current(self, index: int) -> None:
        self.buttons[index].setChecked(True)


class AdaptiveLayout(QObject):
    mode_changed = Signal(str)

    def __init__(self, graphics: pg.GraphicsLayoutWidget, plots: Sequence[pg.PlotItem], names: Sequence[str],
                 weights: Sequence[int], main_spans_rows: bool = False, min_plot_size: tuple[int, int] = (200, 130),
                 tips: Sequence[str] = ()):
        super().__init__(graphics)
        self.graphics = graphics
        self.plots = list(plots)
        self.weights = list(weights)
        self.main_spans_rows = main_spans_rows  # wide: the first plot on the left, the others stacked beside it
        self.min_width, self.min_height = min_plot_size
        self.current = 0  # the plot shown in "single" mode
        self.mode: str | None = None
        self.selector = PlotSelector(names, tips)
        self.selector.selected.connect(self.show_plot)
        self.arrange(SINGLE)
        graphics.installEventFilter(self)

    # -- choosing -----------------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # getattr: Qt may call the filter while the widget is being torn down, after our attributes are gone.
        if event.type() == QEvent.Type.Resize and getattr(self, "plots", None):
            size = event.size()
            self.arrange(self.mode_for(size.width(), size.height()))
        return False

    def mode_for(self, width: int, height: int) -> str:
        """The first arrangement that gives every plot at least the minimum size."""
        order = (WIDE, TALL) if height > 0 and width / height > WIDE_RATIO else (TALL, WIDE)
        for mode in order:
            if all(w >= self.min_width and h >= self.min_height for w, h in self.plot_sizes(mode, width, height)):
                return mode
        return SINGLE

    def plot_sizes(self, mode: str, width: int, height: int) -> list[tuple[float, float]]:
        """Roughly how much room each plot gets in `mode` (stretch factors as the grid applies them)."""
        total = sum(self.weights)
        if mode == TALL:
            return [(width, height * w / total) for w in self.weights]
        if mode == WIDE and self.main_spans_rows and len(self.plots) > 1:
            rest = sum(self.weights[1:])
            return [(width * 2 / 3, height)] + [(width / 3, height * w / rest) for w in self.weights[1:]]
        if mode == WIDE:
            return [(width * w / total, height) for w in self.weights]
        return [(width, height)]

    # -- arranging ----------------------------------------------------------------------------------------------
    def show_plot(self, index: int) -> None:
        """In "single" mode, show plot `index` (the selector's choice)."""
        self.current = index
        self.selector.set_current(index)
        if self.mode == SINGLE:
            self.mode = None
            self.arrange(SINGLE)

    def remove_plot(self, plot: pg.PlotItem) -> None:
        """Take a plot out of the arrangement for good (with its selector button)."""
        index = self.plots.index(plot)
        if plot in self.graphics.ci.items:
            self.graphics.ci.removeItem(plot)
        del self.plots[index], self.weights[index]
        button = self.selector.buttons.pop(index)
        self.selector.group.removeButton(button)
        button.deleteLater()
        for number, other in enumerate(self.selector.buttons):
            self.selector.group.setId(other, number)
        self.current = min(self.current, len(self.plots) - 1)
        self.selector.set_current(self.current)
        mode, self.mode = self.mode, None
        self.arrange(mode or SINGLE)

    def is_shown(self, plot: pg.PlotItem) -> bool:
        return self.mode != SINGLE or plot is self.plots[self.current]

    def arrange(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        layout = self.graphics.ci
        for plot in self.plots:
            if plot in layout.items:
                layout.removeItem(plot)
        grid = layout.layout
        for i in range(len(self.plots) + 1):  # forget the previous arrangement: unused rows/columns take no room
            grid.setRowStretchFactor(i, 0)
            grid.setColumnStretchFactor(i, 0)
        for plot in self.plots:
            show_title(plot, mode != SINGLE)
        if mode == SINGLE:
            layout.addItem(self.plots[self.current], row=0, col=0)
            grid.setRowStretchFactor(0, 1)
            grid.setColumnStretchFactor(0, 1)
        elif mode == TALL:
            for row, (plot, weight) in enumerate(zip(self.plots, self.weights)):
                layout.addItem(plot, row=row, col=0)
                grid.setRowStretchFactor(row, weight)
            grid.setColumnStretchFactor(0, 1)
        elif self.main_spans_rows and len(self.plots) > 1:
            others = self.plots[1:]
            layout.addItem(self.plots[0], row=0, col=0, rowspan=len(others))
            for row, plot in enumerate(others):
                layout.addItem(plot, row=row, col=1)
                grid.setRowStretchFactor(row, self.weights[row + 1])
            grid.setColumnStretchFactor(0, 2)
            grid.setColumnStretchFactor(1, 1)
        else:
            for col, (plot, weight) in enumerate(zip(self.plots, self.weights)):
                layout.addItem(plot, row=0, col=col)
                grid.setColumnStretchFactor(col, weight)
            grid.setRowStretchFactor(0, 1)
        if self.selector.parentWidget() is not None:  # a parentless widget would open as a window of its own
            self.selector.setVisible(mode == SINGLE)
        # Emptying the grid and filling it again lets the layout shrink its item to the plots' preferred size
        # (~140×125 px); only a resize of the view used to give it the view's area back. Give it back at once.
        layout.setGeometry(self.graphics.range)
        self.mode_changed.emit(mode)
