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
    assert result["path"] == "fused"  # the playground network trains through the fused kernel


def test_memory_measurement_reports_peak_data_and_limit():
    import numpy as np

    from benchmarks.memory import describe, limit_mb, measure_in_fresh_process
    parent = np.ones(400 * 1024 * 1024 // 8)  # a 400 MB parent: the child must not report the parent's peak
    result = measure_in_fresh_process("playground")  # small: the mechanism, not the MNIST-sized figure
    del parent
    assert 400 > result["peak_mb"] >= result["interpreter_mb"] > 0
    assert result["limit_mb"] == limit_mb(int(round(result["data_mb"] * 1024 * 1024)))
    assert result["met"] == (result["peak_mb"] <= result["limit_mb"])
    assert "limit 1.5 × data + 300 MB" in describe(result)


def test_doctor_cost_benchmark_runs_and_reports_each_variant(capsys):
    from benchmarks.doctor_cost import main as doctor_cost
    doctor_cost(["--workloads", "digits-example", "--epochs", "12", "--repeats", "1"])
    printed = capsys.readouterr().out
    assert "digits-example: 12 epochs" in printed and "without the doctor" in printed
    assert "every-epoch doctor" in printed and "13 detector passes" in printed  # 12 epochs + the end


def test_sweep_scaling_benchmark_runs_and_reports_the_ratio(capsys):
    from benchmarks.sweep_scaling import main as sweep_scaling
    results = sweep_scaling(["--workload", "digits-example", "--trials", "2", "--epochs", "2", "--workers", "1", "1"])
    assert [r["trials"] for r in results] == [2, 2] and all(r["per_minute"] > 0 for r in results)
    printed = capsys.readouterr().out
    assert "digits-example, 2 epochs a trial, 2 trials" in printed and "× 1." in printed
