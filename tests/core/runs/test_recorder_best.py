"""The recorder writes one "best" checkpoint per hand-over, not one per improving epoch, and the last best reaches
the store when the run finishes."""

from __future__ import annotations

from core.runs.recorder import RunRecorder
from tests.core.runs.fake_runs import epoch_snapshot, weights


class CapturingWriter:
    """Stands in for the store's RunWriter: keeps what the recorder hands over."""

    path = "fake.runs.sqlite"
    error = None

    def __init__(self):
        self.items: list[tuple] = []

    def put(self, item: tuple) -> None:
        self.items.extend(item[1] if item[0] == "many" else [item])

    def flush(self, _timeout: float) -> bool:
        return True


def best_epochs(writer: CapturingWriter) -> list[int]:
    return [item[3] for item in writer.items if item[0] == "weights" and item[2] == "best"]


def test_of_the_bests_between_hand_overs_only_the_last_is_written():
    writer = CapturingWriter()
    recorder = RunRecorder(writer, 1, weights=lambda: weights(1.0), checkpoint_every=1000)
    for epoch in range(1, 21):  # every epoch improves (val loss 1.5/epoch), all within one hand-over period
        recorder.record(epoch_snapshot(epoch))
    recorder.hand_over()
    assert best_epochs(writer) == [20]
    for epoch in range(21, 26):
        recorder.record(epoch_snapshot(epoch))
    recorder.finish("completed", weights(2.0))
    assert best_epochs(writer) == [20, 25]
    assert writer.items[-1][0] == "finish"  # the last best is written before the run's end
