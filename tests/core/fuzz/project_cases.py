"""Malformed project files, generated from one valid project by programmatic mutation (not hand-picked files).

`manifest_cases()` replaces every field of the manifest, one at a time, by each hostile value (NaN, ±inf,
huge, negative, fractional, wrong types, deep nesting); `weights_cases()` stores the weights in every wrong way;
`archive_cases()` cuts, flips and inflates the zip itself; `special_files()` makes paths that are not regular
files. Each case is (id, write(path)); writing it to a path gives the file to feed an entry point.
"""

from __future__ import annotations

import copy
import io
import json
import os
import struct
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from core.network import Network
from core.project import save_project
from core.spec import default_spec

Writer = Callable[[Path], None]
DEEP = "__deeply_nested__"  # replaced in the JSON text by 10⁵ nested lists
DEEP_JSON = "[" * 100_000 + "]" * 100_000
HOSTILE_VALUES: dict[str, Any] = {
    "nan": float("nan"), "inf": float("inf"), "-inf": float("-inf"), "1e12": 1e12, "10**30": 10**30,
    "-1": -1, "2.5": 2.5, "0": 0, "abc": "abc", "empty-text": "", "list": [], "dict": {}, "null": None,
    "true": True, "huge-int-text": "9" * 50,
}
SPEC = default_spec(hidden=(4,))
DATA_CONFIG = {"source": {"kind": "playground", "name": "circles", "num_points": 60, "noise": 0.1, "seed": 1,
                          "added_points": [[1.0, 2.0, 1]]},
               "val_fraction": 0.2, "test_fraction": 0.2, "scaling": "standard", "feature_transform": []}


def trained_state(spec: dict[str, Any] = SPEC) -> dict[str, np.ndarray]:
    state = Network.from_spec(spec, seed=3).get_state()
    state["params"] += np.float32(0.25)
    return state


def valid_project(path: Path) -> None:
    save_project(path, SPEC, DATA_CONFIG, trained_state(), [{"epoch": 1, "train_loss": 0.5, "grad_norms": [1.0]}],
                 extra={"description": "fuzz base"})


def base_manifest(folder: Path) -> dict[str, Any]:
    valid_project(folder / "base.bps")
    with zipfile.ZipFile(folder / "base.bps") as archive:
        return json.loads(archive.read("project.json"))


