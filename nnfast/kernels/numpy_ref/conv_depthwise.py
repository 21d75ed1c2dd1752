"""NumPy twins of the depthwise 2-D convolution kernels (NHWC; kernel (kh, kw, C, M) as
Keras stores it; output channel c*M + m is input channel c through filter m, as in
TensorFlow's depthwise_conv2d): `depthwise_conv2d`, `depthwise_conv2d_backward_input`,
`depthwise_conv2d_backward_kernel`. Geometry and padding as in conv.py."""
import numpy as np

from nnfast.kernels.numpy_ref.conv import (
    _pad, _tap, check_conv2d, check_float, check_grad_shape, conv_geometry,
)
from nnfast.kernels.registry import register


def check_depthwise(x, kernel, strides, padding, dilation, op="depthwise_conv2d"):
    return check_conv2d(x, kernel, strides, padding, dilation, op)


def check_depthwise_backward_input(dy, kernel, input_shape, strides, padding, dilation):
    op = "depthwise_conv2d_backward_input"
    check_float(kernel, op, "kernel")
    input_shape = tuple(int(n) for n in input_shape)
    geo = conv_geometry(input_shape, kernel.shape, strides, padding, dilation, op)
    check_grad_shape(dy, input_shape[:1] + geo[3] + (kernel.shape[2] * kernel.shape[3],), op)
    if dy.dtype != kernel.dtype:
        raise TypeError(f"{op} expects `dy` and `kernel` of one dtype. Received: "
                        f"dy.dtype={dy.dtype}, kernel.dtype={kernel.dtype}")
    return input_shape, geo


def check_depthwise_backward_kernel(x, dy, kernel_shape, strides, padding, dilation):
    op = "depthwise_conv2d_backward_kernel"
    check_float(x, op, "x")
    kernel_shape = tuple(int(n) for n in kernel_shape)
    geo = conv_geometry(x.shape, kernel_shape, strides, padding, dilation, op)
    check_grad_shape(dy, x.shape[:1] + geo[3] + (kernel_shape[2] * kernel_shape[3],), op)
    if dy.dtype != x.dtype:
        raise TypeError(f"{op} expects `x` and `dy` of one dtype. Received: "
                        f"x.dtype={x.dtype}, dy.dtype={dy.dtype}")
    return kernel_shape, geo


def depthwise_conv2d(x, kernel, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """y[n, oh, ow, c*M + m] = sum over (i, j) of xpad[n, oh*sh + i*dh, ow*sw + j*dw, c] *
    kernel[i, j, c, m].

    Args:
        x: (N, H, W, C) float32/float64.
        kernel: (kh, kw, C, M), same dtype.
        strides, dilation: int or (h, w) pair.
        padding: "valid", "same" or ((top, bottom), (left, right)).

    Returns: (N, Ho, Wo, C*M).
    """
    strides, dilation, pads, out_hw = check_depthwise(x, kernel, strides, padding, dilation)
    kh, kw, c, m = kernel.shape
    xp = _pad(x, pads)
    y = np.zeros((x.shape[0],) + out_hw + (c, m), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            y += _tap(xp, i, j, strides, dilation, out_hw)[..., None] * kernel[i, j]
    return y.reshape(y.shape[:3] + (c * m,))


def depthwise_conv2d_backward_input(dy, kernel, input_shape, strides=(1, 1),
                                    padding="valid", dilation=(1, 1)):
    """dx of `depthwise_conv2d` for an input of `input_shape`."""
    input_shape, (strides, dilation, pads, out_hw) = check_depthwise_backward_input(
        dy, kernel, input_shape, strides, padding, dilation)
    kh, kw, c, m = kernel.shape
    n, h, w, _ = input_shape
    dy5 = dy.reshape(dy.shape[:3] + (c, m))
    dxp = np.zeros((n, h + sum(pads[0]), w + sum(pads[1]), c), dtype=dy.dtype)
    for i in range(kh):
        for j in range(kw):
            _tap(dxp, i, j, strides, dilation, out_hw)[...] += (dy5 * kernel[i, j]).sum(-1)
    top, left = pads[0][0], pads[1][0]
    return np.ascontiguousarray(dxp[:, top:top + h, left:left + w])


def depthwise_conv2d_backward_kernel(x, dy, kernel_shape, strides=(1, 1), padding="valid",
                                     dilation=(1, 1)):
    """dkernel of `depthwise_conv2d` (shape `kernel_shape`)."""
    kernel_shape, (strides, dilation, pads, out_hw) = check_depthwise_backward_kernel(
        x, dy, kernel_shape, strides, padding, dilation)
    kh, kw, c, m = kernel_shape
    xp = _pad(x, pads)
    dy5 = dy.reshape(dy.shape[:3] + (c, m))
    dk = np.empty(kernel_shape, dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            dk[i, j] = np.einsum("nhwc,nhwcm->cm", _tap(xp, i, j, strides, dilation, out_hw),
                                 dy5)
    return dk


for _name, _fn in (("depthwise_conv2d", depthwise_conv2d),
                   ("depthwise_conv2d_backward_input", depthwise_conv2d_backward_input),
                   ("depthwise_conv2d_backward_kernel", depthwise_conv2d_backward_kernel)):
    register(_name, numpy=_fn)
