"""core.warmup: the plan covers every spec choice, and the program fills an empty cache completely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.kernel_cache import CACHE_ENV, STAMP_NAME
from core.warmup import parse_progress, parse_ready, warmup_plan
from core.spec.catalogue import CLIPPING_MODES, HIDDEN_ACTIVATIONS, LOSSES, OPTIMIZERS, SCHEDULES

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh process after the warm-up: trains the same plan and lists every kernel Numba had to compile.
COUNT_COMPILES = """
import gc
from numba.core.registry import CPUDispatcher
from core.warmup import _data, run_once, warmup_plan
data = {task: _data(task) for task in ("classification", "regression")}
for run in warmup_plan(["float32"]):
    run_once(run, data[run.task])
hits = misses = 0
for kernel in (o for o in gc.get_objects() if isinstance(o, CPUDispatcher)):
    hits += sum(kernel.stats.cache_hits.values())
    for signature, count in kernel.stats.cache_misses.items():
        misses += count
        print("compiled:", kernel.py_func.__module__, kernel.py_func.__name__, signature)
print("hits", hits, "misses", misses)
"""


def test_the_plan_covers_every_choice_of_the_catalogue_in_each_dtype():
    plan = warmup_plan()
    for dtype in ("float32", "float64"):
        specs = [run.spec for run in plan if run.spec["training"]["dtype"] == dtype]
        training = [s["training"] for s in specs]
        assert {t["optimizer"]["name"] for t in training} == set(OPTIMIZERS)
        assert {t["schedule"]["name"] for t in training} == set(SCHEDULES)
        assert {t["loss"] for t in training} == set(LOSSES)
        assert {t["clipping"]["mode"] for t in training} == set(CLIPPING_MODES)
        hidden = [layer for s in specs for layer in s["layers"][:-1]]
        assert {layer["activation"] for layer in hidden} == set(HIDDEN_ACTIVATIONS)
        assert any(layer["batch_norm"] for layer in hidden) and any(layer["residual"] for layer in hidden)
        assert any(layer["dropout"] > 0 for layer in hidden)
        assert any(t["lookahead"]["enabled"] for t in training) and any(t["early_stopping"]["enabled"]
                                                                         for t in training)
    assert [run.spec["training"]["dtype"] for run in plan][0] == "float32"  # the default precision is ready first


def test_progress_lines_parse_and_other_lines_do_not():
    assert parse_progress("warm-up 3/80: optimizer nadam (float32)\n") == (3, 80, "optimizer nadam (float32)")
    assert parse_progress("warm-up ready: float32") is None
    assert parse_ready("warm-up ready: float64\n") == "float64"
    assert parse_ready("warm-up 3/80: loss mse") is None


@pytest.mark.slow
def test_the_warmup_fills_an_empty_cache_so_a_new_process_compiles_nothing(tmp_path):
    cache = tmp_path / "numba-cache"
    env = {**os.environ, CACHE_ENV: str(cache), "PYTHONPATH": str(ROOT)}
    warm = subprocess.run([sys.executable, "-m", "core.warmup", "--dtype", "float32"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert warm.returncode == 0, warm.stderr
    lines = warm.stdout.splitlines()
    progress = [p for p in map(parse_progress, lines) if p]
    assert progress[0][:2] == (1, len(progress)) and progress[-1][:2] == (len(progress), len(progress))
    assert parse_ready(lines[-2]) == "float32"
    assert (cache / STAMP_NAME).is_file() and list(cache.rglob("*.nbi"))

    check = subprocess.run([sys.executable, "-c", COUNT_COMPILES], env=env, cwd=tmp_path, capture_output=True,
                           text=True, timeout=180)
    assert check.returncode == 0, check.stderr
    summary = check.stdout.splitlines()[-1].split()
    assert int(summary[1]) > 10 and int(summary[3]) == 0, check.stdout
