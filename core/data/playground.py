"""The six 2-D toy data sets of TensorFlow Playground, seeded, plus points added one by one.

Points lie in roughly [-6, 6]². `noise` is a fraction in [0, 1] (Playground's slider goes to 0.5): it jitters
the points by up to ``noise × 5`` (uniform) or widens the Gaussians. Unlike Playground, classification labels
come from the clean point, so noise makes the classes overlap, which is what a student should see.
The 2-class sets are labelled 0 / 1 with class names ``["class 0", "class 1"]``; the regression sets have one
target, "value", in [-1, 1].
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from core.data.dataset import Dataset
from core.data.errors import DataError

CLASSIFICATION_SETS = ("circles", "xor", "gaussians", "spiral")
REGRESSION_SETS = ("plane", "multi_gaussian")
PLAYGROUND_SETS = CLASSIFICATION_SETS + REGRESSION_SETS
CLASS_NAMES = ["class 0", "class 1"]
FEATURE_NAMES = ["x", "y"]
RADIUS = 5.0
DEFAULT_NUM_POINTS = 400
DEFAULT_NOISE = 0.1
MAX_POINTS = 1_000_000

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def _jitter(rng: np.random.Generator, n: int, noise: float) -> np.ndarray:
    return rng.uniform(-RADIUS, RADIUS, size=(n, 2)) * noise


def _two_classes(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def _circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 0: a disc of radius 2.5; class 1: a ring from 3.5 to 5 around it."""
    inner, outer = _two_classes(n)
    radius = np.concatenate([rng.uniform(0, 0.5 * RADIUS, inner), rng.uniform(0.7 * RADIUS, RADIUS, outer)])
    angle = rng.uniform(0, 2 * math.pi, n)
    points = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]) + _jitter(rng, n, noise)
    labels = np.repeat([0, 1], [inner, outer])
    return points, labels


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 where x·y > 0 (quadrants I and III), class 0 elsewhere; points kept 0.3 off the axes."""
    opposite_sign, same_sign = _two_classes(n)
    magnitude = rng.uniform(0.3, RADIUS, size=(n, 2))
    signs = rng.choice([-1.0, 1.0], size=n)
    second_sign = np.concatenate([-signs[:opposite_sign], signs[opposite_sign:]])
    points = np.column_stack([magnitude[:, 0] * signs, magnitude[:, 1] * second_sign])
    labels = np.repeat([0, 1], [opposite_sign, same_sign])
    return points + _jitter(rng, n, noise), labels


def _gaussians(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 0 around (-2, -2), class 1 around (2, 2); noise widens the variance from 0.5 to 4."""
    first, second = _two_classes(n)
    std = math.sqrt(0.5 + 3.5 * min(noise / 0.5, 1.0))
    centres = np.repeat([[-2.0, -2.0], [2.0, 2.0]], [first, second], axis=0)
    return centres + rng.normal(0.0, std, size=(n, 2)), np.repeat([0, 1], [first, second])


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved arms, each turning 1.75 times while its radius grows to 5."""
    arms = []
    for arm_index, count in enumerate(_two_classes(n)):
        fraction = np.arange(count) / max(count, 1)
        radius = fraction * RADIUS
        angle = 1.75 * fraction * 2 * math.pi + arm_index * math.pi
        arms.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
    points = np.concatenate(arms) + rng.uniform(-1, 1, size=(n, 2)) * noise
    return points, np.repeat([0, 1], _two_classes(n))


def _plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """value = (x + y) / 10 over [-6, 6]², measured at a jittered point."""
    points = rng.uniform(-6, 6, size=(n, 2))
    noisy = points + _jitter(rng, n, noise)
    return points, np.clip((noisy[:, 0] + noisy[:, 1]) / 10.0, -1.0, 1.0)


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def _multi_gaussian(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Six bumps of alternating sign; value is the strongest bump's height, falling to 0 at distance 2."""
    points = rng.uniform(-6, 6, size=(n, 2))
    noisy = points + _jitter(rng, n, noise)
    distance = np.hypot(noisy[:, :1] - _BUMPS[:, 0], noisy[:, 1:] - _BUMPS[:, 1])
    heights = _BUMPS[:, 2] * np.clip(1.0 - distance / 2.0, 0.0, 1.0)
    strongest = np.argmax(np.abs(heights), axis=1)
    return points, heights[np.arange(n), strongest]


_GENERATORS: dict[str, Generator] = {
    "circles": _circles, "xor": _xor, "gaussians": _gaussians, "spiral": _spiral,
    "plane": _plane, "multi_gaussian": _multi_gaussian,
}


