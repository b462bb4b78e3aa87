"""Regenerate the README's plot and main-window screenshots from real training runs (nothing synthetic).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py [OUT_DIR]

Writes into docs/screenshots (or OUT_DIR):
- plot_*.png: each live plot after 60 epochs of the default project (circles, 2-8-8-2 tanh), 720×540,
- plot_fitted_surface.png: the regression-bumps example (2-D regression) after training,
- plot_fitted_curve.png: a 1-D regression (a noisy sine read from a CSV file) after training,
- main_window_trained.png: the whole window, 1600×1000, after training the default project,
- main_window_vanishing.png: the window after training the vanishing deep-sigmoid example (gradient-flow warning),
- main_window_switched_views.png: the window at its default size, Loss switched to Accuracy, Gradient flow to
  "Over time",
- main_window_reopened.png: a trained project opened in a fresh window (its saved history drawn, its decision
  boundary and neuron thumbnails predicted from the saved weights),
- builder_neuron_thumbnails.png: the network builder mid-training at 10 epochs/s (neuron thumbnails, live
  edges, one node hovered and enlarged), and main_window_watching.png: the whole window at that moment,
- builder_deep_network.png: an 8-hidden-layer network after a short run (readable text, scrolls sideways),
- export_dialog.png: File → Export… on the trained iris example, the PyTorch training script chosen.
- race.png and landscape.png: Training → Race optimizers on the digits example (Adam, SGD, momentum, RMSprop,
  30 epochs): the overlaid curves with the ranking, then the loss landscape with the racers' paths.
- runs_table.png: the Runs dock after six runs of the default project (different learning rates and batch
  sizes, a fork from a checkpoint, a two-optimizer race): the columns of the settings that differ, four runs'
  loss curves overlaid.
- sweep.png: Training → Sweep hyperparameters on a copy of the digits example: 12 TPE trials of 15 epochs over the
  learning rate (log), the hidden layers' units and dropout, and the optimizer, on 2 worker processes: the
  parallel coordinates above the results table (sorted by validation loss), filtered to the trials with the lowest
  losses as a drag along the foot of the validation-loss axis does.
- doctor.png: the window after SGD at lr = 1000 on the default project: the Doctor dock's cards (the "learning
  rate too high" one clicked) and its marker on the loss plot.
- lr_finder.png: Training → Find learning rate on the default project (the curve, the suggestion marked),
- gradcheck.png: Training → Check gradients on the deep-sigmoid example with dropout and batch norm added (one row
  a layer).
- scrub.png: Scrub over a recorded run of the default project (60 epochs, recorded by `train`), at epoch 4: the
  decision boundary forming, the second layer's weights, the gradient flow with the line at that epoch.
Settings and autosaves go to a temporary folder, never the user's.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "resources" / "examples"
WINDOW_SIZE = (1600, 1000)


def wait_for_run(controller, start) -> None:
    """Start a run with `start()` and spin the event loop until it has finished and the plots caught up."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    controller.finished.connect(lambda _snapshot: QTimer.singleShot(400, loop.quit))
    start()
    loop.exec()


def settle(app, rounds: int = 10) -> None:
    from PySide6.QtWidgets import QWidget

    for _ in range(rounds):
        app.processEvents()
    for widget in app.allWidgets():
        throttle = getattr(widget, "throttle", None)
        if isinstance(widget, QWidget) and throttle is not None:
            throttle.flush()
    app.processEvents()


def window_after_training(app, document, out: Path, epochs: int | None = None, show: str | None = None,
                          builder_only: bool = False) -> None:
    """The main window around `document`, trained, grabbed at 1600×1000; `show` raises that dock first;
    `builder_only` grabs the network builder alone."""
    from studio.main_window import MainWindow

    if epochs is not None:
        document.set_training_field("epochs", epochs)
    window = MainWindow(document, autosave_folder=Path(tempfile.mkdtemp()) / "autosave")
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(app)
    window.controller.show_dialogs = False
    wait_for_run(window.controller, window.controller.start)
    if show and show in window.docks:
        window.docks[show].raise_()
    settle(app)
    (window.builder if builder_only else window).grab().save(str(out))
    close_quietly(window)


