"""Untrusted binary data files (issue 12): NPZ archives and IDX files, plain and gzipped, generated to lie.

Every generated file either loads (finite float32 features, one target per row) or gives ONE DataError line
naming the file; bombs and headers claiming huge sizes are refused before anything is inflated or allocated.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.data import DataError, load_file, load_idx, load_npz
from core.memory_budget import ENV_VARIABLE
from tests.core.data.files import (
    ZipMember, deflated_member, idx_bytes, npy_bytes, npy_header, npz_bomb, write_idx, zero_bomb_stream, zip_bytes,
)


def _npz_bytes(compressed: bool) -> bytes:
    stream = io.BytesIO()
    save = np.savez_compressed if compressed else np.savez
    save(stream, x=np.arange(60, dtype=np.float32).reshape(20, 3), y=np.arange(20) % 3,
         feature_names=np.array(["a", "b", "c"]))
    return stream.getvalue()


def _assert_loads_or_one_line(path: Path, call) -> None:
    try:
        data = call()
    except DataError as error:
        assert str(error).startswith(path.name) and "\n" not in str(error), str(error)
        return
    assert data.x.dtype == np.float32 and np.isfinite(data.x).all() and len(data.x) == len(data.y) > 0


def _mutants(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    mutants = []
    for _ in range(count):
        mutant = bytearray(data)
        if rng.random() < 0.3:
            mutant = mutant[:rng.randrange(len(mutant))]
        for _ in range(rng.randint(1, 4)):
            if mutant:
                mutant[rng.randrange(len(mutant))] = rng.choice((0, 0xFF, 0x7F, 0x80, rng.randrange(256)))
        mutants.append(bytes(mutant))
    return mutants


@pytest.mark.parametrize("compressed", [False, True])
def test_generated_npz_mutants_load_or_give_one_line(tmp_path, compressed):
    rng = random.Random(12 + compressed)
    for number, mutant in enumerate(_mutants(_npz_bytes(compressed), rng, 400)):
        path = tmp_path / f"mutant{number}.npz"
        path.write_bytes(mutant)
        _assert_loads_or_one_line(path, lambda: load_file(path))


@pytest.mark.parametrize("gzipped", [False, True])
def test_generated_idx_mutants_load_or_give_one_line(tmp_path, gzipped):
    rng = random.Random(34 + gzipped)
    images = idx_bytes(np.arange(6 * 4 * 4, dtype=np.uint8).reshape(6, 4, 4))
    labels = idx_bytes(np.array([0, 1, 2, 0, 1, 2], dtype=np.uint8))
    for number, (image_mutant, label_mutant) in enumerate(zip(_mutants(images, rng, 300), _mutants(labels, rng, 300))):
        image_path, label_path = tmp_path / f"m{number}-images-idx3-ubyte", tmp_path / f"m{number}-labels-idx1-ubyte"
        if gzipped:
            image_mutant, label_mutant = gzip.compress(image_mutant), gzip.compress(label_mutant)
            image_path, label_path = image_path.with_suffix(".gz"), label_path.with_suffix(".gz")
        image_path.write_bytes(image_mutant if number % 2 else images)  # Mutate one file at a time, or both.
        label_path.write_bytes(label_mutant if number % 3 else labels)
        try:
            data = load_idx(image_path, label_path)
        except DataError as error:
            assert str(error).split(":")[0] in (image_path.name, label_path.name) and "\n" not in str(error)
            continue
        assert np.isfinite(data.x).all() and len(data.x) == len(data.y)


def test_every_truncation_of_a_gzipped_idx_is_one_line(tmp_path):
    data = gzip.compress(idx_bytes(np.arange(5 * 3 * 3, dtype=np.uint8).reshape(5, 3, 3)))
    labels = write_idx(tmp_path / "l-idx1-ubyte", np.array([0, 1, 0, 1, 0], dtype=np.uint8))
    for length in range(1, len(data)):
        path = tmp_path / "cut-idx3-ubyte.gz"
        path.write_bytes(data[:length])
        with pytest.raises(DataError, match=r"^cut-idx3-ubyte.gz: "):
            load_idx(path, labels)


# --- bombs and lying headers: refused before inflating or allocating ----------------------------------------------

@pytest.fixture()
def no_array_reads(monkeypatch):
    """Fail if NumPy is asked to read array data: every refusal below must come from the headers alone."""
    def refuse(*args, **kwargs):
        raise AssertionError("array data was read before the checks refused the file")
    monkeypatch.setattr("numpy.load", refuse)


def test_a_zip_bomb_is_refused_before_inflating(tmp_path, no_array_reads):
    path = npz_bomb(tmp_path / "bomb.npz", 3008)  # ~3 MB inflating to 3 GiB of zeros.
    assert path.stat().st_size < 4_000_000
    with pytest.raises(DataError, match=r"^bomb.npz: array 'x' would inflate 1,0\d\d-fold .* looks like a zip bomb"):
        load_npz(path)


def test_a_member_inflating_past_the_budget_is_refused_by_its_directory_entry(tmp_path, monkeypatch, no_array_reads):
    header = npy_header((2**28,), "<f8")
    x = ZipMember("x.npy", deflated_member("x.npy", header).deflated, len(header) + 2**31)  # Claims 2 GiB.
    path = tmp_path / "claims.npz"
    path.write_bytes(zip_bytes([x, deflated_member("y.npy", npy_bytes(np.arange(4)))]))
    monkeypatch.setenv(ENV_VARIABLE, "1G")
    with pytest.raises(DataError, match=r"^claims.npz: array 'x' \(2,147,483,776 bytes unpacked\) needs 2 GiB, "
                                        r"over the memory budget of 1 GiB"):
        load_npz(path)


@pytest.mark.parametrize("shape", [(10**6, 10**6), (2**40, 2**40), (2**63 - 1, 2)])
def test_a_header_claiming_more_values_than_its_member_holds(tmp_path, shape, no_array_reads):
    """10¹² values in a few bytes; (2⁴⁰, 2⁴⁰) overflowed NumPy's int64 product to 0 and slipped past the check."""
    path = tmp_path / "claims.npz"
    members = [deflated_member("x.npy", npy_header(shape, "<f8") + bytes(64)),
               deflated_member("y.npy", npy_bytes(np.arange(4) % 2))]
    path.write_bytes(zip_bytes(members))
    with pytest.raises(DataError, match=r"^claims.npz: array 'x' claims shape .* but its member holds 64 bytes"):
        load_npz(path)


