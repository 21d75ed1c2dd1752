"""`ImageDataGenerator`: real-time image augmentation feeding `fit` batch by batch.

Random rotations, shifts, shears, zooms, flips, brightness and channel shifts, then
rescaling and (sample- or feature-wise) standardisation, as Keras's legacy generator.
Geometry is one affine map per image, applied with `scipy.ndimage.affine_transform`
around the image centre. `flow(x, y)` returns a `PyDataset` that `fit` reads.
"""
import numpy as np
from scipy import ndimage

from nnfast import backend
from nnfast.utils.sequence import PyDataset

_FILL_MODES = {"nearest": "nearest", "constant": "constant", "reflect": "reflect",
               "wrap": "grid-wrap"}


def _range(name, value):
    """A (low, high) pair from Keras's scalar-or-pair arguments."""
    if np.isscalar(value):
        if value < 0:
            raise ValueError(f"ImageDataGenerator: `{name}` must be >= 0. Received: {name}={value}")
        return (-float(value), float(value))
    low, high = value
    return float(low), float(high)


class ImageDataGenerator:
    """Generates batches of augmented image data.

    Args (as Keras): featurewise_center, samplewise_center,
        featurewise_std_normalization, samplewise_std_normalization, rotation_range
        (degrees), width_shift_range / height_shift_range (fraction of the size if < 1,
        else pixels), brightness_range (pair), shear_range (degrees), zoom_range (float
        or [low, high]), channel_shift_range, fill_mode ("nearest", "constant",
        "reflect", "wrap"), cval, horizontal_flip, vertical_flip, rescale,
        preprocessing_function, data_format, validation_split, dtype.
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None,
                 shear_range=0.0, zoom_range=0.0, channel_shift_range=0.0,
                 fill_mode="nearest", cval=0.0, horizontal_flip=False, vertical_flip=False,
                 rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, interpolation_order=1, dtype=None):
        if zca_whitening:
            raise ValueError("ImageDataGenerator: zca_whitening is not supported by nnfast. "
                             "Received: zca_whitening=True")
        if fill_mode not in _FILL_MODES:
            raise ValueError(f"ImageDataGenerator: `fill_mode` must be one of "
                             f"{sorted(_FILL_MODES)}. Received: fill_mode={fill_mode!r}")
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError("ImageDataGenerator: `data_format` must be 'channels_last' or "
                             f"'channels_first'. Received: data_format={data_format!r}")
        if not 0 <= validation_split < 1:
            raise ValueError("ImageDataGenerator: `validation_split` must be in [0, 1). "
                             f"Received: validation_split={validation_split}")
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.rotation_range = float(rotation_range)
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.brightness_range = brightness_range
        self.shear_range = float(shear_range)
        self.zoom_range = (1 - zoom_range, 1 + zoom_range) if np.isscalar(zoom_range) \
            else tuple(zoom_range)
        self.channel_shift_range = float(channel_shift_range)
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.data_format = data_format
        self.validation_split = validation_split
        self.interpolation_order = interpolation_order
        self.dtype = dtype or backend.floatx()
        self.mean = None
        self.std = None
        self._channel_axis = 3 if data_format == "channels_last" else 1

    # -- statistics -------------------------------------------------------------------
    def fit(self, x, augment=False, rounds=1, seed=None):
        """Feature-wise mean/std from sample images `x` (N, H, W, C)."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.fit: expected rank-4 images. Received: "
                             f"x.shape={x.shape}")
        axes = (0, 1, 2) if self._channel_axis == 3 else (0, 2, 3)
        shape = [1, 1, 1] if self._channel_axis == 3 else [x.shape[1], 1, 1]
        if self._channel_axis == 3:
            shape[2] = x.shape[3]
        if self.featurewise_center:
            self.mean = x.mean(axis=axes).reshape(shape)
        if self.featurewise_std_normalization:
            self.std = x.std(axis=axes).reshape(shape)

    def standardize(self, x):
        """Rescale, preprocessing_function and centring/normalisation of one image."""
        if self.preprocessing_function is not None:
            x = self.preprocessing_function(x)
        if self.rescale:
            x = x * self.rescale
        img_axis = self._channel_axis - 1
        if self.samplewise_center:
            x = x - np.mean(x, axis=img_axis, keepdims=True)
        if self.samplewise_std_normalization:
            x = x / (np.std(x, axis=img_axis, keepdims=True) + 1e-6)
        if self.featurewise_center:
            if self.mean is None:
                raise ValueError("ImageDataGenerator specifies featurewise_center, but it "
                                 "wasn't fit on any training data. Call `.fit(numpy_data)`.")
            x = x - self.mean
        if self.featurewise_std_normalization:
            if self.std is None:
                raise ValueError("ImageDataGenerator specifies featurewise_std_normalization, "
                                 "but it wasn't fit on any training data. Call `.fit(...)`.")
            x = x / (self.std + 1e-6)
        return x

    # -- augmentation -----------------------------------------------------------------
    def get_random_transform(self, img_shape, seed=None):
        """The random parameters for one image (a dict, as Keras)."""
        rng = np.random.default_rng(seed)
        rows, cols = (img_shape[0], img_shape[1]) if self._channel_axis == 3 else img_shape[1:]

        def shift(value, size):
            if not value:
                return 0.0
            low, high = _range("shift_range", value)
            v = rng.uniform(low, high)
            return v * size if abs(high) < 1 else v

        zx, zy = (1.0, 1.0) if self.zoom_range == (1.0, 1.0) else rng.uniform(*self.zoom_range, 2)
        params = {
            "theta": rng.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0.0,
            "tx": shift(self.height_shift_range, rows),
            "ty": shift(self.width_shift_range, cols),
            "shear": rng.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0.0,
            "zx": zx, "zy": zy,
            "flip_horizontal": bool(self.horizontal_flip and rng.random() < 0.5),
            "flip_vertical": bool(self.vertical_flip and rng.random() < 0.5),
            "channel_shift_intensity": rng.uniform(-self.channel_shift_range, self.channel_shift_range)
            if self.channel_shift_range else None,
            "brightness": rng.uniform(*self.brightness_range) if self.brightness_range else None,
        }
        return params

    def apply_transform(self, x, params):
        """Apply `params` (from `get_random_transform`) to one image (H, W, C)."""
        img = x if self._channel_axis == 3 else np.moveaxis(x, 0, -1)
        matrix = _affine_matrix(params, img.shape[0], img.shape[1])
        if matrix is not None:
            offset = matrix[:2, 2]
            img = np.stack([ndimage.affine_transform(img[..., c], matrix[:2, :2], offset,
                                                     order=self.interpolation_order,
                                                     mode=_FILL_MODES[self.fill_mode], cval=self.cval)
                            for c in range(img.shape[-1])], axis=-1)
        if params.get("channel_shift_intensity") is not None:
            lo, hi = img.min(), img.max()
            img = np.clip(img + params["channel_shift_intensity"], lo, hi)
        if params.get("flip_horizontal"):
            img = img[:, ::-1]
        if params.get("flip_vertical"):
            img = img[::-1]
        if params.get("brightness") is not None:
            img = img * params["brightness"]
        return img if self._channel_axis == 3 else np.moveaxis(img, -1, 0)

    def random_transform(self, x, seed=None):
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", ignore_class_split=False,
             subset=None):
        """Batches of augmented `x` (with `y` and `sample_weight` when given)."""
        return NumpyArrayIterator(self, x, y, batch_size, shuffle, sample_weight, seed, subset)

    def flow_from_directory(self, *args, **kwargs):
        raise ValueError("ImageDataGenerator.flow_from_directory is not supported by nnfast; "
                         "load the images into arrays (e.g. with Pillow) and use `flow(x, y)`.")


