"""The speed benchmark keeps working (it is measured by hand, never asserted on: timings are not tests)."""

import json

from benchmarks.engine_speed import main


def test_engine_benchmark_runs_and_reports_ratios(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--workloads", "playground", "--repeats", "1", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "machine float32 GEMM" in printed and "playground" in printed
    result = json.loads(out.read_text())["results"][0]
    assert result["workload"] == "playground"
    assert result["core_ms"] > 0 and result["numpy_ms"] > 0 and result["speedup_vs_numpy"] > 0
