"""`TensorBoard`: metrics, weight histograms and the model config as TensorBoard logs.

Written with `nnfast.summary` (TensorBoard's own TF-free event writer), in Keras 3's
layout: `<log_dir>/train` and `<log_dir>/validation`, tags `epoch_<metric>` at
step=epoch (validation metrics lose their `val_` prefix), `epoch_learning_rate`,
`batch_<metric>` at the global batch number, `<weight path>/histogram` and `/image`,
`evaluation_<metric>_vs_iterations`, and the model config under tag `keras`.
"""
import json
import os
import time
import warnings

import numpy as np

from nnfast import summary as _summary
from nnfast.callbacks import _learning_rate as _lr
from nnfast.callbacks.callback import Callback
from nnfast.summary import _state, _tb, _values

# tf.keras 2 arguments that TF 2 already ignored (with a warning).
_LEGACY_KWARGS = ("batch_size", "write_grads", "embeddings_layer_names", "embeddings_data")


def _check_profile_batch(profile_batch):
    """(start, stop) from an int, a "start,stop" string or a pair, as Keras validates it."""
    message = ("profile_batch must be a non-negative integer or 2-tuple of positive "
               "integers. A pair of positive integers signifies a range of batches to "
               f"profile. Found: {profile_batch}")
    try:
        if isinstance(profile_batch, str):
            profile_batch = [int(p) for p in profile_batch.split(",")]
            if len(profile_batch) == 1:
                profile_batch = profile_batch[0]
        if isinstance(profile_batch, (int, np.integer)) and not isinstance(profile_batch, bool):
            start = stop = int(profile_batch)
        elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
            start, stop = (int(p) for p in profile_batch)
        else:
            raise ValueError(message)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop


def _weight_image(weight):
    """The weight as a (k, h, w, 1) image batch, or None, by Keras's reshaping rules."""
    w = np.squeeze(np.asarray(weight, dtype=np.float32))
    if w.ndim == 1:                         # a bias
        w = w.reshape(1, w.shape[0], 1, 1)
    elif w.ndim == 2:                       # a Dense kernel, wide side horizontal
        if w.shape[0] > w.shape[1]:
            w = w.T
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:                       # a Conv1D kernel: one image per channel
        w = np.transpose(w, (2, 0, 1))
        w = w.reshape(w.shape + (1,))
    if w.ndim == 4 and w.shape[-1] in (1, 3, 4):
        return w
    return None