def test_an_archive_listing_thousands_of_members_is_refused(tmp_path):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", npy_bytes(np.zeros((2, 2))))
        archive.writestr("y.npy", npy_bytes(np.array([0, 1])))
        for number in range(1500):
            archive.writestr(f"pad{number}.npy", b"")
    with pytest.raises(DataError, match=r"^many.npz: lists 1,502 members .* at most 1,000 arrays"):
        load_npz(path)


def test_small_compressible_arrays_still_load(tmp_path):
    """The ratio check spares real data: 8 MiB of zeros (1000-fold) is under the size it starts at."""
    path = tmp_path / "zeros.npz"
    np.savez_compressed(path, x=np.zeros((2**19, 4), dtype=np.float32), y=np.arange(2**19) % 2)
    assert load_npz(path).x.shape == (2**19, 4)


@pytest.mark.parametrize("dims", [(2**32 - 1, 2**32 - 1, 2**32 - 1), (2**31, 2**31, 2)])
def test_idx_dimensions_whose_product_overflows_are_refused_before_allocating(tmp_path, dims, monkeypatch):
    images = tmp_path / "huge-idx3-ubyte"
    images.write_bytes(bytes([0, 0, 0x08, 3]) + np.array(dims, dtype=">u4").tobytes() + bytes(100))
    labels = tmp_path / "huge-idx1-ubyte"
    labels.write_bytes(bytes([0, 0, 0x08, 1]) + np.array([dims[0]], dtype=">u4").tobytes() + bytes(100))
    monkeypatch.setattr("numpy.empty", _no_allocation)
    with pytest.raises(DataError, match=r"^huge-idx3-ubyte: loading it needs .* GiB, over the memory budget"):
        load_idx(images, labels)


def _no_allocation(*args, **kwargs):
    raise AssertionError("allocated for a header the checks should have refused")


def test_idx_header_claiming_more_than_the_file_holds_is_refused_before_allocating(tmp_path, monkeypatch):
    images = tmp_path / "short-idx3-ubyte"
    images.write_bytes(bytes([0, 0, 0x08, 3]) + np.array([1000, 28, 28], dtype=">u4").tobytes() + bytes(10))
    labels = write_idx(tmp_path / "short-idx1-ubyte", np.arange(1000, dtype=np.uint8) % 10)
    monkeypatch.setattr("numpy.empty", _no_allocation)
    with pytest.raises(DataError, match=r"^short-idx3-ubyte: has the wrong size: .* holds fewer data bytes \(10\)"):
        load_idx(images, labels)


def test_gzipped_idx_claiming_more_than_deflate_can_hold_is_refused(tmp_path, monkeypatch):
    images = tmp_path / "claim-idx3-ubyte.gz"
    images.write_bytes(gzip.compress(bytes([0, 0, 0x08, 3]) + np.array([60000, 28, 28], dtype=">u4").tobytes()))
    labels = write_idx(tmp_path / "claim-idx1-ubyte", np.arange(60000, dtype=np.uint8) % 10)
    monkeypatch.setattr("numpy.empty", _no_allocation)
    with pytest.raises(DataError, match=r"^claim-idx3-ubyte.gz: has the wrong size: .* inflate to at most"):
        load_idx(images, labels)


def test_a_gzip_bomb_behind_a_small_idx_header_is_read_only_as_far_as_declared(tmp_path):
    """A 3 MB gzip inflating to 3 GiB behind a header declaring 40 bytes: reading stops at byte 41."""
    header = bytes([0, 0, 0x08, 3]) + np.array([10, 2, 2], dtype=">u4").tobytes()
    images = tmp_path / "bomb-idx3-ubyte.gz"
    images.write_bytes(zero_bomb_stream(header, 3000, wbits=31))
    labels = write_idx(tmp_path / "bomb-idx1-ubyte", np.arange(10, dtype=np.uint8) % 2)
    with pytest.raises(DataError, match=r"^bomb-idx3-ubyte.gz: has the wrong size: .* holds more data bytes"):
        load_idx(images, labels)