def doctor_on_high_rate(app, out: Path, epochs: int = 40) -> None:
    """The window after SGD at lr = 1000 on the default project: the Doctor dock's cards, the first one clicked,
    and its marker on the loss plot."""
    from studio.main_window import MainWindow
    from studio.document import Document

    document = Document()
    document.set_settings({"training.optimizer.name": "sgd", "training.optimizer.lr": 1000.0,
                           "training.epochs": epochs})
    window = MainWindow(document, autosave_folder=Path(tempfile.mkdtemp()) / "autosave")
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(app)
    window.controller.show_dialogs = False
    window.docks["doctor_dock"].raise_()
    settle(app)
    wait_for_run(window.controller, window.controller.start)
    settle(app)
    panel = window.docks["doctor_dock"].widget()
    lr_card = next(card for card in panel.cards if card.finding.problem == "lr_too_high")
    panel.select(lr_card.finding.problem)
    settle(app)
    window.grab().save(str(out))
    close_quietly(window)


def close_quietly(window) -> None:
    window.controller.shutdown()
    window.document._dirty_outside_undo = False
    window.document.undo_stack.setClean()
    window.close()


def window_switched_views(app, out: Path) -> None:
    """The window at its default size after training, the Loss dock switched to Accuracy and the Gradient flow
    dock to "Over time": a plot chosen in a small dock fills it."""
    from studio.document import Document
    from studio.main_window import MainWindow

    document = Document()
    document.set_training_field("epochs", 60)
    window = MainWindow(document, autosave_folder=Path(tempfile.mkdtemp()) / "autosave")
    window.resize(1400, 880)  # the size a first start opens at (not the layout an earlier shot left behind)
    window.show()
    window.reset_layout()
    settle(app)
    window.controller.show_dialogs = False
    wait_for_run(window.controller, window.controller.start)
    window.panels["loss_dock"].arrangement.selector.buttons[1].click()
    window.panels["gradient_flow_dock"].arrangement.selector.buttons[1].click()
    settle(app)
    window.grab().save(str(out))
    close_quietly(window)


def window_reopened(app, out: Path, scratch: Path) -> None:
    """A trained project saved, then opened in a fresh window: its curves, gradient flow and confusion matrix
    come back from the saved history, its decision boundary and thumbnails from its weights."""
    from studio.document import Document
    from studio.main_window import MainWindow
    from studio.training.controller import TrainingController

    document = Document()
    document.set_training_field("epochs", 120)
    controller = TrainingController(document)  # no window: a window closed unseen would save its layout
    controller.show_dialogs = False
    wait_for_run(controller, controller.start)
    path = scratch / "circles_trained.bps"
    document.save(path)
    controller.shutdown()
    window = MainWindow(autosave_folder=scratch / "autosave")
    window.resize(*WINDOW_SIZE)
    window.show()
    window.open_project(path, ask_to_save=False)
    wait_for_document_prediction(app, window.controller)  # the boundary and thumbnails of the saved weights
    window.docks["confusion_dock"].raise_()
    settle(app)
    window.grab().save(str(out))
    close_quietly(window)


def wait_for_document_prediction(app, controller, seconds: float = 30.0) -> None:
    """Spin the event loop until the grid prediction of an opened project's weights has arrived (off the GUI
    thread), at most `seconds`."""
    import time

    deadline = time.monotonic() + seconds
    while controller.latest_prediction is None and time.monotonic() < deadline:
        spin(app, 0.05)


