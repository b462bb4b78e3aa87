"""The two messages a run can end with besides success: divergence (with its cures) and a worker exception.

Both are non-modal message boxes (`open()`), so the application keeps running behind them and tests never block.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from core.training.snapshot import Snapshot

DIVERGENCE_CURES = (
    "Lower the learning rate (try ten times smaller).",
    "Turn on gradient clipping (by norm, threshold 1).",
    "Add batch normalization to the hidden layers.",
    "Add a little L2 regularization.",
)


def divergence_text(snapshot: Snapshot) -> str:
    where = f"{snapshot.diverged_layer} blew up first" if snapshot.diverged_layer else "the loss became infinite"
    return (f"Training diverged at epoch {snapshot.epoch + 1}, step {snapshot.step + 1}: {where}. "
            "The last finite weights were kept.")


def show_divergence(parent: QWidget | None, snapshot: Snapshot) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, "Training diverged", divergence_text(snapshot),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("DivergenceDialog")
    cures = "\n".join(f"• {cure}" for cure in DIVERGENCE_CURES)
    box.setInformativeText(f"Cures to try:\n{cures}")
    if snapshot.stop_reason:
        box.setDetailedText(snapshot.stop_reason)
    box.open()
    return box


def show_exception(parent: QWidget | None, message: str, details: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Critical, "Training failed",
                      f"Training stopped because of an error:\n{message}", QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("TrainingErrorDialog")
    box.setInformativeText("Your project is unchanged. Check the settings, or report the details below.")
    box.setDetailedText(details)
    box.open()
    return box
