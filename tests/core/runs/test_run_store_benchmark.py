"""benchmarks/run_store.py keeps working (tiny sizes; its timings are printed, never asserted)."""

from __future__ import annotations

import json

from benchmarks.run_store import main


def test_the_run_store_benchmark_runs_and_reports_both_figures(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--epochs", "2", "--repeats", "1", "--runs", "3", "--run-epochs", "4", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "recording, digits × 2 epochs" in printed and "run list, 3 runs × 4 epochs" in printed
    figures = json.loads(out.read_text())
    assert figures["recording"]["plain_s"] > 0 and figures["recording"]["calls_s"] > 0
    assert figures["listing"]["runs"] == 3 and figures["listing"]["open_list_s"] > 0
