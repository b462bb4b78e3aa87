"""The loss dock's one-line key: the newest figures, each after a swatch of its curve's colour.

It replaces in-plot legends and long titles, which covered the curves and were clipped in a small dock:
"epoch 60  ▬ train 0.0047  ▬ validation 0.016", and "▬ test 0.018" once a run has ended. What it lists follows
the plot on show.
"""

from __future__ import annotations

from html import escape

from core.training.snapshot import Snapshot
from studio.plots.plot_style import LR_COLOUR, TEST_COLOUR, TRAIN_COLOUR, VALIDATION_COLOUR

LOSS, METRIC, LEARNING_RATE = 0, 1, 2
METRIC_NAMES = {"accuracy": "Accuracy", "r2": "R²"}


def metric_title(metric_name: str | None) -> str:
    return METRIC_NAMES.get(metric_name or "", (metric_name or "Metric").capitalize())


def swatch(colour: str, text: str, value: float | None, fmt: str = ".3g") -> str:
    figure = "" if value is None else f" {value:{fmt}}"
    return f'<span style="color:{colour}; font-weight:bold">▬</span>&nbsp;{escape(text)}{figure}'


def test_score_text(metric_name: str | None, score: tuple[float, float]) -> str:
    """The held-out test set's figures, as the status bar gives them: "test accuracy 0.975 · loss 0.0831"."""
    loss, metric = score
    return f"test {metric_title(metric_name).lower()} {metric:.3f} · loss {loss:.3g}"


def summary_html(shown: tuple[int, ...], epoch: Snapshot | None, latest: Snapshot | None,
                 test_score: tuple[float, float] | None = None, compact: bool = False) -> str:
    """The key for the plots in `shown` (LOSS, METRIC, LEARNING_RATE) from the newest epoch and batch, and the
    test set's (loss, metric) once a run has ended; `compact` (a narrow dock) leaves out the epoch and says "val"
    for "validation"."""
    validation = "val" if compact else "validation"
    parts: list[str] = []
    if epoch is not None:
        if not compact:  # the x axis says which epoch
            parts.append(f"<b>epoch {epoch.epoch}</b>")
    elif latest is not None:
        parts.append(f"<b>step {latest.step:,}</b>")
    if LOSS in shown:
        if epoch is not None:
            parts.append(swatch(TRAIN_COLOUR, "train", epoch.train_loss))
            if epoch.val_loss is not None:
                parts.append(swatch(VALIDATION_COLOUR, validation, epoch.val_loss))
        elif latest is not None:
            parts.append(swatch(TRAIN_COLOUR, "train (batch)", latest.train_loss))
        if test_score is not None:
            parts.append(swatch(TEST_COLOUR, "test", test_score[0]))
    if METRIC in shown and epoch is not None and epoch.train_metric is not None:
        name = metric_title(epoch.metric_name).lower() if LOSS in shown else ""
        figures = [swatch(TRAIN_COLOUR, "train", epoch.train_metric, ".3f")]
        if epoch.val_metric is not None:
            figures.append(swatch(VALIDATION_COLOUR, validation, epoch.val_metric, ".3f"))
        if test_score is not None:
            figures.append(swatch(TEST_COLOUR, "test", test_score[1], ".3f"))
        parts.append((f"{escape(name)}: " if name else "") + "&nbsp; ".join(figures))
    if LEARNING_RATE in shown and shown == (LEARNING_RATE,):
        source = latest or epoch
        if source is not None:
            parts.append(swatch(LR_COLOUR, "learning rate", source.lr))
    return "&nbsp;&nbsp; ".join(parts)