def playground(
    name: str, num_points: int = DEFAULT_NUM_POINTS, noise: float = DEFAULT_NOISE, seed: int = 0
) -> Dataset:
    """One of `PLAYGROUND_SETS` with `num_points` points; the same arguments always give the same points."""
    source = {"kind": "playground", "name": name, "num_points": num_points, "noise": noise, "seed": seed,
              "added_points": []}
    return _build(source)


def add_point(dataset: Dataset, x: float, y: float, label: float) -> Dataset:
    """A new data set with the point (x, y) appended: a class index for classification, a value for regression.

    The point is recorded in ``source["added_points"]`` so the project rebuilds it.
    """
    if dataset.source.get("kind") != "playground":
        raise DataError(f"points can only be added to playground data sets, not to {dataset.name!r}")
    point = _checked_point([x, y, label], dataset.task, len(dataset.source.get("added_points", [])) + 1)
    source = dict(dataset.source, added_points=[*dataset.source.get("added_points", []), point])
    features = np.concatenate([dataset.x, np.array([point[:2]], dtype=np.float32)])
    if dataset.task == "classification":
        targets = np.append(dataset.y, np.int64(point[2]))
    else:
        targets = np.concatenate([dataset.y, np.array([[point[2]]], dtype=np.float32)])
    return _dataset(source, features, targets)


def _build(source: dict) -> Dataset:
    name = source["name"]
    if name not in _GENERATORS:
        raise DataError(f"data source: field 'name' must be one of {list(PLAYGROUND_SETS)}, got {name!r}")
    num_points, noise, seed = source["num_points"], source["noise"], source["seed"]
    if not _is_integer(num_points) or not 0 < num_points <= MAX_POINTS:
        raise DataError(f"data source: field 'num_points' must be an integer from 1 to {MAX_POINTS}, got {num_points!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)) or not 0 <= noise <= 1:
        raise DataError(f"data source: field 'noise' must be a number from 0 to 1, got {noise!r}")
    if not _is_integer(seed) or seed < 0:
        raise DataError(f"data source: field 'seed' must be a non-negative integer, got {seed!r}")
    # Plain Python numbers keep the source JSON-serialisable even when NumPy scalars were passed.
    num_points, noise, seed = int(num_points), float(noise), int(seed)
    source = dict(source, num_points=num_points, noise=noise, seed=seed)
    task = "classification" if name in CLASSIFICATION_SETS else "regression"
    added = source.get("added_points", [])
    if not isinstance(added, list):
        raise DataError("data source: field 'added_points' must be a list of [x, y, label] triples")
    added = [_checked_point(point, task, number) for number, point in enumerate(added, start=1)]
    points, targets = _GENERATORS[name](num_points, noise, np.random.default_rng(seed))
    if added:
        extra = np.array(added, dtype=np.float64)
        points = np.concatenate([points, extra[:, :2]])
        targets = np.concatenate([targets, extra[:, 2]])
    return _dataset(dict(source, added_points=added), points, targets)


def _dataset(source: dict, points: np.ndarray, targets: np.ndarray) -> Dataset:
    name = source["name"]
    classification = name in CLASSIFICATION_SETS
    return Dataset(
        name=f"{name} (playground)",
        x=points.astype(np.float32),
        y=targets.astype(np.int64) if classification else targets.astype(np.float32).reshape(-1, 1),
        task="classification" if classification else "regression",
        feature_names=list(FEATURE_NAMES),
        class_names=list(CLASS_NAMES) if classification else None,
        target_names=["class"] if classification else ["value"],
        source=source,
    )


def _is_integer(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _checked_point(point: object, task: str, number: int) -> list[float]:
    """[x, y, label] as plain numbers; DataError naming the point if it is malformed."""
    where = f"added point {number}"
    if not isinstance(point, (list, tuple)) or len(point) != 3:
        raise DataError(f"data source: {where} must be [x, y, label], got {point!r}")
    if not all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in point):
        raise DataError(f"data source: {where} must hold three numbers, got {point!r}")
    x, y, label = (float(v) for v in point)
    if not all(math.isfinite(v) for v in (x, y, label)):
        raise DataError(f"data source: {where} must hold finite numbers, got {point!r}")
    if task == "classification":
        if label not in (0.0, 1.0):
            raise DataError(f"data source: {where} needs class 0 or 1, got {label!r}")
        return [x, y, int(label)]
    return [x, y, label]
