"""File plumbing shared by every nnfast format: atomic writes, guarded HDF5 reads, and
Keras's chunked string attributes.

Atomic write: the file is written under a temporary name in the target's folder,
flushed to disk, then `os.replace`d onto the target, so a crash or a failed save leaves
either the old file or the new one, never a half-written one.

Guarded reads: links (soft/external), external or virtual datasets, non-numeric
datasets and datasets that declare far more data than the file stores (shape bombs)
are refused with a ValueError naming the file.
"""
import contextlib
import json
import os
import re
import sys
import tempfile

import numpy as np

try:
    import h5py
except ImportError:       # h5py is a dependency; keep the import error for the call site
    h5py = None

HDF5_OBJECT_HEADER_LIMIT = 64512        # bytes an HDF5 object header can hold (Keras's value)
_BOMB_FLOOR = 1 << 30                    # datasets above 1 GiB must be mostly stored
_BOMB_RATIO = 1000
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_ZIP_SIGNATURE = b"PK\x03\x04"


def require_h5py():
    if h5py is None:
        raise ImportError("Saving and loading HDF5 files requires h5py: `pip install h5py`.")
    return h5py


# -- writing --------------------------------------------------------------------------
def _temp_prefix(target):
    return f".{os.path.basename(target)}.nnfast-tmp-"


def _remove_stale_temps(folder, target):
    """Temporary files left by a process that was killed mid-save (its pid is gone)."""
    prefix = _temp_prefix(target)
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return
    for name in names:
        m = re.match(re.escape(prefix) + r"(\d+)-", name)
        if not m:
            continue
        pid = int(m.group(1))
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
            continue                        # the writer still runs
        except ProcessLookupError:
            pass
        except OSError:
            continue
        with contextlib.suppress(OSError):
            os.remove(os.path.join(folder or ".", name))


def check_overwrite(filepath, overwrite):
    """False when the user declined to overwrite an existing file."""
    if overwrite or not os.path.exists(filepath):
        return True
    if sys.stdin is not None and sys.stdin.isatty():
        answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n] ").strip().lower()
        return answer in ("y", "yes")
    raise FileExistsError(
        f"{filepath} already exists and overwrite=False. Pass overwrite=True to replace it."
    )


@contextlib.contextmanager
def atomic_path(filepath):
    """Yield a temporary path in the target's folder; on success move it onto `filepath`.

    Missing folders are created. On any error the temporary file is removed and the
    existing target is left untouched."""
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    _remove_stale_temps(folder, filepath)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f"{_temp_prefix(filepath)}{os.getpid()}-",
                               suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def h5_for_writing(target):
    """An HDF5 file opened for writing in the 1.8 file format: its object headers and
    heaps carry checksums, so a reader detects corrupted metadata instead of following
    it (HDF5 >= 1.8, i.e. every h5py Keras uses, reads it)."""
    require_h5py()
    return h5py.File(target, "w", libver=("v108", "v108"))


def write_dataset(group, name, value):
    """A weight dataset; arrays carry a Fletcher-32 checksum (a standard HDF5 filter that
    every reader verifies), so flipped bytes in weights fail loudly instead of loading."""
    value = np.asarray(value)
    if value.ndim and value.size:
        return group.create_dataset(name, data=value, fletcher32=True, chunks=value.shape)
    return group.create_dataset(name, data=value)


# -- sniffing -------------------------------------------------------------------------
def sniff(filepath):
    """"h5", "zip" or None from the first bytes of a file; ValueError when missing/empty."""
    filepath = os.fspath(filepath)
    if os.path.isdir(filepath):
        raise ValueError(
            f"{filepath} is a folder. nnfast reads HDF5 files (.h5) and Keras 3 archives "
            "(.keras), not TensorFlow SavedModel folders."
        )
    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an "
                         "accessible .h5 file or .keras archive.")
    with open(filepath, "rb") as f:
        head = f.read(8)
    if not head:
        raise ValueError(f"The file {filepath} is empty (0 bytes); it holds no model.")
    if head == _HDF5_SIGNATURE:
        return "h5"
    if head.startswith(_ZIP_SIGNATURE):
        return "zip"
    return None


@contextlib.contextmanager
def open_h5(filepath, where):
    """An h5py.File opened for reading; any h5py/OS error becomes a ValueError naming the
    file (h5py raises OSError/KeyError/RuntimeError for truncated or corrupt files)."""
    require_h5py()
    try:
        f = h5py.File(filepath, "r")
    except (OSError, ValueError, RuntimeError) as e:
        raise ValueError(f"{where}: cannot read {filepath!s} as an HDF5 file ({e}). The file "
                         "is truncated, corrupt or not HDF5.") from None
    try:
        yield f
    except (OSError, KeyError, RuntimeError, TypeError) as e:
        raise ValueError(f"{where}: the HDF5 file {filepath!s} is corrupt or not a Keras file "
                         f"({type(e).__name__}: {e}).") from e
    finally:
        with contextlib.suppress(Exception):
            f.close()


