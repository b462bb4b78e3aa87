"""The grid prediction the decision-boundary plot, the activation maps and the builder draw: it lives in core
(`core.network.grid_prediction`, Qt-free, so a scrub through a run's checkpoints computes it too); the studio's
modules import it from here as before."""

from core.network.grid_prediction import (GRID_RESOLUTION, LINE_RESOLUTION, MAX_NEURONS_FOR_MAPS, GridPrediction,
                                          GridPredictor, GridSpec)

__all__ = ["GRID_RESOLUTION", "LINE_RESOLUTION", "MAX_NEURONS_FOR_MAPS", "GridPrediction", "GridPredictor",
           "GridSpec"]
