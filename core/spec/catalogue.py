"""The catalogue of every choice a spec can make: activations, initialisers, losses, optimizers, schedules.

Each hyperparameter is a `Field` with its type, default, range and a one-line explanation, so the validator,
the studio's forms (and their tooltips) and the command line all read the same table. Optimizer defaults are
PyTorch's (torch.optim in 2.13), with two exceptions that each help text states: SGD's learning rate is 0.01
(torch: 0.001) and L-BFGS uses the strong Wolfe line search (torch: none). They stay as they are because the
example projects and the studio's default runs are tuned to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Field:
    """One setting: how to validate it and how to present it."""

    name: str
    kind: str  # "float" | "int" | "bool" | "choice" | "int_list"
    default: Any
    help: str
    label: str = ""
    minimum: float | None = None
    maximum: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    choices: tuple[str, ...] = ()
    log_scale: bool = False  # a learning rate is edited on a log scale
    live: bool = False  # may change while training runs (takes effect at the next batch)

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Choice:
    """A named option (an optimizer, a schedule) with its explanation and its own fields."""

    name: str
    label: str
    help: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    def defaults(self) -> dict[str, Any]:
        return {f.name: f.default for f in self.fields}


def _lr(default: float, note: str = "") -> Field:
    """`note`: how this default differs from PyTorch's, said where the default is shown."""
    return Field("lr", "float", default, "Learning rate η: the step size of every update. Too high diverges or "
                 "oscillates, too low crawls." + (f" {note}" if note else ""), label="Learning rate", minimum=0.0,
                 min_inclusive=False, log_scale=True, live=True)


# SGD with and without momentum: torch.optim.SGD's default lr is 0.001; ours is 10× that (the examples rely on it).
_SGD_LR_NOTE = "Default 0.01, unlike torch.optim.SGD's 0.001."


def _eps(default: float) -> Field:
    return Field("eps", "float", default, "Small constant added to the denominator for numerical stability.",
                 label="Epsilon", minimum=0.0, min_inclusive=False, log_scale=True)


def _weight_decay(default: float = 0.0, decoupled: bool = False) -> Field:
    text = ("Decoupled weight decay: every step shrinks each parameter by lr·decay·w, apart from the gradient."
            if decoupled else
            "L2 penalty added to the gradient (PyTorch's weight_decay): grad += decay·w for every parameter.")
    return Field("weight_decay", "float", default, text, label="Weight decay", minimum=0.0, live=True)


def _beta(name: str, default: float, text: str) -> Field:
    return Field(name, "float", default, text, label=name.replace("beta", "β"), minimum=0.0, maximum=1.0,
                 max_inclusive=False)


_BETA1 = _beta("beta1", 0.9, "Decay of the running mean of gradients (first moment).")
_BETA2 = _beta("beta2", 0.999, "Decay of the running mean of squared gradients (second moment).")
_MOMENTUM = Field("momentum", "float", 0.0, "Fraction of the previous step kept in the next: rolls through "
                  "plateaus and damps oscillation.", minimum=0.0, maximum=1.0, max_inclusive=False, live=True)

