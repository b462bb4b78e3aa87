"""Smoke test of the studio benchmark (benchmarks/studio_latency.py): a tiny run prints every figure it promises.
Speed itself is measured by running the benchmark, never asserted here."""

from __future__ import annotations

import re


def test_a_tiny_run_prints_lateness_throughput_and_the_per_plot_breakdown(capsys):
    from benchmarks import studio_latency

    assert studio_latency.main(["--epochs", "3", "--repeats", "1", "--builder-epochs", "20"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"studio throughput\s+\d+% of the faster headless", out)
    assert re.search(r"lateness p50\s+[\d.]+ ms", out) and re.search(r"lateness p99\s+[\d.]+ ms", out)
    assert re.search(r"^ +1 +[\d,]+ / +[\d,]+ +[\d,]+ +\d+%", out, re.MULTILINE)  # the pair's row
    assert re.search(r"^loss\s", out, re.MULTILINE)  # the loss plot's row in the breakdown
    assert "relayed updates" in out
    assert "CPU ms/s" in out  # main-thread CPU per plot: the figure that a loaded machine does not inflate
    assert re.search(r"^loss\s.*\d+\.\d$", out, re.MULTILINE)  # the loss plot's row ends in its CPU figure
    assert re.search(r"^status bar\s", out, re.MULTILINE)  # the status bar's throttled redraws
    assert re.search(r"^builder\s", out, re.MULTILINE)  # the network builder's row (thumbnails and edges)
    assert re.search(r"builder \(thumbnails \+ edges\) on the GUI thread: [\d.]+% of a core", out)
