"""How many trainable numbers the network a spec describes has: W and b per block, and batch norm's γ and β.

The one count every view gives (the builder's summary, the layer inspector) and the size `core.network.layout`
allocates for the flat parameter buffer. It lives with the spec, not the network, so a view can count without
importing the engine's kernels (the studio keeps Numba out of its warm start).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.spec.typed import LayerSpec, Spec


def block_parameter_count(fan_in: int, layer: LayerSpec) -> int:
    """The trainable numbers of one block: W (fan_in × units) and b, and batch norm's γ and β."""
    units = layer.units
    return fan_in * units + units + (2 * units if layer.batch_norm else 0)


def layers_parameter_count(input_size: int, layers: Sequence[LayerSpec]) -> int:
    """The trainable parameters of a stack of validated layers taking `input_size` inputs."""
    fan_ins = [input_size] + [layer.units for layer in layers[:-1]]
    return sum(block_parameter_count(n_in, layer) for n_in, layer in zip(fan_ins, layers))


def parameter_count(spec: Spec, index: int | None = None) -> int:
    """The trainable parameters of the network a validated spec describes, or of its layer `index` alone."""
    if index is not None:
        fan_in = spec.input_size if index == 0 else spec.layers[index - 1].units
        return block_parameter_count(fan_in, spec.layers[index])
    return layers_parameter_count(spec.input_size, spec.layers)
