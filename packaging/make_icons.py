"""Draw the Backprop Studio app icon: a small 2-3-2 network on a blue rounded square, gradients flowing back.

Writes resources/icons/backprop-studio.svg and backprop-studio-<size>.png for 16, 32, 48, 64, 128 and 256 px.
The SVG is written from the same geometry the PNGs are painted from (QPainter, antialiased), so they match.
Run: python packaging/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256)
ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
NAME = "backprop-studio"

# Geometry on a 256-unit canvas.
BACKGROUND = ("#1f6feb", "#0b3d91")  # top, bottom of the gradient
CORNER = 56
COLUMNS = {0: [88, 168], 1: [64, 128, 192], 2: [88, 168]}  # y of the nodes in each layer
COLUMN_X = {0: 60, 1: 128, 2: 196}
NODE_RADIUS = 20
EDGE = "#cfe1ff"
NODE_FILL = "#ffffff"
OUTPUT_FILL = "#ffb547"  # the output layer glows: that's where backprop starts
ARROW = "#ffb547"


def edges() -> list[tuple[float, float, float, float]]:
    lines = []
    for layer in (0, 1):
        for y1 in COLUMNS[layer]:
            for y2 in COLUMNS[layer + 1]:
                lines.append((COLUMN_X[layer], y1, COLUMN_X[layer + 1], y2))
    return lines


def svg_text() -> str:
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">',
        '<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{BACKGROUND[0]}"/><stop offset="1" stop-color="{BACKGROUND[1]}"/>'
        '</linearGradient></defs>',
        f'<rect x="8" y="8" width="240" height="240" rx="{CORNER}" fill="url(#bg)"/>',
    ]
    for x1, y1, x2, y2 in edges():
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{EDGE}" stroke-width="7" '
                     'stroke-linecap="round" opacity="0.85"/>')
    parts.append(f'<path d="M 196 226 Q 128 250 60 226" fill="none" stroke="{ARROW}" stroke-width="10" '
                 'stroke-linecap="round"/>')
    parts.append(f'<path d="M 48 214 L 60 234 L 76 220" fill="none" stroke="{ARROW}" stroke-width="10" '
                 'stroke-linecap="round" stroke-linejoin="round"/>')
    for layer, ys in COLUMNS.items():
        fill = OUTPUT_FILL if layer == 2 else NODE_FILL
        for y in ys:
            parts.append(f'<circle cx="{COLUMN_X[layer]}" cy="{y}" r="{NODE_RADIUS}" fill="{fill}" '
                         f'stroke="{BACKGROUND[1]}" stroke-width="5"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def paint(size: int):
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QBrush, QColor, QImage, QLinearGradient, QPainter, QPainterPath, QPen

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 256.0, size / 256.0)
    gradient = QLinearGradient(0, 8, 0, 248)
    gradient.setColorAt(0, QColor(BACKGROUND[0]))
    gradient.setColorAt(1, QColor(BACKGROUND[1]))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(gradient))
    painter.drawRoundedRect(QRectF(8, 8, 240, 240), CORNER, CORNER)
    # Small icons get thicker strokes so the network still reads at 16 px.
    boost = 1.8 if size <= 32 else 1.0
    edge_color = QColor(EDGE)
    edge_color.setAlphaF(0.85)
    painter.setPen(QPen(edge_color, 7 * boost, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    for x1, y1, x2, y2 in edges():
        painter.drawLine(QPointF(x1, y1), QPointF(x2, y2))
    arrow = QPen(QColor(ARROW), 10 * boost, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                 Qt.PenJoinStyle.RoundJoin)
    painter.setPen(arrow)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    curve = QPainterPath(QPointF(196, 226))
    curve.quadTo(QPointF(128, 250), QPointF(60, 226))
    painter.drawPath(curve)
    head = QPainterPath(QPointF(48, 214))
    head.lineTo(QPointF(60, 234))
    head.lineTo(QPointF(76, 220))
    painter.drawPath(head)
    painter.setPen(QPen(QColor(BACKGROUND[1]), 5))
    for layer, ys in COLUMNS.items():
        painter.setBrush(QColor(OUTPUT_FILL if layer == 2 else NODE_FILL))
        for y in ys:
            painter.drawEllipse(QPointF(COLUMN_X[layer], y), NODE_RADIUS, NODE_RADIUS)
    painter.end()
    return image


def main(folder: Path = ICONS) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QImage text needs it)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / f"{NAME}.svg"]
    written[0].write_text(svg_text(), encoding="utf-8")
    for size in SIZES:
        path = folder / f"{NAME}-{size}.png"
        if not paint(size).save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in main():
        print(written_path)
