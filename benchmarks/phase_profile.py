"""Where an epoch of core's general path goes, phase by phase: the real Trainer, with a timer around every kernel call.

    .venv/bin/python -m benchmarks.phase_profile [--workload wide-sgdm] [--threads N]

`profile_epoch(model)` trains one epoch of a `benchmarks.core_runner.CoreMLP` whose run takes the general path
(`core.training.step.StepRunner`), with the functions that path calls temporarily wrapped in timers, where the
code looks them up: NumPy's matmul and the elementwise kernels as `core.layers.dense_block` calls them, the loss,
the finite checks of the gradients and of the new weights, the copy of the weights kept for a roll-back, the
optimizer's step, the batch gather and the running metric. A matmul is counted as forward or backward by the block method it runs in. Whatever no timer
covers (the Trainer's Python between the calls) is "other". Timers cost well under a microsecond a call, a few
dozen calls a batch, so the profiled epoch takes about as long as an unprofiled one (printed beside it).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from contextlib import ExitStack, contextmanager

PHASES = ("gather batch (copy)", "forward matmuls", "bias + activation, dropout", "loss",
          "activation backward + bias gradients", "backward matmuls", "finite checks (gradients, weights)",
          "save weights (copy)", "optimizer step", "running metric", "other (Python between calls)")


class PhaseClock:
    """Seconds per phase; `timed(fn, phase)` wraps a callable, `phase` may be a function returning the name."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.context = "forward"  # which block method runs: decides whether a matmul is forward or backward

    def timed(self, fn, phase):
        def call(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                name = phase() if callable(phase) else phase
                self.seconds[name] += time.perf_counter() - started
        return call

    def in_context(self, fn, context: str):
        def call(*args, **kwargs):
            self.context = context
            return fn(*args, **kwargs)
        return call


class _TimedModule:
    """A stand-in for a module as another module sees it: the named functions timed, everything else passed on."""

    def __init__(self, module, clock: PhaseClock, phases: dict):
        self._module, self._wrapped = module, {name: clock.timed(getattr(module, name), phase)
                                               for name, phase in phases.items()}

    def __getattr__(self, name):
        return self._wrapped[name] if name in self._wrapped else getattr(self._module, name)


@contextmanager
def _patched(target, name: str, value):
    """Set `target.name` to `value` for the duration (an instance attribute shadows a method)."""
    had_own = name in vars(target)
    saved = vars(target)[name] if had_own else None
    setattr(target, name, value)
    try:
        yield
    finally:
        if had_own:
            setattr(target, name, saved)
        else:
            delattr(target, name)


def profile_epoch(model) -> tuple[dict[str, float], float]:
    """({phase: seconds}, epoch seconds) of one epoch of `model` (a CoreMLP on the general path)."""
    import core.layers.dense_block as dense_block
    import core.training.step as step

    trainer = model.trainer
    if trainer.fused is not None:
        raise ValueError("the phase profile covers the general path; this run trains through the fused kernel")
    clock = PhaseClock()
    steps, network = trainer.steps, trainer.network
    elementwise = "bias + activation, dropout"
    with ExitStack() as stack:
        enter = stack.enter_context
        enter(_patched(dense_block, "np", _TimedModule(
            dense_block.np, clock, {"matmul": lambda: f"{clock.context} matmuls"})))
        enter(_patched(dense_block, "act_k", _TimedModule(dense_block.act_k, clock, {
            "bias_activation": elementwise, "dropout_forward": elementwise, "add_into": elementwise,
            "activation_backward": "activation backward + bias gradients"})))
        enter(_patched(step, "all_finite", clock.timed(step.all_finite, "finite checks (gradients, weights)")))
        for block in network.blocks:
            enter(_patched(block, "forward", clock.in_context(block.forward, "forward")))
            enter(_patched(block, "backward", clock.in_context(block.backward, "backward")))
        enter(_patched(steps.optimizer, "step", clock.timed(steps.optimizer.step, "optimizer step")))
        if steps.guarded_step is not None:  # the step, the copy and the new weights' check in one pass
            enter(_patched(steps, "guarded_step", clock.timed(steps.guarded_step, "optimizer step")))
        enter(_patched(steps, "_save_last_finite", clock.timed(steps._save_last_finite, "save weights (copy)")))
        enter(_patched(network.loss, "value_and_grad", clock.timed(network.loss.value_and_grad, "loss")))
        enter(_patched(trainer.sampler, "batch", clock.timed(trainer.sampler.batch, "gather batch (copy)")))
        enter(_patched(trainer.running_metric, "update", clock.timed(trainer.running_metric.update,
                                                                      "running metric")))
        started = time.perf_counter()
        model.train_epoch()
        epoch = time.perf_counter() - started
    seconds = {phase: clock.seconds.get(phase, 0.0) for phase in PHASES}
    seconds["other (Python between calls)"] = max(0.0, epoch - sum(seconds.values()))
    return seconds, epoch


def describe(name: str, seconds: dict[str, float], epoch: float, unprofiled: float | None, threads: int) -> str:
    matmuls = seconds["forward matmuls"] + seconds["backward matmuls"]
    head = (f"profile of {name} (core, general path, {threads} BLAS thread{'s' if threads != 1 else ''}; every "
            f"kernel call timed in the real Trainer): epoch {epoch * 1e3:,.0f} ms")
    if unprofiled is not None:
        head += f" (unprofiled {unprofiled * 1e3:,.0f} ms)"
    lines = [head + f", matmuls {100 * matmuls / epoch:.0f} %"]
    for phase in PHASES:
        lines.append(f"  {phase:<40}{seconds[phase] * 1e3:9.1f} ms{100 * seconds[phase] / epoch:6.1f} %")
    if seconds["save weights (copy)"] == 0.0 and seconds["optimizer step"] > 0.0:
        lines.append("  (the optimizer step copies the old weights and checks the new ones in the same pass)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from threadpoolctl import threadpool_limits

    from benchmarks.core_runner import CoreMLP
    from benchmarks.workloads import WORKLOADS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=list(WORKLOADS), default="wide-sgdm")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    args = parser.parse_args(argv)
    model = CoreMLP(WORKLOADS[args.workload](), fast_path=False)
    threadpool_limits(limits=args.threads, user_api="blas")  # for the whole (short) program
    model.train_epoch()  # warm-up
    started = time.perf_counter()
    model.train_epoch()
    unprofiled = time.perf_counter() - started
    seconds, epoch = profile_epoch(model)
    print(describe(args.workload, seconds, epoch, unprofiled, args.threads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
