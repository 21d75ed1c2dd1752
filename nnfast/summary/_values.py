"""`Summary.Value` protos for each summary kind, built with TensorBoard's own helpers
(`tensor_util.make_tensor_proto`, each plugin's `create_summary_metadata`). The layouts
are those of TF 2's `tf.summary.*`, so TensorBoard's dashboards read them as TF's."""
import numpy as np

from nnfast.summary import _png, _tb

DEFAULT_BUCKET_COUNT = 30


def _value(tb, tag, array, metadata):
    return tb.summary_pb2.Summary.Value(
        tag=tag, tensor=tb.tensor_util.make_tensor_proto(array), metadata=metadata)


def scalar(tag, data, description=None):
    """A rank-0 float32 tensor for the scalars dashboard."""
    tb = _tb.require()
    try:
        array = np.asarray(data, dtype=np.float32)
    except (TypeError, ValueError):
        raise ValueError(f"nnfast.summary.scalar: `data` must be a real number. "
                         f"Received: data={data!r}") from None
    if array.ndim != 0:
        raise ValueError("nnfast.summary.scalar: `data` must be a scalar. "
                         f"Received: data.shape={array.shape}")
    meta = tb.scalar_metadata.create_summary_metadata(display_name=None,
                                                      description=description)
    return _value(tb, tag, array, meta)


def histogram_buckets(data, buckets=None):
    """(buckets, 3) float64 rows [left, right, count], TensorBoard's `histogram_pb`
    bucketing rule (equal-width buckets over [min, max]) computed in O(n) memory."""
    count = DEFAULT_BUCKET_COUNT if buckets is None else buckets
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
        raise ValueError("nnfast.summary.histogram: `buckets` must be a non-negative int. "
                         f"Received: buckets={buckets!r}")
    data = np.asarray(data, dtype=np.float64).ravel()
    if count == 0 or data.size == 0:
        return np.zeros((count, 3))
    lo, hi = float(data.min()), float(data.max())
    if hi == lo:
        counts = np.zeros(count)
        counts[-1] = data.size
        return np.stack([np.full(count, lo), np.full(count, lo), counts], axis=1)
    width = (hi - lo) / count
    index = np.minimum(np.floor((data - lo) / width).astype(np.int64), count - 1)
    counts = np.bincount(index, minlength=count).astype(np.float64)
    edges = np.linspace(lo, hi, count + 1)
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def histogram(tag, data, buckets=None, description=None):
    """A (buckets, 3) float64 tensor for the histograms and distributions dashboards."""
    tb = _tb.require()
    meta = tb.histogram_metadata.create_summary_metadata(display_name=None,
                                                         description=description)
    return _value(tb, tag, histogram_buckets(data, buckets), meta)


def text(tag, data, description=None):
    """A string tensor (any shape) for the text dashboard."""
    tb = _tb.require()
    array = np.asarray(data, dtype=object)
    for item in array.flat:
        if not isinstance(item, (str, bytes)):
            raise ValueError("nnfast.summary.text: `data` must be a string or an array of "
                             f"strings. Received: an element {item!r}")
    meta = tb.text_metadata.create_summary_metadata(display_name=None,
                                                    description=description)
    return _value(tb, tag, array, meta)


def _to_uint8(images):
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind == "f":
        # TF's convert_image_dtype(saturate=True): [0, 1] floats scaled by 255.5, truncated.
        return np.clip(np.nan_to_num(images) * 255.5, 0, 255).astype(np.uint8)
    if images.dtype.kind in "iub":
        return np.clip(images, 0, 255).astype(np.uint8)
    raise ValueError("nnfast.summary.image: `data` must hold numbers. "
                     f"Received: data.dtype={images.dtype}")


def image(tag, data, max_outputs=3, description=None):
    """[width, height, png, ...] strings for the images dashboard, as TF 2's image."""
    tb = _tb.require()
    images = np.asarray(data)
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError("nnfast.summary.image: `data` must have shape (k, h, w, c) with "
                         f"c in (1, 3, 4). Received: data.shape={images.shape}")
    if isinstance(max_outputs, bool) or not isinstance(max_outputs, (int, np.integer)) \
            or max_outputs < 1:
        raise ValueError("nnfast.summary.image: `max_outputs` must be a positive int. "
                         f"Received: max_outputs={max_outputs!r}")
    images = _to_uint8(images[:max_outputs])
    height, width = images.shape[1:3]
    content = [str(width).encode(), str(height).encode()]
    content += [_png.encode(img) for img in images]
    meta = tb.image_metadata.create_summary_metadata(display_name=None,
                                                     description=description)
    return _value(tb, tag, np.array(content, dtype=object), meta)


def generic(tag, tensor, metadata=None):
    """Any tensor with optional `SummaryMetadata` (a proto or its serialized bytes)."""
    tb = _tb.require()
    if metadata is None:
        metadata = tb.summary_pb2.SummaryMetadata()
    elif isinstance(metadata, (bytes, bytearray)):
        metadata = tb.summary_pb2.SummaryMetadata.FromString(bytes(metadata))
    array = np.asarray(tensor)
    if array.dtype.kind in "US":
        array = array.astype(object)
    return _value(tb, tag, array, metadata)