def weights_bytes(arrays: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def write_project(path: Path, manifest: Any, weights: bytes | None = None, *, deep: bool = False) -> None:
    text = json.dumps(manifest, allow_nan=True)
    if deep:
        text = text.replace(json.dumps(DEEP), DEEP_JSON)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.json", text)
        if weights is not None:
            archive.writestr("weights.npz", weights)


def _paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every path into the manifest: containers first, then their children."""
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _paths(child, prefix + (key,))


def _replaced(manifest: dict[str, Any], path: tuple, value: Any) -> dict[str, Any]:
    mutated = copy.deepcopy(manifest)
    target = mutated
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return mutated


def manifest_cases(folder: Path) -> list[tuple[str, Writer]]:
    """Each manifest field (and each section) replaced by each hostile value; deep nesting at a few places."""
    manifest = base_manifest(folder)
    weights = weights_bytes(trained_state())
    cases: list[tuple[str, Writer]] = []
    for path in _paths(manifest):
        if not path or path[:2] == ("history", 0) and len(path) > 3:
            continue
        where = ".".join(map(str, path))
        for label, value in HOSTILE_VALUES.items():
            mutated = _replaced(manifest, path, value)
            cases.append((f"{where}={label}", lambda p, m=mutated: write_project(p, m, weights)))
    for path in (("extra",), ("spec", "layers", 0, "units"), ("data", "config", "source"), ("history",)):
        mutated = _replaced(manifest, path, DEEP)
        cases.append((f"{'.'.join(map(str, path))}=deep", lambda p, m=mutated: write_project(p, m, weights, deep=True)))
    return cases + _size_cases(manifest) + _old_version_cases()


def _size_cases(manifest: dict[str, Any]) -> list[tuple[str, Writer]]:
    """Networks too big for memory: 10⁹ inputs, two layers of 65,536 units, 10⁵ layers."""
    spec = manifest["spec"]
    wide = copy.deepcopy(spec)
    wide["layers"] = [dict(spec["layers"][0], units=65536), dict(spec["layers"][0], units=65536),
                      spec["layers"][-1]]
    deep_stack = copy.deepcopy(spec)
    deep_stack["layers"] = [dict(spec["layers"][0])] * 100_000 + [spec["layers"][-1]]
    variants = {"input_size=1e9": dict(spec, input_size=10**9), "two-65536-layers": wide,
                "1e5-layers": deep_stack}
    return [(name, lambda p, s=s: write_project(p, dict(manifest, spec=s, has_weights=False)))
            for name, s in variants.items()]


def _old_version_cases() -> list[tuple[str, Writer]]:
    """A version-0 manifest with its own fields ("network", "split", "data") of the wrong types."""
    v0 = {"format": "backprop-studio-project", "version": 0,
          "network": {"input_size": 2, "layers": [{"units": 4}, {"units": 2, "activation": "softmax"}]},
          "data": {"source": {"kind": "sklearn", "name": "iris"}}, "split": {"val_fraction": 0.3}}
    cases = []
    for key in ("network", "data", "split"):
        for label, value in HOSTILE_VALUES.items():
            mutated = dict(v0, **{key: value})
            cases.append((f"v0.{key}={label}", lambda p, m=mutated: write_project(p, m)))
    return cases


def weights_cases(folder: Path) -> list[tuple[str, Writer]]:
    """The weights stored in every wrong way: strings, complex, objects, NaN, inf, wrong shapes, lying headers."""
    manifest = base_manifest(folder)
    good = trained_state()
    params, buffers = good["params"], good["buffers"]
    variants: dict[str, bytes] = {
        "strings": weights_bytes({"params": params.astype(str), "buffers": buffers}),
        "complex": weights_bytes({"params": params.astype(np.complex64), "buffers": buffers}),
        "ints": weights_bytes({"params": params.astype(np.int64), "buffers": buffers}),
        "all-nan": weights_bytes({"params": np.full_like(params, np.nan), "buffers": buffers}),
        "one-inf": weights_bytes({"params": np.where(np.arange(params.size) == 3, np.inf, params), "buffers": buffers}),
        "-inf": weights_bytes({"params": np.full_like(params, -np.inf), "buffers": buffers}),
        "too-short": weights_bytes({"params": params[:-1], "buffers": buffers}),
        "2-d": weights_bytes({"params": params.reshape(1, -1), "buffers": buffers}),
        "other-network": weights_bytes(trained_state(default_spec(hidden=(5,)))),
        "wrong-names": weights_bytes({"layer0.W": params, "layer0.b": buffers}),
        "extra-array": weights_bytes({"params": params, "buffers": buffers, "more": params}),
        "none": weights_bytes({}),
        "garbage": b"PK\x03\x04 this is not an npz" * 10,
        "header-claims-1e12": _lying_npz(params),
        "pickled-objects": _object_npz(),
    }
    return [(f"weights={name}", lambda p, raw=raw: write_project(p, manifest, raw)) for name, raw in variants.items()]


def _lying_npz(params: np.ndarray) -> bytes:
    """An npz whose params header claims 10¹² float32 values while holding a few."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False, "shape": (10**12,)})
        archive.writestr("params.npy", header.getvalue() + params.tobytes())
        archive.writestr("buffers.npy", _npy(np.zeros(0, np.float32)))
    return buffer.getvalue()


def _object_npz() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("params.npy", _npy(np.array([{"evil": 1}], dtype=object), allow_pickle=True))
        archive.writestr("buffers.npy", _npy(np.zeros(0, np.float32)))
    return buffer.getvalue()


def _npy(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def archive_cases(folder: Path) -> list[tuple[str, Writer]]:
    """The zip itself: truncated at many lengths, bytes flipped, a bomb, a lying size, many members, not a zip."""
    valid_project(folder / "whole.bps")
    whole = (folder / "whole.bps").read_bytes()
    cases: list[tuple[str, Writer]] = []
    for cut in sorted({1, 4, 30, len(whole) // 3, len(whole) // 2, len(whole) - 22, len(whole) - 1}):
        cases.append((f"truncated-at-{cut}", lambda p, c=cut: p.write_bytes(whole[:c])))
    for offset in range(40, len(whole), max(1, len(whole) // 12)):
        flipped = bytearray(whole)
        flipped[offset:offset + 8] = bytes(b ^ 0xFF for b in flipped[offset:offset + 8])
        cases.append((f"flipped-at-{offset}", lambda p, f=bytes(flipped): p.write_bytes(f)))
    cases += [("empty", lambda p: p.write_bytes(b"")), ("text", lambda p: p.write_text("hello")),
              ("zip-bomb-manifest", _zip_bomb), ("lying-size", _lying_size),
              ("many-members", _many_members), ("no-manifest", _no_manifest)]
    return cases


def _zip_bomb(path: Path) -> None:
    """A manifest that inflates to 100 MiB from about 100 KB (the real thing, not a forged size)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("project.json", "w", force_zip64=True) as stream:
            chunk = b" " * (1024 * 1024)
            for _ in range(100):
                stream.write(chunk)


def _lying_size(path: Path) -> None:
    """A valid project whose manifest's central-directory size is forged to 1 GiB."""
    valid_project(path)
    data = bytearray(path.read_bytes())
    directory = data.rfind(b"PK\x01\x02")
    while directory != -1:
        name_length = struct.unpack_from("<H", data, directory + 28)[0]
        if bytes(data[directory + 46:directory + 46 + name_length]) == b"project.json":
            struct.pack_into("<I", data, directory + 24, 1024**3)
        directory = data.rfind(b"PK\x01\x02", 0, directory)
    path.write_bytes(bytes(data))


def _many_members(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(1000):
            archive.writestr(f"m{number}", b"")


def _no_manifest(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("other.txt", "x")


def special_files(folder: Path) -> list[tuple[str, Path]]:
    """Paths that are not regular files: a FIFO, a symlink to /dev/zero, a folder (each named x.bps)."""
    made = []
    fifo = folder / "fifo" / "x.bps"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    made.append(("fifo", fifo))
    if os.path.exists("/dev/zero"):
        link = folder / "zero" / "x.bps"
        link.parent.mkdir()
        link.symlink_to("/dev/zero")
        made.append(("symlink-to-dev-zero", link))
    directory = folder / "dir" / "x.bps"
    directory.mkdir(parents=True)
    made.append(("folder", directory))
    return made
