"""Convolution layers (Keras's keras.layers.Conv*D, *Transpose, Depthwise*, Separable*)."""
from nnfast.layers.convolutional.conv1d import Conv1D, Convolution1D  # noqa: F401
from nnfast.layers.convolutional.conv1d_transpose import (  # noqa: F401
    Conv1DTranspose, Convolution1DTranspose,
)
from nnfast.layers.convolutional.conv2d import Conv2D, Convolution2D  # noqa: F401
from nnfast.layers.convolutional.conv2d_transpose import (  # noqa: F401
    Conv2DTranspose, Convolution2DTranspose,
)
from nnfast.layers.convolutional.depthwise_conv1d import DepthwiseConv1D  # noqa: F401
from nnfast.layers.convolutional.depthwise_conv2d import DepthwiseConv2D  # noqa: F401
from nnfast.layers.convolutional.separable_conv1d import (  # noqa: F401
    SeparableConv1D, SeparableConvolution1D,
)
from nnfast.layers.convolutional.separable_conv2d import (  # noqa: F401
    SeparableConv2D, SeparableConvolution2D,
)

__all__ = ["Conv1D", "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Convolution1D",
           "Convolution1DTranspose", "Convolution2D", "Convolution2DTranspose",
           "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
           "SeparableConvolution1D", "SeparableConvolution2D"]