def spin(app, seconds: float) -> None:
    """Run the event loop for `seconds` (training goes on meanwhile)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def hover_node(app, builder, layer: int, unit: int) -> None:
    """Move the mouse onto a neuron of the builder (its thumbnail shows enlarged)."""
    from PySide6.QtTest import QTest

    center = builder.blocks[layer].node_center(unit)
    QTest.mouseMove(builder.view.viewport(), builder.view.mapFromScene(center))
    settle(app)


def builder_mid_training(app, out_dir: Path) -> None:
    """The default project training at 10 epochs a second, caught mid-run: the builder and the whole window."""
    from studio.main_window import MainWindow
    from studio.document import Document

    document = Document()
    document.set_training_field("epochs", 300)
    window = MainWindow(document, autosave_folder=Path(tempfile.mkdtemp()) / "autosave")
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(app)
    controller = window.controller
    controller.show_dialogs = False
    speed = window.training_toolbar.speed_box
    speed.setCurrentIndex(speed.findText("10 epochs/s"))  # as a user would: the toolbar shows it
    controller.start()
    spin(app, 4.0)
    hover_node(app, window.builder, 1, 2)
    window.builder.grab().save(str(out_dir / "builder_neuron_thumbnails.png"))
    window.grab().save(str(out_dir / "main_window_watching.png"))
    close_quietly(window)


def builder_deep(app, out: Path, hidden: int = 8) -> None:
    """A network of `hidden` hidden layers on circles after a short run, its builder grabbed."""
    from studio.document import Document

    document = Document()
    while len(document.spec["layers"]) - 1 < hidden:
        document.insert_layer(1)
    window_after_training(app, document, out, epochs=30, builder_only=True)


def fitted_plot(app, document, out: Path, epochs: int) -> None:
    """The decision-boundary dock's plot alone, after training `document`."""
    from studio.plots.decision_boundary_plot import DecisionBoundaryPlot
    from studio.training.controller import TrainingController

    document.set_training_field("epochs", epochs)
    controller = TrainingController(document)
    controller.show_dialogs = False
    plot = DecisionBoundaryPlot(controller, document)
    plot.resize(720, 540)
    plot.show()
    wait_for_run(controller, controller.start)
    settle(app)
    plot.grab().save(str(out))
    controller.shutdown()
    plot.close()


def sine_csv(folder: Path) -> Path:
    """A 1-D regression set: y = sin(2x) + noise over x in [-3, 3], 200 rows."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-3, 3, 200))
    y = np.sin(2 * x) + 0.1 * rng.standard_normal(200)
    path = folder / "sine.csv"
    path.write_text("x,y\n" + "".join(f"{a:.5f},{b:.5f}\n" for a, b in zip(x, y)))
    return path


def diagnostic_dialogs(app, out_dir: Path) -> None:
    """The Training menu's two checks, run to the end on real networks, grabbed at 720×560 and 720×540."""
    from studio.dialogs.gradcheck_dialog import GradientCheckDialog
    from studio.dialogs.lr_finder_dialog import LrFinderDialog
    from studio.document import Document

    with_norms = Document.open(EXAMPLES / "circles_vanishing.bps")
    with_norms.set_settings({"layers[0].dropout": 0.2, "layers[1].batch_norm": True, "layers[2].batch_norm": True})
    for kind, document, name, height in ((LrFinderDialog, Document(), "lr_finder.png", 560),
                                         (GradientCheckDialog, with_norms, "gradcheck.png", 540)):
        dialog = kind(document)
        dialog.resize(720, height)
        dialog.show()
        dialog.start()
        while dialog.task.is_running:
            spin(app, 0.05)
        settle(app)
        dialog.grab().save(str(out_dir / name))
        dialog.close()


def main(out_dir: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = Path(tempfile.mkdtemp(prefix="backprop-screenshots-"))
    os.environ["BACKPROP_STUDIO_DATA_DIR"] = str(scratch / "data")
    import pyqtgraph as pg
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from studio.document import Document
    from studio.plots.preview import train_and_render

    app = QApplication.instance() or QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("BackpropStudioScreenshots")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch / "settings"))
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(scratch / "settings"))
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    out_dir.mkdir(parents=True, exist_ok=True)

    train_and_render(out_dir)
    fitted_plot(app, Document.open(EXAMPLES / "regression_bumps.bps"), out_dir / "plot_fitted_surface.png", 150)
    curve = Document()
    curve.set_data_source({"kind": "file", "path": str(sine_csv(scratch)), "format": "csv", "target": "y",
                           "task": "regression"})
    curve.set_spec(_regression_spec(curve.spec), "1-D regression")
    fitted_plot(app, curve, out_dir / "plot_fitted_curve.png", 300)
    window_after_training(app, Document(), out_dir / "main_window_trained.png", epochs=60)
    window_after_training(app, Document.open(EXAMPLES / "circles_vanishing.bps"),
                          out_dir / "main_window_vanishing.png", show="gradient_flow_dock")
    window_switched_views(app, out_dir / "main_window_switched_views.png")
    window_reopened(app, out_dir / "main_window_reopened.png", scratch)
    builder_mid_training(app, out_dir)
    builder_deep(app, out_dir / "builder_deep_network.png")
    export_dialog_shot(app, out_dir / "export_dialog.png", scratch)
    race_dialog_shots(app, out_dir)
    runs_table_shot(app, out_dir / "runs_table.png", scratch)
    sweep_dialog_shot(app, out_dir / "sweep.png", scratch)
    doctor_on_high_rate(app, out_dir / "doctor.png")
    diagnostic_dialogs(app, out_dir)
    scrub_dialog_shot(app, out_dir / "scrub.png", scratch)
    print(f"screenshots written to {out_dir}")