# --- types and finiteness ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, words", [
    (np.array([[1 + 2j, 3j]] * 4), "must hold numbers, but its dtype is complex128"),
    (np.array([["a", "b"]] * 4), "must hold numbers, but its dtype is <U1"),
    (np.zeros(4, dtype=[("a", "f4"), ("b", "i4")]), "must hold numbers"),
    (np.array(["2020-01-01"] * 4, dtype="datetime64[D]"), "must hold numbers, but its dtype is datetime64[D]"),
    (np.array([[{"a": 1}, None]] * 4, dtype=object), "holds Python objects, which would need unpickling"),
])
def test_npz_feature_types_are_refused_from_the_header(tmp_path, x, words, no_array_reads):
    path = tmp_path / "types.npz"
    np.savez(path, x=x, y=np.array([0, 1, 0, 1]), allow_pickle=True) if x.dtype.hasobject else \
        np.savez(path, x=x, y=np.array([0, 1, 0, 1]))
    with pytest.raises(DataError, match=rf"^types.npz: array 'x' {words.replace('[', '.').replace(']', '.')}"):
        load_npz(path)


@pytest.mark.parametrize("y, words", [
    (np.array([1j, 2j, 3j, 4j]), "must hold numbers or text labels, but its dtype is complex128"),
    (np.array([b"a", None, b"c", b"d"], dtype=object), "holds Python objects"),
])
def test_npz_target_types_are_refused(tmp_path, y, words):
    path = tmp_path / "types.npz"
    np.savez(path, x=np.ones((4, 2)), y=y, allow_pickle=True)
    with pytest.raises(DataError, match=rf"^types.npz: array 'y' {words}"):
        load_npz(path)


def test_a_wide_header_counts_its_feature_names_against_the_budget(tmp_path, monkeypatch, no_array_reads):
    """(1, 10⁷) features: 40 MB of floats, but ten million names of ~100 bytes each (x0 … x9999999)."""
    path = tmp_path / "wide.npz"
    with zipfile.ZipFile(path, "w") as archive:  # Stored, as np.savez does.
        archive.writestr("x.npy", npy_header((1, 10**7), "<f4") + bytes(4 * 10**7))
        archive.writestr("y.npy", npy_bytes(np.array([0])))
    monkeypatch.setenv(ENV_VARIABLE, "500M")
    with pytest.raises(DataError, match=r"^wide.npz: loading it needs 1.0\d GiB, over the memory budget"):
        load_npz(path)


@pytest.mark.parametrize("option", ["features", "targets"])
def test_array_names_must_be_text(tmp_path, option):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.ones((4, 2)), y=np.array([0, 1, 0, 1]))
    with pytest.raises(DataError, match=rf"^d.npz: {option} must be an array's name, got \[\]"):
        load_npz(path, **{option: []})


def test_npz_feature_names_must_be_text(tmp_path):
    path = tmp_path / "names.npz"
    np.savez(path, x=np.ones((4, 2)), y=np.array([0, 1, 0, 1]), feature_names=np.array([1, 2]))
    with pytest.raises(DataError, match=r"^names.npz: array 'feature_names' must hold text"):
        load_npz(path)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan, 1e300])
def test_non_finite_features_name_row_and_column_in_npz_and_idx(tmp_path, bad):
    """1e300 fits float64 but overflows float32 to infinity: refused too."""
    x = np.ones((5, 3))
    x[3, 1] = bad
    npz = tmp_path / "bad.npz"
    np.savez(npz, x=x, y=np.array([0, 1, 0, 1, 0]))
    idx = write_idx(tmp_path / "bad-idx3-ubyte", x.reshape(5, 3, 1))
    labels = write_idx(tmp_path / "bad-idx1-ubyte", np.array([0, 1, 0, 1, 0], dtype=np.uint8))
    for call in (lambda: load_npz(npz), lambda: load_idx(idx, labels)):
        with pytest.raises(DataError) as caught:
            call()
        assert (caught.value.row, caught.value.column) == (4, 2)


def test_nan_class_labels_are_refused(tmp_path):
    path = tmp_path / "labels.npz"
    np.savez(path, x=np.ones((4, 2)), y=np.array([0.0, 1.0, np.nan, 1.0]))
    with pytest.raises(DataError) as caught:
        load_npz(path, task="classification")
    assert caught.value.row == 3 and "NaN" in str(caught.value)


def test_idx_labels_of_floats_are_refused(tmp_path):
    images = write_idx(tmp_path / "f-idx3-ubyte", np.zeros((4, 2, 2), dtype=np.uint8))
    labels = write_idx(tmp_path / "f-idx1-ubyte", np.array([0.0, 1.0, 0.0, 1.0], dtype=np.float32))
    with pytest.raises(DataError, match=r"^f-idx1-ubyte: is not a labels file"):
        load_idx(images, labels)
