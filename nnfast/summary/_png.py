"""A small PNG encoder (8-bit gray / RGB / RGBA, stdlib zlib) for image summaries:
TensorBoard's own `encode_png` needs TensorFlow."""
import struct
import zlib

import numpy as np

_COLOR_TYPE = {1: 0, 3: 2, 4: 6}      # channels -> PNG colour type


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def encode(image):
    """PNG bytes of a (h, w, c) uint8 array, c in (1, 3, 4)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    if image.ndim != 3 or image.shape[2] not in _COLOR_TYPE:
        raise ValueError("PNG encoder: expected a (h, w, c) image with c in (1, 3, 4). "
                         f"Received: image.shape={image.shape}")
    h, w, c = image.shape
    if h == 0 or w == 0:
        raise ValueError(f"PNG encoder: the image is empty. Received: image.shape={image.shape}")
    # Each scanline starts with filter type 0 (none).
    rows = np.zeros((h, 1 + w * c), dtype=np.uint8)
    rows[:, 1:] = image.reshape(h, w * c)
    header = struct.pack(">IIBBBBB", w, h, 8, _COLOR_TYPE[c], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b""))