OPTIMIZERS: dict[str, Choice] = {c.name: c for c in (
    Choice("sgd", "SGD", "Plain gradient descent: w ← w − η∇L. Simple and predictable; slow on ravines.",
           (_lr(0.01, _SGD_LR_NOTE), _MOMENTUM,
            Field("dampening", "float", 0.0, "Scales down the new gradient's share of the momentum buffer.",
                  minimum=0.0, maximum=1.0),
            Field("nesterov", "bool", False, "Look ahead: take the gradient where momentum is about to carry "
                  "the weights."), _weight_decay())),
    Choice("momentum", "SGD with momentum", "Gradient descent that keeps a velocity: speeds up along "
           "consistent directions and damps zig-zags.",
           (_lr(0.01, _SGD_LR_NOTE), Field("momentum", "float", 0.9, _MOMENTUM.help, minimum=0.0, maximum=1.0,
                                           max_inclusive=False, live=True),
            Field("dampening", "float", 0.0, "Scales down the new gradient's share of the momentum buffer.",
                  minimum=0.0, maximum=1.0), _weight_decay())),
    Choice("nesterov", "Nesterov accelerated gradient", "Momentum that measures the gradient at the look-ahead "
           "point: reacts sooner when the slope turns.",
           (_lr(0.01, _SGD_LR_NOTE), Field("momentum", "float", 0.9, _MOMENTUM.help, minimum=0.0, maximum=1.0,
                                           min_inclusive=False, max_inclusive=False, live=True),
            _weight_decay())),
    Choice("rmsprop", "RMSprop", "Divides each step by a running RMS of recent gradients: per-parameter step "
           "sizes, good on non-stationary problems.",
           (_lr(0.01), Field("alpha", "float", 0.99, "Decay of the running mean of squared gradients.",
                             minimum=0.0, maximum=1.0, max_inclusive=False),
            _eps(1e-8), _MOMENTUM, Field("centered", "bool", False, "Normalise by the variance instead of the "
                                         "raw second moment."), _weight_decay())),
    Choice("adagrad", "Adagrad", "Accumulates all squared gradients: rarely-updated parameters keep large steps; "
           "the rate shrinks over time.",
           (_lr(0.01), Field("lr_decay", "float", 0.0, "Learning-rate decay per step: η/(1 + t·decay).",
                             minimum=0.0),
            Field("initial_accumulator_value", "float", 0.0, "Starting value of the squared-gradient sum.",
                  minimum=0.0), _eps(1e-10), _weight_decay())),
    Choice("adadelta", "Adadelta", "Adagrad without the shrinking rate: ratio of running RMS of updates to "
           "running RMS of gradients.",
           (_lr(1.0), Field("rho", "float", 0.9, "Decay of the running averages.", minimum=0.0, maximum=1.0,
                            max_inclusive=False), _eps(1e-6), _weight_decay())),
    Choice("adam", "Adam", "Momentum plus RMSprop with bias correction: the usual first choice.",
           (_lr(0.001), _BETA1, _BETA2, _eps(1e-8),
            Field("amsgrad", "bool", False, "Keep the maximum of the second moment (AMSGrad variant)."),
            _weight_decay())),
    Choice("adamw", "AdamW", "Adam with decoupled weight decay: regularises as intended with adaptive steps.",
           (_lr(0.001), _BETA1, _BETA2, _eps(1e-8),
            Field("amsgrad", "bool", False, "Keep the maximum of the second moment (AMSGrad variant)."),
            _weight_decay(0.01, decoupled=True))),
    Choice("adamax", "Adamax", "Adam with the infinity norm in place of the second moment: robust to "
           "gradient spikes.",
           (_lr(0.002), _BETA1, _BETA2, _eps(1e-8), _weight_decay())),
    Choice("nadam", "Nadam", "Adam with Nesterov momentum.",
           (_lr(0.002), _BETA1, _BETA2, _eps(1e-8),
            Field("momentum_decay", "float", 0.004, "Controls the momentum schedule (ψ).", minimum=0.0),
            _weight_decay())),
    Choice("lbfgs", "L-BFGS", "Quasi-Newton: builds a curvature estimate from recent steps. Full-batch only; "
           "fast on small smooth problems.",
           (_lr(1.0), Field("max_iter", "int", 20, "Iterations per optimisation step.", minimum=1),
            Field("history_size", "int", 100, "Number of past steps kept for the curvature estimate.",
                  minimum=1),
            Field("tolerance_grad", "float", 1e-7, "Stop when the largest gradient entry is below this.",
                  minimum=0.0, log_scale=True),
            Field("tolerance_change", "float", 1e-9, "Stop when the loss or step changes less than this.",
                  minimum=0.0, log_scale=True),
            Field("line_search", "choice", "strong_wolfe", "Step-length rule: strong Wolfe line search, or "
                  "a fixed step of lr. Default strong Wolfe, unlike torch.optim.LBFGS, whose default "
                  "(line_search_fn=None) is the fixed step.", choices=("strong_wolfe", "none")))),
)}

