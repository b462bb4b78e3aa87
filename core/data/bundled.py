"""Real data sets that ship inside scikit-learn, so they load without a download."""

from __future__ import annotations

import numpy as np

from core.data.dataset import Dataset
from core.data.errors import DataError

# name -> (sklearn loader function name, task, extra keyword arguments)
_SETS: dict[str, tuple[str, str, dict]] = {
    "iris": ("load_iris", "classification", {}),
    "wine": ("load_wine", "classification", {}),
    "breast_cancer": ("load_breast_cancer", "classification", {}),
    "digits": ("load_digits", "classification", {}),
    # Unscaled, so the studio's own scaling has visible work to do.
    "diabetes": ("load_diabetes", "regression", {"scaled": False}),
}
SKLEARN_SETS = tuple(_SETS)


def load_sklearn(name: str) -> Dataset:
    """One of `SKLEARN_SETS`: iris, wine, breast_cancer, digits (classification), diabetes (regression)."""
    if name not in _SETS:
        raise DataError(f"data source: field 'name' must be one of {list(SKLEARN_SETS)}, got {name!r}")
    import sklearn.datasets  # Imported here: it takes a moment and most sessions never need it.

    loader_name, task, options = _SETS[name]
    bunch = getattr(sklearn.datasets, loader_name)(**options)
    feature_names = [str(feature) for feature in bunch.feature_names]
    if task == "classification":
        class_names = [str(label) for label in bunch.target_names]
        targets = np.asarray(bunch.target, dtype=np.int64)
        target_names = ["class"]
    else:
        class_names = None
        targets = np.asarray(bunch.target, dtype=np.float32).reshape(-1, 1)
        target_names = ["disease progression"]
    return Dataset(
        name=name,
        x=np.asarray(bunch.data, dtype=np.float32),
        y=targets,
        task=task,  # type: ignore[arg-type]
        feature_names=feature_names,
        class_names=class_names,
        target_names=target_names,
        source={"kind": "sklearn", "name": name},
    )
