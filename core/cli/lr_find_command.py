"""`backprop-studio lr-find PROJECT [--json]`: the learning-rate range test, headless.

Text output: the suggested rate and the rule that chose it, the other rule's rate, then the curve (rate and
smoothed loss per step, the suggested step marked). With --json: one JSON object
`{"suggestion": float, "rule": "steepest" | "minimum", "suggestions": {"steepest": float | null, "minimum":
float}, "stop_reason": str, "weights": "trained" | "initial", "rates": [float, ...], "losses": [float, ...]}`
(`losses` are the smoothed losses, as long as `rates`). The project file is never changed. Exit 0 when a rate
was found, 2 when the project can't be read or the sweep found no curve (one line on stderr).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from core.cli.diagnostic_inputs import add_project_arguments, open_inputs, trouble_exits_2

RULE_WORDS = {"steepest": "steepest descent of the smoothed loss", "minimum": "the minimum's rate ÷ 10"}


def add_parser(commands: argparse._SubParsersAction) -> None:
    from core.diagnostics.lr_finder import DEFAULT_END_LR, DEFAULT_NUM_STEPS, DEFAULT_START_LR
    parser = commands.add_parser(
        "lr-find", help="find a learning rate: the range test, loss against an exponentially growing rate",
        description="Train PROJECT's network one batch per step while the learning rate grows exponentially "
                    f"(from {DEFAULT_START_LR:g} to {DEFAULT_END_LR:g} over {DEFAULT_NUM_STEPS} batches, as "
                    "fastai's lr_find), from its trained weights (its initial weights when untrained), and print "
                    "the suggested rate with the rule that chose it (steepest descent of the smoothed loss, or "
                    "the minimum's rate ÷ 10) and the curve. Nothing is saved. With --json, one object: "
                    '{"suggestion", "rule", "suggestions": {"steepest", "minimum"}, "stop_reason", "weights", '
                    '"rates", "losses"}.')
    add_project_arguments(parser)
    parser.add_argument("--start-lr", type=float, default=DEFAULT_START_LR, help="the first rate (default %(default)g)")
    parser.add_argument("--end-lr", type=float, default=DEFAULT_END_LR, help="the last rate (default %(default)g)")
    parser.add_argument("--steps", type=int, default=DEFAULT_NUM_STEPS,
                        help="batches in the sweep (default %(default)s)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.diagnostics.lr_finder import find_learning_rate
    with trouble_exits_2():
        inputs = open_inputs(args)
        result = find_learning_rate(inputs.network, inputs.data, start_lr=args.start_lr, end_lr=args.end_lr,
                                    num_steps=args.steps)
    if args.json:
        print(json.dumps({**result.to_json(), "weights": inputs.weights}, allow_nan=False))
        return 0
    other = next(s for s in result.suggestions if not s.chosen)
    other_text = f"{other.lr:.3g}" if np.isfinite(other.lr) else "no rate (the loss never clearly fell)"
    print(f"suggested learning rate: {result.suggestion:.3g} ({RULE_WORDS[result.rule]}; "
          f"{RULE_WORDS[other.rule]} gives {other_text})")
    ending = ("the sweep completed" if result.stop_reason == "completed"
              else f"stopped early: the loss {result.stop_reason}")
    print(f"{inputs.name}: {len(result.rates)} steps from the {inputs.weights} weights; {ending}")
    print(f"{'rate':>10}  {'loss':>10}")
    marked = int(np.argmin(np.abs(np.log(result.rates) - np.log(result.suggestion))))
    for i, (rate, loss) in enumerate(zip(result.rates, result.losses)):
        print(f"{rate:>10.3g}  {loss:>10.5g}" + ("  <- suggested" if i == marked else ""))
    return 0
