"""The loss-landscape benchmark keeps working (its timings are printed, never asserted)."""

from benchmarks.landscape_speed import main


def test_landscape_benchmark_runs_every_workload(capsys):
    assert main(["--repeats", "1", "--grid", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("load average") and "3×3 grid" in lines[0]
    assert [line.split()[0] for line in lines[2:]] == ["default", "digits", "digits"]
    assert all(line.split()[-1] in ("yes", "NO") for line in lines[2:])