def scrub_dialog_shot(app, out: Path, scratch: Path, epochs: int = 60, epoch: int = 4) -> None:
    """The Scrub dialog over the default project trained for `epochs` (recorded into the project's run store by
    `train`), the slider at `epoch`, the second layer's weights shown and the gradient flow's timeline complete."""
    from core.cli import run_cli
    from core.runs import RunStore, store_path_for
    from studio.dialogs.scrub_dialog import ScrubDialog
    from studio.document import Document

    project = scratch / "scrub" / "circles.bps"
    project.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    document.set_training_field("epochs", epochs)
    document.save(project)
    run_cli(["train", str(project), "--quiet"])
    with RunStore.open(store_path_for(project)) as store:
        run_id = store.list_runs()[-1].id
    dialog = ScrubDialog(store_path_for(project), run_id)
    dialog.resize(1400, 640)
    dialog.show()
    flow = dialog.gradients

    def ready() -> bool:
        history = flow.history["grad_norms"]
        return (dialog.shown is not None and dialog.shown.epoch == dialog.selected_epoch and bool(history)
                and len(history[0].x) == len(dialog.epochs))

    while not ready():
        spin(app, 0.1)
    dialog.weights.layer_box.setCurrentIndex(1)
    dialog.slider.setValue(dialog.epochs.index(epoch))
    while dialog.shown.epoch != epoch:
        spin(app, 0.1)
    settle(app)
    dialog.grab().save(str(out))
    dialog.done(0)


def export_dialog_shot(app, out: Path, scratch: Path) -> None:
    """The Export dialog on the trained iris example, the PyTorch training script chosen, into ~/models."""
    from core.network import Network
    from core.training import Trainer
    from studio.dialogs.export_dialog import ExportDialog
    from studio.document import Document

    document = Document.open(EXAMPLES / "iris.bps")
    network = Network.from_spec(document.spec)
    trainer = Trainer(network, document.prepared(), report_every=0)
    list(trainer.run())
    document.set_weights(network.get_state(), trainer.history)
    os.environ["HOME"] = str(scratch)  # "~/models" shown as the user would see it, without touching their home
    (scratch / "models").mkdir(exist_ok=True)
    dialog = ExportDialog(document, "~/models")
    dialog.name_edit.setText("train")
    dialog.set_format("torch-train")
    dialog.resize(860, dialog.sizeHint().height())
    dialog.show()
    settle(app)
    dialog.grab().save(str(out))
    dialog.close()


def race_dialog_shots(app, out_dir: Path) -> None:
    """The race dialog after racing four optimizers on the digits example: its curves tab, its landscape tab."""
    from studio.dialogs.race_dialog import RaceDialog
    from studio.document import Document

    dialog = RaceDialog(Document.open(EXAMPLES / "digits.bps"))
    dialog.set_chosen(["adam", "sgd", "momentum", "rmsprop"])
    dialog.epochs.setValue(30)
    dialog.show()
    dialog.start()
    while dialog.job.running or dialog.landscape.job.running or dialog.landscape.plot.result is None:
        spin(app, 0.2)
    settle(app)
    dialog.grab().save(str(out_dir / "race.png"))
    dialog.tabs.setCurrentIndex(1)
    settle(app)
    dialog.grab().save(str(out_dir / "landscape.png"))
    dialog.done(0)


