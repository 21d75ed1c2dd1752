"""ModelCheckpoint: file names, when it saves, and checkpoints that survive SIGKILL."""
import importlib.util
import os
import random
import select
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import nnfast
from nnfast import layers
from nnfast.callbacks import ModelCheckpoint


class SaveRecorder:
    """A model stand-in that records what a checkpoint callback saves."""

    def __init__(self):
        self.saved = []
        self.metrics = []

    def save(self, filepath, overwrite=True, save_format=None):
        self.saved.append(("model", filepath))

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(("weights", filepath))


def _drive(cb, epoch_logs, steps=0):
    model = SaveRecorder()
    cb.set_model(model)
    cb.on_train_begin()
    for epoch, logs in enumerate(epoch_logs):
        cb.on_epoch_begin(epoch)
        for step in range(steps):
            cb.on_train_batch_end(step, {"loss": 1.0})
        cb.on_epoch_end(epoch, logs)
    return model.saved


def test_filepath_is_formatted_with_the_epoch_and_logs():
    cb = ModelCheckpoint("ck/weights.{epoch:02d}-{val_loss:.2f}.h5")
    saved = _drive(cb, [{"val_loss": 0.5}, {"val_loss": 0.25}])
    assert saved == [("model", "ck/weights.01-0.50.h5"), ("model", "ck/weights.02-0.25.h5")]
    with pytest.raises(KeyError, match="val_acc"):
        _drive(ModelCheckpoint("w.{val_acc}.h5"), [{"val_loss": 1.0}])


@pytest.mark.parametrize("monitor, values, expected", [
    ("val_loss", [0.5, 0.6, 0.4, 0.4, 0.1], [1, 3, 5]),          # auto -> min
    ("val_accuracy", [0.5, 0.4, 0.7, 0.9, 0.8], [1, 3, 4]),      # auto -> max
])
def test_save_best_only_saves_on_improvement(monitor, values, expected):
    cb = ModelCheckpoint("best-{epoch}.h5", monitor=monitor, save_best_only=True)
    saved = _drive(cb, [{monitor: v} for v in values])
    assert saved == [("model", f"best-{e}.h5") for e in expected]
    assert cb.best == [v for v in values][expected[-1] - 1]


def test_initial_value_threshold_mode_and_weights_only():
    cb = ModelCheckpoint("w{epoch}.weights.h5", monitor="loss", mode="max",
                         save_best_only=True, save_weights_only=True, initial_value_threshold=3)
    saved = _drive(cb, [{"loss": v} for v in (1, 2, 4, 3, 5)])
    assert saved == [("weights", "w3.weights.h5"), ("weights", "w5.weights.h5")]


def test_save_freq_in_batches_and_keras2_period():
    cb = ModelCheckpoint("m-{epoch}-{batch}.h5", save_freq=3)
    saved = _drive(cb, [{}, {}, {}], steps=5)
    assert [p for _, p in saved] == ["m-1-3.h5", "m-2-1.h5", "m-2-4.h5", "m-3-2.h5", "m-3-5.h5"]
    with pytest.warns(UserWarning, match="period"):
        cb = ModelCheckpoint("p{epoch}.h5", period=2)
    assert [p for _, p in _drive(cb, [{}] * 5)] == ["p2.h5", "p4.h5"]
    for bad in ("batch", 0, -2, 1.5):
        with pytest.raises(ValueError, match="save_freq"):
            ModelCheckpoint("x.h5", save_freq=bad)
    with pytest.raises(ValueError, match="weights.h5"):
        ModelCheckpoint("x.keras", save_weights_only=True)


def test_messages_and_missing_monitor(capsys):
    cb = ModelCheckpoint("b.h5", save_best_only=True, verbose=1)
    _drive(cb, [{"val_loss": 0.5}, {"val_loss": 0.7}])
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from None to 0.50000, saving model to b.h5" in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out
    with pytest.warns(UserWarning, match="only with val_loss available"):
        saved = _drive(ModelCheckpoint("b.h5", save_best_only=True), [{"loss": 1.0}])
    assert saved == [("model", "b.h5")]                # Keras 3 saves anyway


def test_checkpoints_during_fit_load_back(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = nnfast.Sequential([layers.Dense(4, activation="relu", input_shape=(5,)),
                               layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    snapshots = []
    keep = nnfast.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    pattern = str(tmp_path / "ck" / "weights.{epoch:02d}-{val_loss:.2f}.h5")
    best = str(tmp_path / "best.keras")
    history = model.fit(x, y, epochs=4, batch_size=8, validation_split=0.25, verbose=0,
                        callbacks=[keep, ModelCheckpoint(pattern),
                                   ModelCheckpoint(best, monitor="val_accuracy",
                                                   save_best_only=True)])
    losses = history.history["val_loss"]
    names = sorted(os.listdir(tmp_path / "ck"))
    assert names == [f"weights.{e + 1:02d}-{v:.2f}.h5" for e, v in enumerate(losses)]
    third = nnfast.models.load_model(tmp_path / "ck" / names[2])
    for a, b in zip(third.get_weights(), snapshots[2]):
        np.testing.assert_array_equal(a, b)
    accuracies = history.history["val_accuracy"]
    best_epoch = int(np.argmax(accuracies))        # first of equal maxima, as `>` keeps it
    restored = nnfast.models.load_model(best)
    for a, b in zip(restored.get_weights(), snapshots[best_epoch]):
        np.testing.assert_array_equal(a, b)


# -- the kill test ------------------------------------------------------------------------
WORKER = os.path.join(os.path.dirname(__file__), "checkpoint_worker.py")


def _worker_module():
    spec = importlib.util.spec_from_file_location("checkpoint_worker", WORKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Lines:
    """Lines from a pipe with a deadline (a hung worker fails the test, not the run)."""

    def __init__(self, pipe):
        self.fd, self.buffer = pipe.fileno(), b""

    def read(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise AssertionError("the checkpoint worker stopped answering")
            chunk = os.read(self.fd, 4096)
            if not chunk:
                raise AssertionError("the checkpoint worker exited")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()


def _wait_gone(pid, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.005)
    raise AssertionError(f"process {pid} survived SIGKILL")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker forks trainers (POSIX)")
def test_checkpoints_survive_sigkill_at_random_moments(tmp_path):
    worker = _worker_module()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""),
               NNFAST_KERNELS="numpy", NNFAST_NUM_THREADS="1", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, WORKER, str(tmp_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env)
    lines = _Lines(proc.stdout)
    rng = random.Random(0)
    mid_write = 0
    try:
        for _ in range(20):
            proc.stdin.write(b"go\n")
            proc.stdin.flush()
            pid, ready = None, False
            while pid is None or not ready:
                word, value = lines.read().split()
                pid = int(value) if word == "pid" else pid
                ready = ready or word == "ready"
            time.sleep(rng.uniform(0.0, 0.12))
            os.kill(pid, signal.SIGKILL)
            _wait_gone(pid)
            mid_write += any(".nnfast-tmp-" in n for n in os.listdir(tmp_path))
            with open(tmp_path / "journal.txt") as f:
                journal = set(f.read().split())
            for name in ("ckpt.h5", "ckpt.keras"):
                model = nnfast.models.load_model(tmp_path / name)
                assert worker.fingerprint(model) in journal, f"{name} holds an unsaved state"
    finally:
        proc.kill()
        proc.wait()
    assert mid_write >= 1, "no kill landed during a save; the test proved nothing"
    stale = [n for n in os.listdir(tmp_path) if ".nnfast-tmp-" in n]
    assert len(stale) <= 2        # only the last trainer's (cleaned up by the next saver)
