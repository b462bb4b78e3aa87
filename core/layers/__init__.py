"""Layers of a network. A dense block is the one layer type the spec knows: dense → batch norm → activation →
dropout, with an optional residual skip. Its parameters are views into the network's flat buffers."""

from core.layers.dense_block import BlockViews, DenseBlock

__all__ = ["BlockViews", "DenseBlock"]