def _affine_matrix(p, rows, cols):
    """The output->input pixel map of one image's rotation/shift/shear/zoom, about its
    centre; None when the transform is the identity."""
    theta, shear = np.deg2rad(p["theta"]), np.deg2rad(p["shear"])
    m = np.eye(3)
    if theta:
        m = m @ np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0],
                          [0, 0, 1]])
    if p["tx"] or p["ty"]:
        m = m @ np.array([[1, 0, p["tx"]], [0, 1, p["ty"]], [0, 0, 1]])
    if shear:
        m = m @ np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
    if p["zx"] != 1 or p["zy"] != 1:
        m = m @ np.array([[p["zx"], 0, 0], [0, p["zy"], 0], [0, 0, 1]])
    if np.allclose(m, np.eye(3)):
        return None
    cx, cy = rows / 2 - 0.5, cols / 2 - 0.5
    to_centre = np.array([[1, 0, cx], [0, 1, cy], [0, 0, 1]])
    from_centre = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]])
    return to_centre @ m @ from_centre


class NumpyArrayIterator(PyDataset):
    """The `PyDataset` returned by `ImageDataGenerator.flow`."""

    def __init__(self, generator, x, y, batch_size, shuffle, sample_weight, seed, subset):
        super().__init__()
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError("ImageDataGenerator.flow: expected images of rank 4 (N, H, W, C). "
                             f"Received: x.shape={x.shape}")
        if y is not None and len(y) != len(x):
            raise ValueError("ImageDataGenerator.flow: `x` and `y` must have the same length. "
                             f"Received: x.shape={x.shape}, y.shape={np.shape(y)}")
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError("ImageDataGenerator.flow: `subset` must be 'training' or "
                                 f"'validation'. Received: subset={subset!r}")
            split = int(len(x) * (1 - generator.validation_split))
            part = slice(0, split) if subset == "training" else slice(split, None)
            x = x[part]
            y = None if y is None else np.asarray(y)[part]
            sample_weight = None if sample_weight is None else np.asarray(sample_weight)[part]
        self.generator = generator
        self.x = x
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(x))
        self.on_epoch_end()

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def on_epoch_end(self):
        self._order = self._rng.permutation(len(self.x)) if self.shuffle else np.arange(len(self.x))

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"Batch index {index} out of range for {len(self)} batches.")
        idx = self._order[index * self.batch_size:(index + 1) * self.batch_size]
        gen = self.generator
        batch = np.empty((len(idx),) + self.x.shape[1:], dtype=gen.dtype)
        for i, j in enumerate(idx):
            img = self.x[j].astype(gen.dtype)
            img = gen.apply_transform(img, gen.get_random_transform(img.shape, self._rng.integers(2**31)))
            batch[i] = gen.standardize(img)
        out = (batch,)
        if self.y is not None:
            out += (self.y[idx],)
        if self.sample_weight is not None:
            out += (self.sample_weight[idx],)
        return out if len(out) > 1 else batch
