"""Optimizers over the network's flat parameter buffer, with PyTorch's algorithms and defaults.

Sorted from simple to complex: SGD (and its presets Momentum, Nesterov), RMSprop, Adagrad, Adadelta, Adam, AdamW,
Adamax, NAdam, L-BFGS (full batch, by closure); Lookahead wraps any but L-BFGS. `make_optimizer(training, params)`
builds what a spec's training section asks for. Every update is one fused Numba kernel over the whole buffer.
The registry (`OPTIMIZER_CLASSES`, `optimizer_class`, `fused_optimizer_names`) says which of them the fused dense
kernel can step: those that are a `FusableOptimizer` with a `fused_kind` and its kernel contract.
"""

from core.optimizers.adam import Adam, Adamax, AdamW, NAdam
from core.optimizers.adaptive import Adadelta, Adagrad, RMSprop
from core.optimizers.base import OPTIMIZER_CLASSES, FusableOptimizer, Optimizer
from core.optimizers.factory import fused_optimizer_names, make_optimizer, optimizer_class
from core.optimizers.lbfgs import LBFGS
from core.optimizers.lookahead import Lookahead
from core.optimizers.sgd import SGD, Momentum, Nesterov

__all__ = [
    "OPTIMIZER_CLASSES", "Optimizer", "FusableOptimizer", "SGD", "Momentum", "Nesterov", "RMSprop", "Adagrad",
    "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "LBFGS", "Lookahead", "make_optimizer", "optimizer_class",
    "fused_optimizer_names",
]
