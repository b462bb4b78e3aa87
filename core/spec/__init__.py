"""The versioned, validated description of a network and its training settings: one immutable, typed `Spec`.

`validate_spec(data)` checks a spec once where it comes in and returns a `Spec`
(`core.spec.typed`): frozen dataclasses whose fields are the catalogue's, read as `spec.training.optimizer.lr`,
that are also read-only dicts of the same items. `spec.to_json()` is the JSON object a file holds; a changed spec
is `with_changes(spec, {"training.optimizer.lr": 0.01})`, a new one.

Shape of a spec as JSON (version 1)::

    {"version": 1,
     "input_size": 2,
     "layers": [                      # dense blocks; the LAST one is the output layer
        {"type": "dense", "units": 8, "activation": "tanh", "init": "auto", "batch_norm": false,
         "dropout": 0.0, "residual": false, "leaky_slope": 0.01},
        ...,
        {"type": "dense", "units": 2, "activation": "softmax", "init": "xavier_uniform", ...}],
     "training": {"loss": "cross_entropy", "huber_delta": 1.0, "epochs": 100, "batch_mode": "mini",
                  "batch_size": 32, "shuffle": true, "l1": 0.0, "l2": 0.0, "decoupled_weight_decay": 0.0,
                  "seed": 0, "dtype": "float32",
                  "optimizer": {"name": "adam", "lr": 0.001, ...its fields...},
                  "schedule": {"name": "constant", "warmup_epochs": 0, "warmup_start_factor": 0.1, ...},
                  "lookahead": {"enabled": false, "k": 5, "alpha": 0.5},
                  "early_stopping": {"enabled": false, "monitor": "val_loss", "patience": 10,
                                     "min_delta": 0.0, "restore_best": true},
                  "clipping": {"mode": "none", "value": 1.0}}}

A block computes, in order: dense (W·x + b) → batch norm (if on) → activation → dropout (if > 0), and with a
residual skip its output is x + block(x). Every choice and its explanation lives in `catalogue`.

Every setting is addressed by one dotted path (`training.optimizer.lr`, `layers[2].dropout`): see `paths`.
"""

from core.spec.catalogue import (
    ACTIVATIONS, BATCH_MODES, CLIPPING_FIELDS, CLIPPING_MODES, DTYPES, EARLY_STOPPING_FIELDS, HIDDEN_ACTIVATIONS,
    INITIALIZERS, INPUT_SIZE_FIELD, LAYER_FIELDS, LOOKAHEAD_FIELDS, LOSSES, OPTIMIZER_NAME_FIELD, OPTIMIZERS,
    RELU_LIKE, SCHEDULE_NAME_FIELD, SCHEDULES, TRAINING_FIELDS, Choice, Field,
)
from core.spec.defaults import default_layer, default_spec, fit_spec_to_data, loss_for, output_layer
from core.spec.errors import SpecError
from core.spec.frozen import FrozenList, FrozenRecord, thaw
from core.spec.migrate import SPEC_VERSION, migrate_spec
from core.spec.typed import (
    OPTIMIZER_SPECS, SCHEDULE_SPECS, ClippingSpec, EarlyStoppingSpec, LayerSpec, LookaheadSpec, OptimizerSpec,
    ScheduleSpec, Spec, TrainingSpec,
)
from core.spec.validate import check_field, check_fields, resolved_init, validate_spec
from core.spec.paths import (
    changed_paths, check_setting, expand_path, field_for, format_path, get_setting, live_paths, parse_path,
    setting_paths, with_changes,
)

__all__ = [
    "ACTIVATIONS", "BATCH_MODES", "CLIPPING_FIELDS", "CLIPPING_MODES", "DTYPES", "EARLY_STOPPING_FIELDS",
    "HIDDEN_ACTIVATIONS", "INITIALIZERS", "INPUT_SIZE_FIELD", "LAYER_FIELDS", "LOOKAHEAD_FIELDS", "LOSSES",
    "OPTIMIZER_NAME_FIELD", "OPTIMIZERS", "RELU_LIKE", "SCHEDULE_NAME_FIELD", "SCHEDULES", "TRAINING_FIELDS",
    "Choice", "Field", "SpecError", "SPEC_VERSION", "changed_paths", "check_field", "check_fields", "check_setting",
    "default_layer", "default_spec", "expand_path", "field_for", "fit_spec_to_data", "format_path", "get_setting",
    "live_paths", "loss_for", "migrate_spec", "output_layer", "parse_path", "resolved_init", "setting_paths",
    "validate_spec", "with_changes",
    "ClippingSpec", "EarlyStoppingSpec", "FrozenList", "FrozenRecord", "LayerSpec", "LookaheadSpec", "OPTIMIZER_SPECS",
    "OptimizerSpec", "SCHEDULE_SPECS", "ScheduleSpec", "Spec", "TrainingSpec", "thaw",
]
