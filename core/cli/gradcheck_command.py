"""`backprop-studio gradcheck PROJECT [--json]`: backprop's gradient against central finite differences.

Runs `core.diagnostics.check_gradients` (float64, dropout with fixed masks, batch norm with training-mode
statistics) on the first `--rows` training rows, at the project's trained weights (its initial weights when
untrained). Text output: one line per layer (relative error, entries probed, ok/FAIL), then a verdict. With
--json: one JSON object per line, one line per layer: `{"layer": str, "relative_error": float,
"checked_entries": int, "passed": bool, "analytic": float, "numeric": float, "threshold": float}` (analytic and
numeric: the two values at the worst entry). Exit 1 when any layer's error is above the threshold, 0 when all
agree, 2 when the project can't be read or its loss is not finite at these weights.
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np

from core.cli.diagnostic_inputs import add_project_arguments, open_inputs, trouble_exits_2
from core.cli.errors import EXIT_FAILURE, EXIT_USAGE, CliError

DEFAULT_ROWS = 32  # a small batch: each probed entry costs two forward passes over it


def add_parser(commands: argparse._SubParsersAction) -> None:
    from core.diagnostics.gradient_check import DEFAULT_TOLERANCE
    parser = commands.add_parser(
        "gradcheck", help="check backprop's gradients against finite differences, layer by layer",
        description="Compare the gradient backprop computes for PROJECT's network with central finite "
                    "differences in float64 on a small batch of its training rows (dropout with fixed masks, "
                    "batch norm in training mode), at its trained weights (initial weights when untrained), and "
                    "print each layer's largest relative error |analytic − numeric| / (|analytic| + |numeric|). "
                    "Exit 1 when a layer is above the threshold, 0 when all agree. With --json, one object per "
                    'layer, one per line: {"layer", "relative_error", "checked_entries", "passed", "analytic", '
                    '"numeric", "threshold"}.')
    add_project_arguments(parser)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS,
                        help="training rows in the batch (default %(default)s)")
    parser.add_argument("--entries", type=int, default=20,
                        help="parameters probed per layer, chosen at random (default %(default)s)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_TOLERANCE,
                        help="the largest relative error that passes (default %(default)g)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.diagnostics import check_gradients
    if args.rows < 1 or args.entries < 1 or not (math.isfinite(args.threshold) and args.threshold > 0):
        raise CliError("--rows and --entries must be at least 1 and --threshold a positive number", EXIT_USAGE)
    with trouble_exits_2():
        inputs = open_inputs(args)
        x, y = inputs.data.x_train[:args.rows], inputs.data.y_train[:args.rows]
        _check_finite_loss(inputs, x, y)
        results = check_gradients(inputs.network, x, y, max_entries_per_layer=args.entries,
                                  seed=int(inputs.network.spec["training"]["seed"]), tolerance=args.threshold)
    failed = [r for r in results if not r.passed]
    if args.json:
        for r in results:
            print(json.dumps({"layer": r.layer_name, "relative_error": r.max_relative_error,
                              "checked_entries": r.checked_entries, "passed": r.passed, "analytic": r.worst_analytic,
                              "numeric": r.worst_numeric, "threshold": args.threshold}, allow_nan=False))
    else:
        print(f"{inputs.name}: {len(x)} rows, {inputs.weights} weights, threshold {args.threshold:g}")
        width = max(len(r.layer_name) for r in results)
        for r in results:
            print(f"{r.layer_name:<{width}}  relative error {r.max_relative_error:9.2e}  "
                  f"({r.checked_entries} entries)  {'ok' if r.passed else 'FAIL'}")
        print(_verdict(failed, len(results), args.threshold))
    return EXIT_FAILURE if failed else 0


def _check_finite_loss(inputs, x: np.ndarray, y: np.ndarray) -> None:
    """A non-finite loss or gradient makes every relative error meaningless: refuse rather than pass."""
    network = inputs.network
    buffers = network.buffers.copy()  # a training-mode pass moves batch norm's running statistics: put back
    with np.errstate(over="ignore", invalid="ignore"):
        loss = float(network.loss_and_grad(x, y, training=True, rng=np.random.default_rng(0)))
    np.copyto(network.buffers, buffers)
    if not (math.isfinite(loss) and np.isfinite(network.grads).all()):
        raise CliError(f"{inputs.name}: the loss or its gradient is not finite at the {inputs.weights} weights "
                       f"(loss {loss:g}); there is no gradient to check")


def _verdict(failed: list, layers: int, threshold: float) -> str:
    if not failed:
        return f"all {layers} layers agree: backprop matches finite differences within {threshold:g}"
    names = ", ".join(r.layer_name for r in failed)
    return (f"FAILED: {len(failed)} of {layers} layers disagree above {threshold:g} ({names}); backprop's "
            f"gradient is wrong there, a bug in that layer's backward pass")
