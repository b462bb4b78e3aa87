"""A 2-D slice of the loss surface around a point (filter-normalised random or PCA directions), evaluated on a
fixed data subset, with weight trajectories projected onto it."""

from core.landscape.directions import (PCA, RANDOM, Directions, LandscapeError, filter_normalise,
                                       filter_normalised_random, pca_directions)
from core.landscape.make_slice import make_slice
from core.landscape.projection import project_trajectory, residual_norms
from core.landscape.surface import LandscapeCancelled, LossSlice, LossSurface, fixed_subset, grid_axis

__all__ = ["Directions", "LandscapeCancelled", "LandscapeError", "LossSlice", "LossSurface", "PCA", "RANDOM",
           "filter_normalise", "filter_normalised_random", "fixed_subset", "grid_axis", "make_slice",
           "pca_directions", "project_trajectory", "residual_norms"]
