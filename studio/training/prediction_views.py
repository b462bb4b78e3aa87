"""What every view of a run's grid predictions does with them: keep the newest, and draw it at its own pace.

The decision-boundary plot and the network builder's thumbnails both follow `TrainingController.updated`; an
update may carry a `GridPrediction` (the worker's, or one of the document's saved weights). Each view has a
`throttle` (a `RedrawThrottle`) that decides when its redraw runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.network.grid_prediction import GridPrediction
    from studio.training.worker import WorkerUpdate


class FollowsPredictions:
    """Mixin for a view with `prediction` and `throttle` attributes."""

    prediction: GridPrediction | None
    throttle: Any  # studio.plots.redraw_throttle.RedrawThrottle (the plots stand above training)

    def _on_update(self, update: WorkerUpdate) -> None:
        if update.prediction is not None:
            self.set_prediction(update.prediction)

    def set_prediction(self, prediction: GridPrediction) -> None:
        """A new grid prediction: stored now, drawn at the throttle's pace."""
        self.prediction = prediction
        self.throttle.request()
