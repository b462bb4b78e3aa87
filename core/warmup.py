"""Fill Numba's disk cache: train a tiny network of every kind through the engine's public API, then stamp it.

`python -m core.warmup` (or the frozen app's `--warm-kernels`) runs in its own process, because Numba
compiles while holding the GIL: in the studio's process it would freeze the window for the whole compile. The
plan is built from the spec catalogue, not from a list of kernels, so every activation, loss, optimizer,
schedule, clipping mode, batch norm, dropout, residual skip, lookahead and early stopping is exercised (and any
kernel added later is compiled too, as long as a spec choice reaches it). Each run trains two epochs with
histograms, the confusion matrix and validation, then predicts and takes the layer activations, as the studio's
worker does.

Output, one line per run, for whoever shows the progress: ``warm-up 3/80: optimizer nadam (float32)``, and
``warm-up ready: float32`` once every run of a precision is done (float32, the default, comes first: about 10 s
of the ~25 s on a 2-core machine). On success the cache folder gets its warm stamp (core.kernel_cache) and the
exit code is 0.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from typing import Any, Sequence

from core.kernel_cache import configure_kernel_cache

PROGRESS_PATTERN = re.compile(r"^warm-up (\d+)/(\d+): (.*)$")
READY_PATTERN = re.compile(r"^warm-up ready: (\w+)$")  # every kernel of this dtype is in the cache
WARMUP_DTYPES = ("float32", "float64")  # float32 is the default; float64 is the spec's "exact" precision


@dataclass(frozen=True)
class WarmupRun:
    """One tiny training run: what it exercises (for the progress line), its spec and its data set."""

    label: str
    spec: dict[str, Any]
    task: str  # "classification" or "regression"


def parse_progress(line: str) -> tuple[int, int, str] | None:
    """(done, total, label) from one output line of the warm-up, or None for any other line."""
    match = PROGRESS_PATTERN.match(line.strip())
    return (int(match[1]), int(match[2]), match[3]) if match else None


def parse_ready(line: str) -> str | None:
    """The dtype whose kernels are all cached, from a "warm-up ready: float32" line; None for other lines."""
    match = READY_PATTERN.match(line.strip())
    return match[1] if match else None


def warmup_plan(dtypes: Sequence[str] = WARMUP_DTYPES) -> list[WarmupRun]:
    """Every spec choice at least once per dtype; variants of the playground network (validated specs)."""
    from core.spec.catalogue import CLIPPING_MODES, HIDDEN_ACTIVATIONS, LOSSES, OPTIMIZERS, SCHEDULES

    base: list[tuple[str, dict[str, Any], str]] = []
    for name in OPTIMIZERS:
        full_batch = {"batch_mode": "full"} if name == "lbfgs" else {}
        base.append((f"optimizer {name}", {"optimizer": {"name": name}, **full_batch}, "classification"))
    for activation in HIDDEN_ACTIVATIONS:
        base.append((f"activation {activation}", {"hidden": activation}, "classification"))
    for loss in LOSSES:
        task = "classification" if loss in ("cross_entropy", "binary_cross_entropy") else "regression"
        base.append((f"loss {loss}", {"loss": loss}, task))
    for schedule in SCHEDULES:
        base.append((f"schedule {schedule}", {"schedule": {"name": schedule}}, "classification"))
    for mode in CLIPPING_MODES:
        base.append((f"clipping {mode}", {"clipping": {"mode": mode, "value": 0.5}}, "classification"))
    base += [
        ("batch norm, dropout, residual", {"layer": {"batch_norm": True, "dropout": 0.2, "residual": True}},
         "classification"),
        ("batch norm, regression", {"layer": {"batch_norm": True}, "loss": "mse"}, "regression"),
        ("L1, L2, decoupled decay", {"l1": 1e-4, "l2": 1e-4, "decoupled_weight_decay": 1e-3}, "classification"),
        ("lookahead, early stopping", {"lookahead": {"enabled": True, "k": 2},
                                       "early_stopping": {"enabled": True, "patience": 0}}, "classification"),
        ("single-sample batches", {"batch_mode": "stochastic"}, "classification"),
    ]
    return [WarmupRun(f"{label} ({dtype})" if len(dtypes) > 1 else label, _spec(changes, task, dtype), task)
            for dtype in dtypes for label, changes, task in base]


def _spec(changes: dict[str, Any], task: str, dtype: str) -> dict[str, Any]:
    from core.spec import validate_spec
    from core.spec.defaults import default_layer, output_layer

    changes = dict(changes)
    hidden = changes.pop("hidden", "tanh")
    layer_options = dict(changes.pop("layer", {}))  # a copy: the plan reuses its changes for every dtype
    loss = changes.pop("loss", "cross_entropy" if task == "classification" else "mse")
    if loss == "binary_cross_entropy":
        output = {**output_layer(1, "regression"), "activation": "sigmoid"}
    else:
        output = output_layer(2 if task == "classification" else 1, task)
    residual = layer_options.pop("residual", False)  # only the second hidden layer has equal in/out widths
    layers = [{**default_layer(6, hidden), **layer_options, "residual": residual and i == 1} for i in range(2)]
    layers.append(output)
    training = {"loss": loss, "optimizer": {"name": "adam", "lr": 0.01}, "batch_mode": "mini", "batch_size": 16,
                "epochs": 2, "dtype": dtype, **changes}
    return validate_spec({"version": 1, "input_size": 2, "layers": layers, "training": training})


def _data(task: str):
    from core.data.playground import playground
    from core.data.prepare import prepare
    return prepare(playground("circles" if task == "classification" else "plane", num_points=64, seed=1),
                   val_fraction=0.25)


def run_once(run: WarmupRun, data) -> None:
    """Train, predict and look inside the network, the way the studio's worker and plots do."""
    from core.network import Network
    from core.training import Trainer

    network = Network.from_spec(run.spec)
    trainer = Trainer(network, data, report_every=1, histogram_every=1, confusion=True)
    for _snapshot in trainer.run():
        trainer.request_histograms()
    network.predict(data.x_val)
    network.layer_activations(data.x_val)
    network.evaluate(data.x_val, data.y_val)


def warm_up(dtypes: Sequence[str] = WARMUP_DTYPES, say=print) -> float:
    """Run the whole plan, report each run through `say`, stamp the cache; returns the seconds it took."""
    from core.kernel_cache import mark_cache_warm

    started = time.perf_counter()
    plan = warmup_plan(dtypes)
    data = {task: _data(task) for task in ("classification", "regression")}
    for number, run in enumerate(plan, 1):
        say(f"warm-up {number}/{len(plan)}: {run.label}")
        run_once(run, data[run.task])
        dtype = run.spec["training"]["dtype"]
        if number == len(plan) or plan[number].spec["training"]["dtype"] != dtype:
            say(f"warm-up ready: {dtype}")  # the studio may train this precision from here on
    seconds = time.perf_counter() - started
    mark_cache_warm(seconds)
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m core.warmup",
                                     description="Compile every Numba kernel the engine uses into the disk cache.")
    parser.add_argument("--dtype", choices=WARMUP_DTYPES, action="append",
                        help="only this precision (repeatable; default: all)")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    folder = configure_kernel_cache()  # before numba is imported, so the kernels land where the app looks
    seconds = warm_up(tuple(args.dtype or WARMUP_DTYPES), say=lambda line: print(line, flush=True))
    print(f"warm-up done in {seconds:.1f} s; cache: {folder or 'beside the kernel sources'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