_WARMUP = (
    Field("warmup_epochs", "int", 0, "Epochs of linear warm-up in front of the schedule: the rate climbs from "
          "start factor·η to η.", minimum=0),
    Field("warmup_start_factor", "float", 0.1, "Fraction of η the warm-up starts from.", minimum=0.0,
          maximum=1.0, min_inclusive=False),
)

SCHEDULES: dict[str, Choice] = {c.name: c for c in (
    Choice("constant", "Constant", "The learning rate stays η.", _WARMUP),
    Choice("step", "Step decay", "Multiply the rate by γ every step-size epochs.",
           (Field("step_size", "int", 10, "Epochs between decays.", minimum=1),
            Field("gamma", "float", 0.1, "Factor applied at each decay.", minimum=0.0, maximum=1.0,
                  min_inclusive=False)) + _WARMUP),
    Choice("multistep", "Multi-step decay", "Multiply the rate by γ at each listed epoch.",
           (Field("milestones", "int_list", [30, 80], "Epochs at which the rate decays (increasing).",
                  minimum=1),
            Field("gamma", "float", 0.1, "Factor applied at each milestone.", minimum=0.0, maximum=1.0,
                  min_inclusive=False)) + _WARMUP),
    Choice("exponential", "Exponential decay", "Multiply the rate by γ every epoch.",
           (Field("gamma", "float", 0.95, "Factor applied every epoch.", minimum=0.0, maximum=1.0,
                  min_inclusive=False),) + _WARMUP),
    Choice("cosine", "Cosine annealing", "The rate follows half a cosine from η down to the minimum over T "
           "epochs.",
           (Field("t_max", "int", 0, "Epochs of one half-cosine; 0 means the whole run.", minimum=0),
            Field("eta_min", "float", 0.0, "The lowest rate.", minimum=0.0)) + _WARMUP),
    Choice("cosine_restarts", "Cosine with warm restarts", "Cosine annealing that jumps back to η every T₀ "
           "epochs (×T_mult each time): escapes plateaus and saddle points.",
           (Field("t_0", "int", 10, "Epochs until the first restart.", minimum=1),
            Field("t_mult", "int", 1, "Each cycle is this many times longer than the last.", minimum=1),
            Field("eta_min", "float", 0.0, "The lowest rate.", minimum=0.0)) + _WARMUP),
    Choice("plateau", "Reduce on plateau", "Multiply the rate by the factor when the monitored loss has not "
           "improved for patience epochs.",
           (Field("factor", "float", 0.1, "Factor applied on a plateau.", minimum=0.0, maximum=1.0,
                  min_inclusive=False, max_inclusive=False),
            Field("patience", "int", 10, "Epochs without improvement before reducing.", minimum=0),
            Field("threshold", "float", 1e-4, "Relative improvement that counts.", minimum=0.0),
            Field("cooldown", "int", 0, "Epochs to wait after a reduction.", minimum=0),
            Field("min_lr", "float", 0.0, "The rate never goes below this.", minimum=0.0)) + _WARMUP),
)}

ACTIVATIONS: dict[str, str] = {
    "linear": "Identity: f(z) = z. For regression outputs, or to see what a purely linear network can't do.",
    "sigmoid": "σ(z) = 1/(1+e^−z), squashes to (0, 1). Saturates: deep sigmoid stacks suffer vanishing gradients.",
    "tanh": "tanh(z), squashes to (−1, 1), zero-centred. Saturates like sigmoid, but trains faster.",
    "relu": "max(0, z). Cheap and non-saturating for z > 0: the default for hidden layers. Units can 'die'.",
    "leaky_relu": "z for z > 0, slope·z otherwise: ReLU that keeps a small gradient, so no unit dies.",
    "elu": "z for z > 0, e^z − 1 otherwise: smooth, negative outputs push mean activations toward zero.",
    "gelu": "z·Φ(z) (tanh approximation): the smooth ReLU of transformers.",
    "softplus": "log(1 + e^z): a smooth ReLU, always positive.",
    "softmax": "Turns the outputs into class probabilities that sum to 1. Output layer only, with cross-entropy.",
}
HIDDEN_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a != "softmax")

