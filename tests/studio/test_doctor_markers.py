"""The loss plot's doctor markers: a line at the finding's epoch whose hover tooltip gives the evidence, one bold
line for the highlighted finding, none after a clear; and the evidence formatted for people."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from core.diagnostics import Finding
from studio.plots.finding_text import evidence_text
from studio.plots.loss_plot import LossPlot


def finding(problem: str, epoch: int) -> Finding:
    return Finding(problem, epoch, None, {"start_loss": 0.864, "loss": 1157.2, "max_update_ratio": 0.247},
                   "The loss stays far above where it started.")


def shown_plot(qtbot) -> LossPlot:
    plot = LossPlot(None)
    qtbot.addWidget(plot)
    plot.resize(700, 450)
    plot.show()
    qtbot.waitExposed(plot)
    plot.loss_plot.setXRange(0, 10, padding=0)
    plot.loss_plot.setYRange(0, 1, padding=0)
    return plot


def viewport_point(plot: LossPlot, x: float, y: float):
    scene = plot.loss_plot.getViewBox().mapViewToScene(QPointF(x, y))
    return plot.graphics.mapFromScene(scene)


def test_hovering_a_marker_shows_its_evidence(qtbot):
    plot = shown_plot(qtbot)
    plot.add_finding(finding("lr_too_high", 3))
    qtbot.wait(10)
    on_line, away = viewport_point(plot, 3, 0.3), viewport_point(plot, 7, 0.3)
    viewport = plot.graphics.viewport()
    QToolTip.hideText()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, on_line, viewport.mapToGlobal(on_line)))
    assert "Learning rate too high" in QToolTip.text() and "start loss 0.864 · loss 1,157" in QToolTip.text()
    assert [item.toolTip() for item in plot.graphics.items(away) if item.toolTip()] == []  # only on the line


def test_one_marker_per_problem_the_highlighted_one_bold_and_clear_removes_them(qtbot):
    plot = shown_plot(qtbot)
    plot.add_finding(finding("saturation", 2))
    plot.add_finding(finding("lr_too_high", 3))
    plot.add_finding(finding("lr_too_high", 5))  # a problem is named once
    assert sorted(plot.finding_lines) == ["lr_too_high", "saturation"]
    assert plot.finding_lines["lr_too_high"].value() == 3
    assert plot.finding_lines["lr_too_high"].label.format == "lr too high"
    plot.highlight_finding("saturation")
    widths = {name: line.pen.widthF() for name, line in plot.finding_lines.items()}
    assert widths["saturation"] > widths["lr_too_high"]
    plot.clear()
    assert plot.finding_lines == {} and not [item for item in plot.loss_plot.items if hasattr(item, "label")
                                             and getattr(item.label, "format", "") == "lr too high"]


def test_evidence_reads_as_numbers_with_names():
    text = evidence_text({"start_loss": 0.8636, "loss": 1157.16, "loss_over_start": 1339.9,
                          "max_update_ratio": 0.2473, "saturated_share": 1.0, "epochs": 2.0,
                          "val_loss": math.inf})
    assert text == ("start loss 0.864 · loss 1,157 · loss ÷ start 1,340 · largest Δw/w 0.247 · saturated share "
                    "100% · epochs 2 · validation loss ∞")
