"""A training run limits BLAS to one thread and shortens the GIL's switch interval, and puts both back after."""

from __future__ import annotations

import sys

import pytest
from threadpoolctl import threadpool_info

from studio.training.thread_budget import SWITCH_INTERVAL, active_runs, begin_run, end_run, training_thread_budget


def blas_threads() -> dict[str, int]:
    """Thread count of each BLAS loaded now (NumPy's; SciPy's once something loaded it)."""
    return {lib["filepath"]: lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


def restored(original) -> bool:
    """The settings from before: every BLAS that was loaded then has its thread count back (one loaded since,
    e.g. SciPy's by the budget itself, is back to its own default)."""
    now = blas_threads()
    threads_back = all(now[path] == count for path, count in original[0].items())
    return threads_back and sys.getswitchinterval() == original[1]


@pytest.fixture
def original():
    """The settings before the test (with no run going), and a check that the test left them so."""
    assert active_runs() == 0, "an earlier test left a training run's budget in force"
    before = blas_threads(), sys.getswitchinterval()
    assert before[0], "NumPy's BLAS should be visible to threadpoolctl"
    yield before
    assert restored(before)
    assert active_runs() == 0


def budget_in_force(original) -> bool:
    return set(blas_threads().values()) == {1} and sys.getswitchinterval() == SWITCH_INTERVAL


def test_budget_applies_inside_and_restores_after(original):
    with training_thread_budget():
        assert budget_in_force(original)
        assert active_runs() == 1
    assert restored(original)


def test_overlapping_runs_restore_only_when_the_last_one_ends(original):
    begin_run()  # run A
    begin_run()  # run B starts while A goes on
    end_run()  # A ends first: B still trains
    assert budget_in_force(original)
    end_run()
    assert restored(original)


def test_budget_is_restored_when_the_run_raises(original):
    with pytest.raises(RuntimeError, match="the run failed"):
        with training_thread_budget():
            raise RuntimeError("the run failed")
    assert restored(original)


def test_an_unmatched_end_is_an_error(original):
    with pytest.raises(RuntimeError, match="without a matching begin_run"):
        end_run()


def test_a_shorter_interval_set_by_the_user_is_kept(original):
    try:
        sys.setswitchinterval(SWITCH_INTERVAL / 4)
        with training_thread_budget():
            assert sys.getswitchinterval() == SWITCH_INTERVAL / 4
            assert set(blas_threads().values()) == {1}
        assert sys.getswitchinterval() == SWITCH_INTERVAL / 4
    finally:
        sys.setswitchinterval(original[1])


def test_the_controller_holds_the_budget_while_its_run_lasts(original, document, qtbot):
    from studio.training.controller import TrainingController

    controller = TrainingController(document)
    document.set_training_field("epochs", 100_000)
    assert controller.start(paused=True)
    try:
        assert budget_in_force(original) and active_runs() == 1
        controller.play_pause()  # resume: training really runs under the budget
        qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step > 5, timeout=20_000)
        assert budget_in_force(original)
    finally:
        controller.stop()
        qtbot.waitUntil(lambda: controller.state == "idle", timeout=10_000)
    assert restored(original)