INITIALIZERS: dict[str, str] = {
    "auto": "He for ReLU-like activations, Xavier for the others: the usual good choice.",
    "xavier_uniform": "Glorot uniform: variance 2/(fan_in+fan_out). Keeps signal size steady through tanh/sigmoid.",
    "xavier_normal": "Glorot normal: variance 2/(fan_in+fan_out).",
    "he_uniform": "Kaiming uniform: variance 2/fan_in. Made for ReLU, which zeroes half the signal.",
    "he_normal": "Kaiming normal: variance 2/fan_in.",
    "lecun_uniform": "LeCun uniform: variance 1/fan_in (for SELU-like or linear layers).",
    "lecun_normal": "LeCun normal: variance 1/fan_in.",
    "zeros": "All zeros: every unit stays identical (symmetry is never broken). Shown for teaching.",
}
RELU_LIKE = ("relu", "leaky_relu", "elu", "gelu", "softplus")

LOSSES: dict[str, str] = {
    "mse": "Mean squared error: the mean of (y − ŷ)². Regression; punishes large errors strongly.",
    "mae": "Mean absolute error: the mean of |y − ŷ|. Regression; robust to outliers.",
    "huber": "Squared for small errors, absolute beyond δ: MSE's smoothness with MAE's robustness.",
    "binary_cross_entropy": "Cross-entropy of a sigmoid output against 0/1 targets (computed on logits, stable).",
    "cross_entropy": "Softmax cross-entropy against class labels (fused with softmax, stable). Classification.",
}

BATCH_MODES: dict[str, str] = {
    "full": "Batch gradient descent: one update per epoch on the whole training set. Smooth but slow.",
    "stochastic": "Stochastic gradient descent: one update per sample. Noisy, many cheap steps.",
    "mini": "Mini-batch gradient descent: one update per batch of samples. The usual compromise.",
}

CLIPPING_MODES: dict[str, str] = {
    "none": "No clipping.",
    "value": "Clip every gradient entry to [−c, c].",
    "norm": "Rescale the whole gradient when its global L2 norm exceeds c.",
    "agc": "Adaptive (unit-wise) clipping: limit each unit's gradient norm to c times its weight norm.",
}

EARLY_STOPPING_MONITORS = ("val_loss", "val_metric", "train_loss")
DTYPES = ("float32", "float64")

LAYER_FIELDS: tuple[Field, ...] = (
    Field("units", "int", 8, "Number of neurons in this layer.", minimum=1, maximum=65536),
    Field("activation", "choice", "relu", "The non-linearity applied after the weighted sum.",
          choices=tuple(ACTIVATIONS)),
    Field("init", "choice", "auto", "How the weights start before training.", label="Initialiser",
          choices=tuple(INITIALIZERS)),
    Field("batch_norm", "bool", False, "Normalise the weighted sums over each batch (then scale and shift by "
          "learned γ, β): steadier, faster training and a cure for vanishing gradients.", label="Batch norm"),
    Field("dropout", "float", 0.0, "Fraction of this layer's outputs zeroed at random while training (scaled "
          "up to keep their sum): fights overfitting. Off when predicting.", minimum=0.0, maximum=1.0,
          max_inclusive=False),
    Field("residual", "bool", False, "Add the layer's input to its output (x + f(x)): a shortcut that keeps "
          "gradients flowing in deep stacks. Needs equal input and output width.", label="Residual skip"),
    Field("leaky_slope", "float", 0.01, "Slope of leaky ReLU for negative inputs.", minimum=0.0, maximum=1.0),
)

