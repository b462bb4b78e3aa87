"""The Trainer's metric helpers: running accuracy / R² over batches, confusion matrix, accuracy from outputs."""

import numpy as np
import pytest

from core.training.metrics import accuracy, confusion_matrix, r2_score
from core.training.running_metric import RunningMetric


def test_running_accuracy_counts_argmax_hits_over_batches():
    metric = RunningMetric(classification=True, outputs=3)
    metric.update(np.array([[0.1, 2.0, 0.0], [3.0, 0.0, 0.0]], np.float32), np.array([1, 2]))
    metric.update(np.array([[0.0, 0.0, 1.0]], np.float32), np.array([2]))
    assert metric.value() == pytest.approx(2 / 3)
    metric.reset()
    assert np.isnan(metric.value())


def test_running_accuracy_of_one_sigmoid_logit():
    metric = RunningMetric(classification=True, outputs=1)
    metric.update(np.array([[2.0], [-1.0], [0.5]], np.float32), np.array([[1.0], [0.0], [0.0]], np.float32))
    assert metric.value() == pytest.approx(2 / 3)


def test_running_r2_equals_r2_over_the_whole_epoch():
    rng = np.random.default_rng(0)
    targets = rng.normal(size=(50, 2))
    outputs = targets + rng.normal(scale=0.3, size=(50, 2))
    metric = RunningMetric(classification=False, outputs=2)
    for start in range(0, 50, 16):
        metric.update(outputs[start:start + 16], targets[start:start + 16])
    assert metric.value() == pytest.approx(r2_score(outputs, targets), rel=1e-9)


def test_running_state_round_trip():
    metric = RunningMetric(classification=True, outputs=2)
    metric.update(np.array([[1.0, 0.0]], np.float32), np.array([0]))
    copy = RunningMetric(classification=True, outputs=2)
    copy.load_state(metric.state())
    copy.update(np.array([[1.0, 0.0]], np.float32), np.array([1]))
    assert copy.value() == 0.5


def test_confusion_matrix_rows_are_true_classes():
    outputs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    matrix = confusion_matrix(outputs, np.array([0, 1, 1]), 2)
    np.testing.assert_array_equal(matrix, [[1, 0], [1, 1]])
    assert accuracy(outputs, np.array([0, 1, 1])) == pytest.approx(2 / 3)


def test_r2_of_a_perfect_and_of_a_mean_prediction():
    targets = np.array([[1.0], [2.0], [3.0]])
    assert r2_score(targets.copy(), targets) == 1.0
    assert r2_score(np.full_like(targets, 2.0), targets) == pytest.approx(0.0)