def runs_table_shot(app, out: Path, scratch: Path) -> None:
    """The Runs dock after six runs of the default project (circles) saved in `scratch`: a first run, one with a
    higher learning rate, one with a bigger batch, a fork of the first from its checkpoint at epoch 20, and a
    race of RMSprop against momentum; four of them selected, their loss curves overlaid."""
    from core.race import OptimizerRace, RacerSetup
    from core.race.recording import RaceRecording
    from core.runs import store_path_for
    from studio.document import Document
    from studio.training.controller import TrainingController
    from studio.window.runs_dock import RunsDock

    document = Document()
    document.save(scratch / "circles.bps")
    controller = TrainingController(document)
    controller.show_dialogs = False
    panel = RunsDock(document, controller)
    panel.resize(1500, 820)
    panel.show()

    def train(changes: dict) -> None:
        document.set_settings(changes)
        document.set_weights(None, [])
        wait_for_run(controller, controller.start)

    train({"training.epochs": 40})
    train({"training.optimizer.lr": 0.1})
    train({"training.optimizer.lr": 0.03, "training.batch_size": 32})
    document.set_settings({"training.batch_size": 10, "training.optimizer.lr": 0.003})
    panel.select_runs([panel.model.rows[0].summary.id])
    while panel._curves_job.running or panel.fork_epoch.findData(20) < 0:
        spin(app, 0.1)
    panel.fork_epoch.setCurrentIndex(panel.fork_epoch.findData(20))
    wait_for_run(controller, panel.fork)
    race = OptimizerRace(document.spec, document.prepared(), [RacerSetup.optimizer("rmsprop"),
                                                              RacerSetup.optimizer("momentum")], epochs=40)
    recording = RaceRecording.start(race, store_path_for(document.path), document.data_config,
                                    document.prepared().dataset_hash)
    for update in race.run():
        recording.record(update)
    recording.finish(document.prepared())
    panel.refresh()
    while panel._list_job.running or panel.model.rowCount() < 6:
        spin(app, 0.1)
    ids = [row.summary.id for row in panel.model.rows]
    panel.select_runs(ids[:4])
    while panel._curves_job.running or len(panel.curves.runs) < 4:
        spin(app, 0.1)
    settle(app)
    panel.grab().save(str(out))
    controller.shutdown()
    panel.close()


def sweep_dialog_shot(app, out: Path, scratch: Path) -> None:
    """The Sweep dialog after a 12-trial study on a saved copy of the digits example (the study lives beside it)."""
    from PySide6.QtCore import Qt

    from studio.dialogs.sweep_dialog import SweepDialog
    from studio.document import Document

    document = Document.open(EXAMPLES / "digits.bps")
    document.save(scratch / "digits.bps")
    dialog = SweepDialog(document)
    dialog.editor.set_params(())
    for path in ("training.optimizer.lr", "layers[*].units", "layers[*].dropout", "training.optimizer.name"):
        dialog.editor.add_row(path)
    dialog.trials.setValue(12)
    dialog.workers.setValue(2)
    dialog.epochs.setValue(15)
    dialog.show()
    dialog.start()
    while dialog.job.running or dialog.views.importance_job.running:
        spin(app, 0.2)
    dialog.views.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    objective_axis = len(dialog.views.parallel.axes) - 1  # a drag at the foot of the loss axis: the good trials
    dialog.views.parallel.select_range(objective_axis, 0.0, 0.4)
    settle(app)
    dialog.grab().save(str(out))
    dialog.done(0)


def _regression_spec(spec: dict) -> dict:
    """A 1-16-16-1 tanh network with a linear output and MSE, for the sine curve."""
    from core.spec import thaw

    spec = thaw(spec)  # a plain copy to edit (a Spec never changes)
    layer = dict(spec["layers"][0])
    spec["layers"] = [dict(layer, units=16, activation="tanh"), dict(layer, units=16, activation="tanh"),
                      dict(layer, units=1, activation="linear")]
    spec["training"]["loss"] = "mse"
    return spec


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
