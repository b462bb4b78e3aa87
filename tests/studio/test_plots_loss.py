"""The loss plot: curves from snapshots, bounded memory over 100,000 steps, markers, log scale, smoothing."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from core.training.snapshot import Snapshot
from studio.plots.loss_plot import LossPlot
from studio.plots.loss_summary import LEARNING_RATE, LOSS, METRIC
from studio.plots.series_buffer import SeriesBuffer
from studio.plots.synthetic import synthetic_run, synthetic_snapshot


@pytest.fixture(autouse=True)
def light_theme():
    pg.setConfigOptions(antialias=True, background="w", foreground="k")


def test_series_buffer_halves_resolution_when_full():
    buffer = SeriesBuffer(capacity=8)
    for i in range(100):
        buffer.append(i, 2 * i)
    assert len(buffer) <= 8
    assert buffer.x[0] == 0 and np.all(np.diff(buffer.x) == buffer.stride)  # evenly spread over the run
    np.testing.assert_array_equal(buffer.y, 2 * buffer.x)
    assert buffer.x[-1] >= 100 - buffer.stride


def test_loss_plot_draws_batch_and_epoch_curves(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    for snapshot in synthetic_run(epochs=5, batches_per_epoch=20):
        plot.add_snapshot(snapshot) if snapshot.kind == "batch" else plot.add_epochs([snapshot])
    assert plot.throttle.draws <= 2  # 105 updates arrived in one go: drawn once, later
    plot.throttle.flush()
    x, y = plot.batch_curve.getOriginalDataset()
    assert len(x) == 100 and np.all(np.isfinite(y))
    ex, ey = plot.epoch_train_curve.getOriginalDataset()
    np.testing.assert_array_equal(ex, [1, 2, 3, 4, 5])
    vx, _ = plot.epoch_val_curve.getOriginalDataset()
    assert len(vx) == 5
    plot.arrangement.show_plot(METRIC)  # one plot at a time (a small dock): the others get data when shown
    assert len(plot.val_metric_curve.getOriginalDataset()[0]) == 5
    plot.arrangement.show_plot(LEARNING_RATE)
    assert len(plot.lr_curve.getOriginalDataset()[0]) >= 100
    plot.arrangement.show_plot(LOSS)
    assert "epoch 5" in plot.key.text() and "validation" in plot.key.text()


def test_100k_batch_snapshots_stay_bounded(qtbot):
    plot = LossPlot(capacity=10_000)
    qtbot.addWidget(plot)
    base = synthetic_snapshot(1, batches_per_epoch=100)
    for step in range(1, 100_001):
        base.step, base.train_loss = step, 1.0 / step
        plot.add_batch_point(base)
    plot.add_snapshot(base)
    plot.throttle.flush()
    for buffer in (plot.batch_loss, plot.batch_loss_smoothed, plot.learning_rate):
        assert len(buffer) <= 10_000
        assert buffer.x[-1] > 999  # still covers the whole run (epoch 1,000 = step 100,000)
    x, _ = plot.batch_curve.getOriginalDataset()
    assert len(x) <= 10_000


def test_best_epoch_and_divergence_are_marked(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    epoch = synthetic_snapshot(60, batches_per_epoch=20, kind="epoch")
    epoch.best_epoch = 2
    plot.add_epochs([epoch])
    plot.throttle.flush()
    assert plot.best_line.isVisible() and plot.best_line.value() == 2
    end = Snapshot(kind="end", epoch=3, step=61, batches_per_epoch=20, batch_in_epoch=1, train_loss=float("nan"),
                   lr=1e4, metric_name="accuracy", diverged=True, diverged_layer="layer 1 (relu)", finished=True)
    plot.add_snapshot(end)
    assert plot.diverged_line.isVisible() and plot.diverged_line.value() == pytest.approx(61 / 20)
    assert "layer 1" in plot.diverged_line.label.format
    plot.clear()
    assert not plot.diverged_line.isVisible() and len(plot.batch_loss) == 0


def test_log_scale_checkbox_and_smoothing_slider(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    rng = np.random.default_rng(0)
    for step in range(1, 201):
        s = synthetic_snapshot(step, rng=rng)
        plot.add_snapshot(s)
    plot.throttle.flush()
    plot.log_scale.click()
    assert plot.loss_plot.ctrl.logYCheck.isChecked()
    plot.smoothing.setValue(0)
    raw = plot.batch_curve.getOriginalDataset()[1].copy()
    plot.smoothing.setValue(95)
    smooth = plot.batch_curve.getOriginalDataset()[1]
    assert np.std(np.diff(smooth)) < 0.5 * np.std(np.diff(raw))  # smoothing removes the batch noise


@pytest.mark.parametrize("chunks", [[1] * 50, [7, 0, 13, 1, 29], [50], [3, 45, 2]])
def test_series_buffer_extend_keeps_what_one_append_per_point_keeps(chunks):
    one_by_one, at_once = SeriesBuffer(capacity=8), SeriesBuffer(capacity=8)
    xs = np.arange(sum(chunks), dtype=float)
    for x in xs:
        one_by_one.append(x, -x)
    start = 0
    for size in chunks:
        at_once.extend(xs[start : start + size], -xs[start : start + size])
        start += size
    np.testing.assert_array_equal(at_once.x, one_by_one.x)
    np.testing.assert_array_equal(at_once.y, one_by_one.y)
    assert (at_once.stride, at_once._pending) == (one_by_one.stride, one_by_one._pending)
    one_by_one.append(100.0, 1.0)  # and they go on alike
    at_once.append(100.0, 1.0)
    np.testing.assert_array_equal(at_once.x, one_by_one.x)


def test_series_buffer_extend_names_mismatched_input():
    with pytest.raises(ValueError, match="one length"):
        SeriesBuffer(capacity=8).extend(np.arange(3), np.arange(4))


def test_plots_behind_the_selector_get_no_data_until_shown(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(300, 250)  # small: one plot at a time
    plot.show()
    qtbot.waitExposed(plot)
    assert plot.shown_plots() == (LOSS,)
    for snapshot in synthetic_run(epochs=3, batches_per_epoch=10):
        plot.add_snapshot(snapshot) if snapshot.kind == "batch" else plot.add_epochs([snapshot])
    plot.throttle.flush()
    assert len(plot.epoch_train_curve.getOriginalDataset()[0]) == 3
    assert plot.lr_curve.getOriginalDataset()[0] is None or len(plot.lr_curve.getOriginalDataset()[0]) == 0
    plot.arrangement.selector.buttons[LEARNING_RATE].click()
    assert len(plot.lr_curve.getOriginalDataset()[0]) == len(plot.learning_rate) > 0


def test_sparse_batch_points_are_not_drawn_and_the_learning_rate_never_runs_back(qtbot):
    """A fast run: a batch snapshot every few epochs, the newest one arriving after its epoch's record."""
    plot = LossPlot()
    qtbot.addWidget(plot)
    epochs = [synthetic_snapshot(20 * e, batches_per_epoch=20, kind="epoch") for e in range(1, 31)]
    plot.add_snapshot(synthetic_snapshot(1, batches_per_epoch=20))
    plot.add_epochs(epochs[:20])
    plot.add_snapshot(synthetic_snapshot(20 * 19 + 5, batches_per_epoch=20))  # epoch 19.25, after epoch 20
    plot.add_epochs(epochs[20:])
    plot.throttle.flush()
    assert len(plot.batch_loss) == 2 and plot.batch_curve.getOriginalDataset()[0] is None
    assert np.all(np.diff(plot.learning_rate.x) > 0)
    for step in range(20 * 30 + 1, 20 * 32):  # now batches come denser than epochs: drawn
        plot.add_snapshot(synthetic_snapshot(step, batches_per_epoch=20))
    plot.throttle.flush()
    assert len(plot.batch_curve.getOriginalDataset()[0]) == len(plot.batch_loss) >= 30


