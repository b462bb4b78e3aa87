"""Whether a run can use the fused dense kernel (`core.kernels.fused_dense`), and if not, why not.

The fused kernel trains a run of batches in one Numba call: it pays off where per-batch Python overhead dominates
(small networks, small batches). It covers plain dense networks: any elementwise activation, dropout, every loss,
L1/L2 and decoupled weight decay, clipping by value or global norm, and every optimizer that states the fused
kernel contract (a `fused_kind`: Adam, AdamW, RMSprop, SGD, momentum and Nesterov;
`core.optimizers.fused_optimizer_names`).
Everything else keeps the general path, which computes the same steps one kernel at a time:

- batch norm and residual skips (the kernel has no batch-norm statistics or skip connections);
- the other optimizers (no `fused_kind`: the kernel has no update of theirs), Lookahead, and L-BFGS (it steps by
  closure);
- adaptive gradient clipping (per-unit norms);
- compute-bound batches (more than `FUSED_MAX_MACS_PER_BATCH` multiply-adds per batch, e.g. the MNIST-sized
  network): there the matrix products take nearly all the time and the per-batch Python overhead the fused kernel
  removes is well under 5 %, so the general path (NumPy's BLAS, measured at 66–76 % of the machine's GEMM rate)
  keeps them; on this shared machine the fused kernel was not measurably faster there.
"""

from __future__ import annotations

from core.optimizers import fused_optimizer_names, optimizer_class
from core.spec import TrainingSpec

FUSED_CLIPPING = ("none", "value", "norm")
FUSED_MAX_MACS_PER_BATCH = 4_000_000  # digits (batch 32) needs 0.54 M, the MNIST-sized network (batch 128) 30 M


def macs_per_batch(network, batch_size: int) -> int:
    """Multiply-adds of one batch's forward matmuls."""
    return batch_size * sum(block.n_in * block.units for block in network.blocks)


def fused_path_refusal(network, training: TrainingSpec, batch_size: int) -> str | None:
    """None when the fused kernel can train `network` with `training`; otherwise the reason it cannot."""
    for name, block in zip(network.layer_names, network.blocks):
        if block.batch_norm:
            return f"{name} uses batch norm"
        if block.residual:
            return f"{name} has a residual skip"
    optimizer = training.optimizer.name
    if optimizer_class(optimizer).fused_kind is None:
        return f"optimizer {optimizer} has no fused update (fused: {', '.join(fused_optimizer_names())})"
    if training.lookahead.enabled:
        return "Lookahead wraps the optimizer"
    clipping = training.clipping.mode
    if clipping not in FUSED_CLIPPING:
        return f"clipping mode {clipping} is not fused (fused: {', '.join(FUSED_CLIPPING)})"
    macs = macs_per_batch(network, batch_size)
    if macs > FUSED_MAX_MACS_PER_BATCH:
        return (f"a batch takes {macs:,} multiply-adds: compute-bound, so the per-batch overhead the fused kernel "
                f"saves is negligible and the general path's BLAS calls keep it")
    return None
