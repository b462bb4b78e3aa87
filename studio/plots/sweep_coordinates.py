"""A sweep's trials as the parallel-coordinates plot draws them: one axis per swept setting plus the objective.

A setting's axis spans its search range as the sampler saw it (`ParamRange`): log for a log range, slots for a
list of choices. The objective's axis spans the values reached. A pruned trial is drawn with the last value the
pruner saw (dashed): where it stood when it was stopped. Running and failed trials have no objective yet and are
not drawn. A loss objective whose values spread widely gets a log axis.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.sweeps import ParamRange, TrialResult
from studio.plots.coordinate_axis import CoordinateAxis
from studio.plots.parallel_coordinates_plot import CoordinateLine

LOG_SPREAD = 5.0


def short_label(path: str) -> str:
    """An axis title: the path without its leading "training." (the axes are narrow)."""
    return path.removeprefix("training.")


def trial_objective(trial: TrialResult) -> float | None:
    """The objective a line shows: the final value, or a pruned trial's last reported one."""
    if trial.state == "complete":
        return trial.value
    if trial.state == "pruned" and trial.curve:
        return trial.curve[-1]
    return None


def coordinate_axes(params: Sequence[ParamRange], objective_label: str, trials: Sequence[TrialResult],
                    log_objective: bool = False) -> list[CoordinateAxis]:
    """One axis per parameter, then the objective's: on a log scale when `log_objective` (a loss) and the values
    reached spread over more than a factor `LOG_SPREAD` (else the good trials would crowd at the bottom)."""
    axes = []
    for param in params:
        if param.kind == "choice":
            axes.append(CoordinateAxis(short_label(param.path), "choice", choices=tuple(param.choices)))
        else:
            axes.append(CoordinateAxis(short_label(param.path), param.kind, float(param.low), float(param.high)))
    values = [value for value in map(trial_objective, trials) if value is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    spread = log_objective and low > 0 and high / low >= LOG_SPREAD  # losses that differ by orders of magnitude
    axes.append(CoordinateAxis(objective_label, "log" if spread else "lin", low, high))
    return axes


def coordinate_lines(params: Sequence[ParamRange], trials: Sequence[TrialResult]) -> list[CoordinateLine]:
    lines = []
    for trial in trials:
        value = trial_objective(trial)
        if value is not None:
            values = tuple(trial.params.get(param.path) for param in params) + (value,)
            lines.append(CoordinateLine(trial.number, values, pruned=trial.state == "pruned"))
    return lines