def test_every_carried_batch_loss_is_plotted_at_its_step_and_smoothed_across_updates(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.smoothing.setValue(50)
    losses = 1.0 / np.arange(1.0, 31.0)
    first = synthetic_snapshot(12, batches_per_epoch=10)
    first.batch_losses = losses[:12]
    epoch = synthetic_snapshot(20, batches_per_epoch=10, kind="epoch")  # an epoch's end carries its tail too
    epoch.batch_losses = losses[12:20]
    last = synthetic_snapshot(30, batches_per_epoch=10)
    last.batch_losses = losses[20:]
    for snapshot in (first, epoch, last):
        plot.add_snapshot(snapshot)
    plot.throttle.flush()
    np.testing.assert_allclose(plot.batch_loss.x, np.arange(1, 31) / 10)
    np.testing.assert_array_equal(plot.batch_loss.y, losses)
    ema, expected = None, []
    for value in losses:
        ema = value if ema is None else 0.5 * ema + 0.5 * value
        expected.append(ema)
    np.testing.assert_allclose(plot.batch_loss_smoothed.y, expected)
    np.testing.assert_allclose(plot.batch_curve.getOriginalDataset()[1], expected)
    plot.smoothing.setValue(0)  # raw: the curve is the losses themselves
    np.testing.assert_array_equal(plot.batch_curve.getOriginalDataset()[1], losses)


def test_a_narrow_key_keeps_the_test_figure_by_shortening_the_words(qtbot):
    """The test score comes last in the key: in the default, narrow loss dock it was cut off."""
    plot = LossPlot()
    qtbot.addWidget(plot)
    for snapshot in synthetic_run(epochs=3, batches_per_epoch=5):
        plot.add_snapshot(snapshot) if snapshot.kind == "batch" else plot.add_epochs([snapshot])
    plot.set_test_score((0.0123, 0.987))
    for width, word in ((900, "validation"), (300, "val")):
        plot.resize(width, 300)
        plot.show()
        qtbot.waitUntil(lambda: plot.key.width() > 0)
        plot.throttle.flush()
        text = plot.key.text()
        assert f"{word} " in text and "test 0.0123" in text
        assert not plot._too_wide(text), f"the key is cut at {width} px: {text}"


def test_a_hundred_epochs_in_one_update_plot_what_one_update_each_would(qtbot):
    """A fast run's update brings many epochs at once (taken in series by series): the same points, decimation,
    learning rates, key and markers as one update per epoch, gaps (no validation, a NaN) and the end included."""
    epochs = []
    for epoch in range(1, 131):
        snapshot = synthetic_snapshot(epoch * 4, batches_per_epoch=4, kind="epoch")
        if epoch % 7 == 0:
            snapshot.val_loss, snapshot.val_metric = None, float("nan")
        if epoch == 50:
            snapshot.lr = float("inf")
        epochs.append(snapshot)
    end = synthetic_snapshot(130 * 4, batches_per_epoch=4, kind="end")
    end.best_epoch = 120
    one_update, one_each = LossPlot(capacity=64), LossPlot(capacity=64)  # small: decimation starts on the way
    for plot in (one_update, one_each):
        qtbot.addWidget(plot)
    one_update.add_epochs([*epochs, end])
    for snapshot in [*epochs, end]:
        one_each.add_epochs([snapshot])
    for bulk, single in zip(one_update._buffers(), one_each._buffers()):
        np.testing.assert_array_equal(bulk.x, single.x)
        np.testing.assert_array_equal(bulk.y, single.y)
        assert (bulk.appended, bulk.stride) == (single.appended, single.stride)
    assert one_update.learning_rate.appended == 129  # the infinite rate is left out
    assert one_update.last_epoch is one_each.last_epoch is end
    assert one_update.best_epoch == one_each.best_epoch == 120
