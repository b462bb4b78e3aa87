"""One CSV reader for training and prediction (issue 12): on generated files, whatever `load_csv` accepts, predict's
encoder reads back as the very same features.

Each file is a mutant of a small CSV (quotes, line breaks, delimiters, gaps, non-UTF-8 bytes, a BOM, long cells
inserted, cut or replaced, see `test_fuzz_csv`): in UTF-8, in latin-1, with a blank header cell. When `load_csv`
(one-hot, gaps filled with the mean) loads it, the columns refitted from its source (`fit_csv_layout`) must name
its features, and `encode_csv_file` on the same file (how `predict` reads its data) must give its feature matrix.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from core.data import DataError, load_csv
from core.export.raw_columns import encode_csv_file, encoded_feature_names, fit_csv_layout
from tests.core.data.test_fuzz_csv import BASE_CSV, NUMERIC_CSV, _mutate as mutate

LATIN1_CSV = BASE_CSV.replace(b"red", "rouge foncé".encode("latin-1")).replace(b"sepal", "sépale".encode("latin-1"))
BLANK_NAME_CSV = BASE_CSV.replace(b"petal width", b"  ")  # `load_csv` names it "column 2"


def _assert_predict_reads_what_load_reads(path) -> bool:
    """True when `load_csv` accepted the file (and predict's encoder then gave the same features)."""
    try:
        dataset = load_csv(path, categorical="one_hot", missing="mean")
    except DataError:
        return False
    columns, file_columns = fit_csv_layout(dataset.source)
    assert encoded_feature_names(columns) == dataset.feature_names
    x = encode_csv_file(path, columns, file_columns=file_columns)
    np.testing.assert_allclose(x, dataset.x, rtol=1e-6, atol=1e-6)
    return True


def test_the_unmutated_files_read_the_same(tmp_path):
    for number, base in enumerate((BASE_CSV, NUMERIC_CSV, LATIN1_CSV, BLANK_NAME_CSV)):
        path = tmp_path / f"base{number}.csv"
        path.write_bytes(base)
        assert _assert_predict_reads_what_load_reads(path)


@pytest.mark.parametrize("seed", range(4))
def test_generated_mutants_read_the_same_in_load_csv_and_predict(tmp_path, seed):
    rng = random.Random(seed)
    loaded = 0
    for number in range(30):
        base = (BASE_CSV, NUMERIC_CSV, LATIN1_CSV, BLANK_NAME_CSV)[number % 4]
        path = tmp_path / f"mutant{number}.csv"
        path.write_bytes(mutate(base, rng))
        loaded += _assert_predict_reads_what_load_reads(path)
    assert loaded  # the property was checked on some files, not only on refused ones
