"""Scrub: a recorded run's checkpoints, one at a time, as the studio's timeline slider shows them (issue #15).

    from core.scrub import ScrubRun
    with ScrubRun.open(store_path_for("circles.bps"), run_id) as run:
        view = run.view(run.timeline[-1].epoch)
        view.layers[0].weight, view.grad_norms, view.prediction.outputs

`run_data` loads the run's data again (hash checked), `checkpoint_weights` reads a checkpoint and trusts it only
once it fits the run's network, `checkpoint_view` rebuilds the network at a checkpoint and computes the views.
No Qt here.
"""

from core.scrub.checkpoint_view import CheckpointView, ScrubRun, TimelinePoint
from core.scrub.errors import ScrubError

__all__ = ["CheckpointView", "ScrubError", "ScrubRun", "TimelinePoint"]