def safe_group(parent, path, filepath):
    """The group at `path` below `parent`, refusing links; ValueError if absent."""
    current = parent
    for part in str(path).split("/"):
        if not part:
            continue
        if part not in current:
            raise ValueError(f"{filepath}: the group {path!r} is missing (under "
                             f"{current.name!r}).")
        link = current.get(part, getclass=True, getlink=True)
        if link in (h5py.SoftLink, h5py.ExternalLink):
            raise ValueError(f"{filepath}: not allowed: HDF5 {link.__name__} at {path!r}.")
        current = current[part]
        if not isinstance(current, h5py.Group):
            raise ValueError(f"{filepath}: expected a group at {path!r}, found "
                             f"{type(current).__name__}.")
    return current


def safe_dataset(group, name, filepath):
    """The h5py Dataset `name` below `group` after the safety checks (not read yet)."""
    if "/" in name.strip("/"):
        head, name = name.strip("/").rsplit("/", 1)
        group = safe_group(group, head, filepath)
    if name not in group:
        raise ValueError(f"{filepath}: the weight {name!r} is missing in group {group.name!r}.")
    link = group.get(name, getclass=True, getlink=True)
    if link in (h5py.SoftLink, h5py.ExternalLink):
        raise ValueError(f"{filepath}: not allowed: HDF5 {link.__name__} at {name!r}.")
    ds = group[name]
    if not isinstance(ds, h5py.Dataset):
        raise ValueError(f"{filepath}: expected a dataset at {group.name}/{name}, found "
                         f"{type(ds).__name__}.")
    if ds.external or ds.is_virtual:
        raise ValueError(f"{filepath}: not allowed: external or virtual dataset "
                         f"{group.name}/{name}.")
    if ds.dtype.kind not in "biuf":
        raise ValueError(f"{filepath}: dataset {group.name}/{name} has non-numeric dtype "
                         f"{ds.dtype}; weights must be numbers.")
    declared = int(np.prod(ds.shape, dtype=np.int64)) * ds.dtype.itemsize if ds.shape else 0
    if declared > _BOMB_FLOOR and declared > _BOMB_RATIO * ds.id.get_storage_size():
        raise ValueError(f"{filepath}: dataset {group.name}/{name} declares {declared} bytes "
                         "but stores almost none; refusing to load it.")
    return ds


def read_dataset(ds, filepath):
    try:
        return np.asarray(ds[()])
    except (OSError, RuntimeError, ValueError, TypeError) as e:
        raise ValueError(f"{filepath}: cannot read dataset {ds.name} ({e}); the file is "
                         "truncated or corrupt.") from None


# -- Keras's string-list attributes ---------------------------------------------------
def _as_str(x):
    return x.decode("utf8") if isinstance(x, (bytes, np.bytes_)) else str(x)


def save_attributes(group, name, data):
    """Store a list of strings as attribute `name`, or `name0`, `name1`, ... when one
    attribute would exceed the HDF5 object-header limit (Keras's chunking)."""
    encoded = [s.encode("utf8") for s in data]
    too_big = [s for s in encoded if len(s) > HDF5_OBJECT_HEADER_LIMIT]
    if too_big:
        raise ValueError(f"Cannot save attribute {name!r}: these entries are longer than "
                         f"{HDF5_OBJECT_HEADER_LIMIT} bytes: {too_big[:3]}")
    if not encoded:
        group.attrs[name] = np.asarray([], dtype="float64")     # what Keras writes
        return
    array = np.asarray(encoded)
    chunks = 1
    parts = [array]
    while any(p.nbytes > HDF5_OBJECT_HEADER_LIMIT for p in parts):
        chunks += 1
        parts = np.array_split(array, chunks)
    if chunks == 1:
        group.attrs[name] = array
    else:
        for i, part in enumerate(parts):
            group.attrs[f"{name}{i}"] = part


def load_attributes(group, name):
    """The list written by `save_attributes` (either form), as str."""
    if name in group.attrs:
        values = group.attrs[name]
        return [_as_str(v) for v in np.atleast_1d(values) if values.size] \
            if isinstance(values, np.ndarray) else [_as_str(values)]
    out, i = [], 0
    while f"{name}{i}" in group.attrs:
        out.extend(_as_str(v) for v in np.atleast_1d(group.attrs[f"{name}{i}"]))
        i += 1
    return out


def read_json_attr(f, key, filepath):
    """A JSON root attribute (bytes or str) as a Python object, None if absent."""
    if key not in f.attrs:
        return None
    raw = f.attrs[key]
    if isinstance(raw, np.ndarray) and raw.shape == ():
        raw = raw[()]
    raw = _as_str(raw)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise ValueError(f"{filepath}: the attribute {key!r} is not valid JSON ({e}).") from None


def json_default(obj):
    """json.dumps fallback for NumPy values in configs."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if isinstance(obj, bytes):
        return obj.decode("utf8")
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable: {obj!r}")
