"""Everything that gets examples into the engine: built-in sets, file loaders, preparation. No Qt.

    from core.data import playground, load_file, prepare
    data = prepare(playground("spiral", noise=0.1), val_fraction=0.2, feature_transform=["x", "y", "sin x"])
"""

from core.data.bundled import SKLEARN_SETS, load_sklearn
from core.data.csv_loader import load_csv
from core.data.csv_preview import CsvPreview, preview_csv
from core.data.dataset import Dataset, DatasetSummary
from core.data.errors import DataError
from core.data.feature_transform import FEATURE_TRANSFORM_NAMES, FeatureTransform
from core.data.idx_loader import load_idx
from core.data.npz_loader import load_npz
from core.data.playground import CLASSIFICATION_SETS, PLAYGROUND_SETS, REGRESSION_SETS, add_point, playground
from core.data.prepare import PreparedData, prepare
from core.data.scaling import SCALING_KINDS, Scaler
from core.data.sources import load_file, load_source
from core.data.split import one_hot, split_indices

__all__ = [
    "CLASSIFICATION_SETS", "CsvPreview", "DataError", "Dataset", "DatasetSummary", "FEATURE_TRANSFORM_NAMES",
    "FeatureTransform", "PLAYGROUND_SETS", "PreparedData", "REGRESSION_SETS", "SCALING_KINDS", "SKLEARN_SETS",
    "Scaler", "add_point", "load_csv", "load_file", "load_idx", "load_npz", "load_sklearn", "load_source",
    "one_hot", "playground", "prepare", "preview_csv", "split_indices",
]
