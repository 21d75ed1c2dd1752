"""StackedRNNCells: several cells run as one, each step feeding the next cell."""
from nnfast.layers.layer import Layer


class StackedRNNCells(Layer):
    """Wrapper allowing a stack of RNN cells to behave as a single cell.

    Args:
        cells: list of RNN cells.

    Its state is the list of the cells' states; its output is the last cell's.
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not callable(getattr(cell, "call", None)):
                raise ValueError("All cells must have a `call` method. "
                                 f"Received cell without a `call` method: {cell}")
            if getattr(cell, "state_size", None) is None:
                raise ValueError("All cells must have a `state_size` attribute. "
                                 f"Received cell without a `state_size`: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def get_initial_state(self, batch_size=None):
        from nnfast.ops import numpy as np_ops

        states = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                states.append(fn(batch_size=batch_size))
            else:
                sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) \
                    else [cell.state_size]
                states.append([np_ops.zeros((batch_size, d)) for d in sizes])
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
            size = getattr(cell, "output_size", None)
            if size is None:
                size = cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) \
                    else cell.state_size
            input_shape = (input_shape[0], size)
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            listed = isinstance(cell_states, (list, tuple))
            kwargs = {"training": training} if getattr(cell, "_call_accepts_training", False) \
                else {}
            inputs, out_states = cell.call(inputs, list(cell_states) if listed else [cell_states],
                                           **kwargs)
            out_states = list(out_states) if isinstance(out_states, (list, tuple)) \
                else [out_states]
            new_states.append(out_states if listed else out_states[0])
        return inputs, new_states

    def get_config(self):
        from nnfast.layers import serialize

        return {**super().get_config(), "cells": [serialize(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nnfast.layers import deserialize

        config = dict(config)
        cells = [deserialize(c, custom_objects=custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)