TRAINING_FIELDS: tuple[Field, ...] = (
    Field("loss", "choice", "cross_entropy", "What training minimises.", choices=tuple(LOSSES)),
    Field("huber_delta", "float", 1.0, "Huber loss: where squared error turns into absolute error.",
          label="Huber δ", minimum=0.0, min_inclusive=False),
    Field("epochs", "int", 100, "Passes over the training set.", minimum=1, maximum=1_000_000),
    Field("batch_mode", "choice", "mini", "How many samples each update sees.", choices=tuple(BATCH_MODES)),
    Field("batch_size", "int", 32, "Samples per mini-batch.", minimum=1),
    Field("shuffle", "bool", True, "Shuffle the training set every epoch (seeded)."),
    Field("l1", "float", 0.0, "L1 penalty λ₁·Σ|w| on the weights (not biases): drives weights to exactly zero.",
          label="L1", minimum=0.0, live=True),
    Field("l2", "float", 0.0, "L2 penalty λ₂/2·Σw² on the weights (not biases): keeps weights small.",
          label="L2", minimum=0.0, live=True),
    Field("decoupled_weight_decay", "float", 0.0, "After each optimizer step, shrink the weights "
          "w ← (1 − lr·decay)·w, with the step's current learning rate, apart from the gradient, with any "
          "optimizer. Weights only: biases and batch-norm γ, β are left alone. (AdamW's own weight decay "
          "differs: it shrinks every parameter, biases included, before its step.)", minimum=0.0, live=True),
    Field("seed", "int", 0, "Seed for initial weights, shuffling and dropout: the same seed replays a run bit "
          "for bit.", minimum=0, maximum=2**32 - 1),
    Field("dtype", "choice", "float32", "Number precision: float32 is fast, float64 exact.",
          choices=DTYPES, label="Precision"),
)

LOOKAHEAD_FIELDS: tuple[Field, ...] = (
    Field("enabled", "bool", False, "Lookahead: keep slow weights that move a fraction α toward the fast "
          "weights every k steps. Steadier training with any optimizer.", label="Lookahead"),
    Field("k", "int", 5, "Fast steps between synchronisations.", minimum=1),
    Field("alpha", "float", 0.5, "How far the slow weights move toward the fast ones.", minimum=0.0,
          maximum=1.0, min_inclusive=False),
)

EARLY_STOPPING_FIELDS: tuple[Field, ...] = (
    Field("enabled", "bool", False, "Stop when the monitored quantity stops improving.", label="Early stopping"),
    Field("monitor", "choice", "val_loss", "What must keep improving.", choices=EARLY_STOPPING_MONITORS),
    Field("patience", "int", 10, "Epochs without improvement before stopping.", minimum=0),
    Field("min_delta", "float", 0.0, "The smallest change that counts as an improvement.", minimum=0.0),
    Field("restore_best", "bool", True, "On stopping, go back to the weights of the best epoch."),
)

CLIPPING_FIELDS: tuple[Field, ...] = (
    Field("mode", "choice", "none", "Gradient clipping keeps single huge gradients from wrecking the weights.",
          choices=tuple(CLIPPING_MODES), label="Clipping"),
    Field("value", "float", 1.0, "The clipping threshold c (value, norm, or AGC's ratio).", label="Threshold",
          minimum=0.0, min_inclusive=False, live=True),
)

# The settings that are not a section's field: the input width and the optimizer's and schedule's choice.
INPUT_SIZE_FIELD = Field("input_size", "int", 2, "Number of input features the network takes.", label="Inputs",
                         minimum=1)
OPTIMIZER_NAME_FIELD = Field("name", "choice", "adam", "The update rule that turns gradients into weight changes.",
                             label="Optimizer", choices=tuple(OPTIMIZERS))
SCHEDULE_NAME_FIELD = Field("name", "choice", "constant", "How the learning rate changes from epoch to epoch.",
                            label="Schedule", choices=tuple(SCHEDULES))
