"""Render every live plot after a real, short training run and save PNGs: `python -m studio.plots.preview DIR`.

Used for the README's screenshots; doubles as a smoke test of the whole training → plots path.
"""

from __future__ import annotations

import sys
from pathlib import Path

PLOT_FILES = {
    "loss": "plot_loss.png", "gradient_flow": "plot_gradient_flow.png", "weights": "plot_weight_histograms.png",
    "boundary": "plot_decision_boundary.png", "confusion": "plot_confusion_matrix.png",
    "activations": "plot_activation_maps.png",
}


def build_plots(controller, document) -> dict:
    from studio.plots.activation_map import NeuronActivationMap
    from studio.plots.confusion_matrix_plot import ConfusionMatrixPlot
    from studio.plots.decision_boundary_plot import DecisionBoundaryPlot
    from studio.plots.gradient_flow_plot import GradientFlowPlot
    from studio.plots.loss_plot import LossPlot
    from studio.plots.weight_histogram_plot import WeightHistogramPlot

    return {"loss": LossPlot(controller), "gradient_flow": GradientFlowPlot(controller),
            "weights": WeightHistogramPlot(controller), "boundary": DecisionBoundaryPlot(controller, document),
            "confusion": ConfusionMatrixPlot(controller, document),
            "activations": NeuronActivationMap(controller, document)}


def train_and_render(out_dir: Path, source: dict | None = None, epochs: int = 60) -> dict:
    import pyqtgraph as pg
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from studio.document import Document
    from studio.training.controller import TrainingController

    app = QApplication.instance() or QApplication(sys.argv[:1])
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    document = Document()
    if source is not None:
        document.set_data_source(source)
    document.set_training_field("epochs", epochs)
    controller = TrainingController(document)
    plots = build_plots(controller, document)
    for plot in plots.values():
        plot.resize(720, 540)
        plot.show()
    loop = QEventLoop()
    controller.finished.connect(lambda _s: QTimer.singleShot(300, loop.quit))
    controller.start()
    loop.exec()
    plots["activations"].show_neuron(1, 2)
    for _ in range(5):
        app.processEvents()
    for plot in plots.values():  # a plot may still wait for its next turn to draw the final figures
        plot.throttle.flush()
    app.processEvents()
    out_dir.mkdir(parents=True, exist_ok=True)
    for key, plot in plots.items():
        plot.grab().save(str(out_dir / PLOT_FILES[key]))
    controller.shutdown()
    return plots


if __name__ == "__main__":
    train_and_render(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
