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


def test_wide_workloads_train_the_same_network_with_their_own_optimizer():
    """The wide rows (issue #17): each contender builds the same wide network with the row's optimizer, and core
    trains it on the general path (compute-bound). Timing them is the benchmark's job, not a test's."""
    import pytest

    from benchmarks.core_runner import CoreMLP
    from benchmarks.numpy_reference import NumpyMLP
    from benchmarks.workloads import WORKLOADS
    torch = pytest.importorskip("torch")
    from benchmarks.torch_reference import TorchMLP
    expected = {"wide-sgdm": ("momentum", torch.optim.SGD), "wide-adam": ("adam", torch.optim.Adam),
                "wide-rmsprop": ("rmsprop", torch.optim.RMSprop)}
    for name, (optimizer, torch_class) in expected.items():
        work = WORKLOADS[name]()
        assert work.sizes == (512, 1024, 1024, 10) and work.batch_size == 256 and work.num_samples >= 16_000
        assert work.spec()["training"]["optimizer"]["name"] == optimizer
        core = CoreMLP(work)
        assert core.trainer.fused is None and "compute-bound" in core.trainer.fast_path_refusal
        assert type(TorchMLP(work).optimizer) is torch_class
        assert callable(getattr(NumpyMLP(work), "_" + optimizer))
    # forward + weight gradients for every layer, input gradients for all but the first
    assert WORKLOADS["wide-adam"]().flops_per_epoch() == 2 * (3 * (512 + 1024 + 10) - 512) * 1024 * 16_384


def test_phase_profile_times_every_phase_of_the_real_general_step_and_restores_the_code():
    import core.layers.dense_block as dense_block
    import core.training.step as step
    from benchmarks.core_runner import CoreMLP
    from benchmarks.phase_profile import PHASES, describe, profile_epoch
    from benchmarks.workloads import WORKLOADS
    model = CoreMLP(WORKLOADS["digits"](), fast_path=False)
    model.train_epoch()
    originals = (dense_block.np, dense_block.act_k, step.all_finite)
    seconds, epoch = profile_epoch(model)
    assert (dense_block.np, dense_block.act_k, step.all_finite) == originals
    assert "forward" not in vars(model.network.blocks[0]) and "step" not in vars(model.trainer.steps.optimizer)
    assert model.trainer.steps.guarded_step == model.trainer.steps.optimizer.guarded_step  # put back too
    assert list(seconds) == list(PHASES) and all(value >= 0 for value in seconds.values())
    for phase in ("forward matmuls", "backward matmuls", "bias + activation, dropout", "loss",
                  "optimizer step", "finite checks (gradients, weights)", "gather batch (copy)"):
        assert seconds[phase] > 0, phase
    # Adam's step copies the old weights and checks the new ones in the same pass (core.kernels.guarded_steps)
    assert seconds["save weights (copy)"] == 0
    assert sum(seconds.values()) <= epoch * 1.001
    text = describe("digits", seconds, epoch, None, 1)
    assert "matmuls" in text and "in the same pass" in text


def test_concurrent_runs_measure_one_run_against_two_threads_and_two_processes():
    from benchmarks.concurrent_runs import describe, measure
    result = measure("playground", epochs=2, repeats=1)
    assert set(result["samples_per_second"]) == {"one run", "one run, 1 BLAS thread", "two threads",
                                                 "two threads, 1 BLAS thread each", "two processes"}
    assert all(rate > 0 for rate in result["samples_per_second"].values())
    assert max(result["vs_one_run"]["one run"], result["vs_one_run"]["one run, 1 BLAS thread"]) == 1.0
    assert "two processes" in describe(result)


def test_matmuls_alone_compute_exactly_the_flops_the_benchmark_counts(monkeypatch):
    import numpy as np

    import benchmarks.matmul_probe as probe
    from benchmarks.engine_speed import describe_matmuls
    from benchmarks.workloads import WORKLOADS
    work = WORKLOADS["digits"]()  # 1,437 samples: a short last batch too
    counted = []
    real = np.matmul

    def counting(a, b, out):
        counted.append(2 * a.shape[0] * a.shape[1] * b.shape[1])
        return real(a, b, out=out)

    monkeypatch.setattr(probe.np, "matmul", counting)
    probe.MatmulsOnly(work, "numpy").train_epoch()
    assert sum(counted) == work.flops_per_epoch()
    text = describe_matmuls(work, 0.5, 300.0, {"matmuls": (0.25, 2)})
    assert "matmuls alone" in text and "besides the matmuls: 250 ms" in text