class TensorBoard(Callback):
    """Logs metrics, learning rate, weight histograms/images and the model config for
    TensorBoard (`tensorboard --logdir <log_dir>`). Needs the `tensorboard` package
    (`pip install nnfast[tensorboard]`), not TensorFlow.

    Args:
        log_dir: Directory of the logs; `train/` and `validation/` are made inside.
        histogram_freq: Every how many epochs to write weight histograms (0: never).
        write_graph: Write the model config (the graph dashboard's "keras" tag);
            Sequential and functional models only, as Keras.
        write_images: Also write weights as images (at histogram epochs, as Keras).
        write_steps_per_second: Log training steps per second.
        update_freq: "epoch", "batch" (= 1) or an int N: also write `batch_<metric>`
            every N training batches.
        profile_batch: Validated as Keras does; nnfast has no profiler, so a non-zero
            value only warns.
        embeddings_freq: Every how many epochs to save weights for the projector.
        embeddings_metadata: Metadata file for Embedding layers (one name for all, or a
            dict layer name -> file).
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True,
                 write_images=False, write_steps_per_second=False, update_freq="epoch",
                 profile_batch=0, embeddings_freq=0, embeddings_metadata=None, **kwargs):
        super().__init__()
        _tb.require("keras.callbacks.TensorBoard")     # fail here, not at epoch 1
        for key in _LEGACY_KWARGS:
            if key in kwargs:
                kwargs.pop(key)
                warnings.warn(f"TensorBoard: `{key}` is no longer used and is ignored.",
                              stacklevel=2)
        if kwargs:
            raise ValueError(f"Unrecognized arguments in `TensorBoard` Callback: {kwargs}")
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (isinstance(update_freq, bool) or not isinstance(
                update_freq, (int, np.integer)) or update_freq < 1):
            raise ValueError("TensorBoard: `update_freq` must be 'epoch', 'batch' or a "
                             f"positive integer. Received: update_freq={update_freq!r}")
        for name, value in (("histogram_freq", histogram_freq),
                            ("embeddings_freq", embeddings_freq)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"TensorBoard: `{name}` must be a non-negative integer. "
                                 f"Received: {name}={value!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = int(histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq if update_freq == "epoch" else int(update_freq)
        self.embeddings_freq = int(embeddings_freq)
        self.embeddings_metadata = embeddings_metadata
        if _check_profile_batch(profile_batch) != (0, 0):
            warnings.warn("TensorBoard: nnfast has no profiler; `profile_batch` is ignored. "
                          f"Received: profile_batch={profile_batch!r}", stacklevel=2)
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._previous_epoch_iterations = 0
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0
        self._writers = {}
        self._pushed = []
        self._graph_written = False
        self._in_fit = False

    @property
    def summary(self):
        """The summary module this callback writes with (`tf.summary` in Keras)."""
        return _summary

    # -- writers ------------------------------------------------------------------------
    def set_model(self, model):
        self._close_writers()
        self._model = model
        self._log_write_dir = self.log_dir
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        # Keras writes the config on every set_model (fit, evaluate, predict); once per
        # callback keeps later runs from adding a second step-0 event to the logs.
        if self.write_graph and not self._graph_written:
            self._write_keras_model_summary()
            self._graph_written = True
        if self.embeddings_freq:
            self._configure_embeddings()

    def _writer(self, key, directory):
        writer = self._writers.get(key)
        if writer is None or writer._closed:
            writer = self._writers[key] = _summary.create_file_writer(directory)
        return writer

    @property
    def _train_writer(self):
        return self._writer("train", self._train_dir)

    @property
    def _val_writer(self):
        return self._writer("val", self._val_dir)

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _push_writer(self, writer, counter):
        """Default writer for summaries written inside steps (update_freq != "epoch")."""
        if self.update_freq == "epoch":
            return
        freq = self.update_freq
        self._pushed.append(_state.push(writer, getattr(self, counter),
                                        lambda: getattr(self, counter) % freq == 0))

    def _pop_writer(self):
        if self.update_freq != "epoch" and self._pushed:
            _state.pop(self._pushed.pop())

    def _scalar(self, writer, tag, value, step):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return      # not a number (e.g. a per-class array): nothing to plot
        writer.write_value(_values.scalar(tag, value), step)

    # -- hooks --------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._in_fit = True
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._push_writer(self._train_writer, "_global_train_batch")

    def on_train_end(self, logs=None):
        self._pop_writer()
        self._close_writers()
        self._in_fit = False

    def on_test_begin(self, logs=None):
        self._push_writer(self._val_writer, "_global_test_batch")

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            step = int(np.asarray(optimizer.iterations))
            writer = self._val_writer
            for name, value in (logs or {}).items():
                self._scalar(writer, f"evaluation_{name}_vs_iterations", value, step)
            if not self._in_fit:
                writer.flush()
        self._pop_writer()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self._pushed:
            _state.state.step = self._global_train_batch
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        step = self._global_train_batch
        writer = self._train_writer
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            if elapsed > 0:
                self._scalar(writer, "batch_steps_per_second", 1.0 / elapsed, step)
        if isinstance(logs, dict):
            for name, value in logs.items():
                self._scalar(writer, f"batch_{name}", value, step)

    def on_test_batch_begin(self, batch, logs=None):
        self._global_test_batch += 1
        if self._pushed:
            _state.state.step = self._global_test_batch

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_epoch_iterations = self._iterations()
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)
        # Flushed every epoch so a running TensorBoard shows progress.
        for writer in self._writers.values():
            writer.flush()

    # -- what is written ----------------------------------------------------------------
    def _iterations(self):
        optimizer = getattr(self.model, "optimizer", None)
        return int(np.asarray(optimizer.iterations)) if optimizer is not None else 0

    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        if getattr(self.model, "optimizer", None) is not None:
            _lr.log_learning_rates(self.model, train_logs, "TensorBoard")
        if self.write_steps_per_second:
            elapsed = time.time() - self._epoch_start_time
            done = self._iterations() - self._previous_epoch_iterations
            train_logs["steps_per_second"] = done / elapsed if elapsed > 0 else 0.0
        for writer, values in ((self._train_writer, train_logs),
                               (self._val_writer if val_logs else None, val_logs)):
            for name, value in values.items():
                self._scalar(writer, f"epoch_{name}", value, epoch)

    def _log_weights(self, epoch):
        writer = self._train_writer
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                value = np.asarray(weight)
                writer.write_value(_values.histogram(f"{name}/histogram", value), epoch)
                if self.write_images:
                    image = _weight_image(value)
                    if image is not None:
                        writer.write_value(_values.image(f"{name}/image", image), epoch)
        writer.flush()

    def _write_keras_model_summary(self):
        """The model's JSON config under tag "keras" (TensorBoard's conceptual graph)."""
        if type(self.model).__name__ not in ("Functional", "Sequential"):
            return
        try:
            if hasattr(self.model, "to_json"):
                config = self.model.to_json()
            else:
                from nnfast.saving.serialization import serialize_keras_object

                config = json.dumps(serialize_keras_object(self.model))
        except Exception as e:      # as Keras: a model that cannot serialise still trains
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {e}")
            return
        summary_pb2 = _tb.require().summary_pb2
        metadata = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name="graph_keras_model", content=b"1"))
        self._train_writer.write_value(_values.generic("keras", config, metadata), 0)
        self._train_writer.flush()

    def _configure_embeddings(self):
        """Write `projector_config.pbtxt` naming each Embedding layer, as Keras."""
        from google.protobuf import text_format
        from tensorboard.plugins import projector

        config = projector.ProjectorConfig()
        metadata = self.embeddings_metadata
        if isinstance(metadata, dict):
            metadata = dict(metadata)       # consumed below; the caller's dict is kept
        for layer in self.model.layers:
            if "Embedding" not in (c.__name__ for c in type(layer).__mro__):
                continue
            embedding = config.embeddings.add()
            # The tensor name Keras writes (its checkpoint naming of the first weights).
            embedding.tensor_name = "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"
            if isinstance(metadata, str):
                embedding.metadata_path = metadata
            elif metadata and layer.name in metadata:
                embedding.metadata_path = metadata.pop(layer.name)
        if metadata and not isinstance(metadata, str):
            raise ValueError("Unrecognized `Embedding` layer names passed to "
                             "`keras.callbacks.TensorBoard` `embeddings_metadata` "
                             f"argument: {metadata.keys()}")
        os.makedirs(self.log_dir, exist_ok=True)
        with open(os.path.join(self.log_dir, "projector_config.pbtxt"), "w") as f:
            f.write(text_format.MessageToString(config))

    def _log_embeddings(self, epoch):
        path = os.path.join(self.log_dir, "train", f"keras_embedding.ckpt-{epoch}.weights.h5")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.model.save_weights(path)
