"""Helper process for the kill test in test_model_checkpoint.py.

It imports nnfast once, then for every "go" line on stdin forks a trainer that saves
checkpoints (`ckpt.h5` and `ckpt.keras`, every batch) until it is killed. Before each save
the trainer appends the fingerprint of the state it is about to save to `journal.txt`,
so whatever a checkpoint holds must be a journaled state. The trainer prints
"ready <pid>" after its first saves.
"""
import hashlib
import os
import signal
import sys

import numpy as np

import nnfast
from nnfast import layers


def fingerprint(model):
    h = hashlib.sha1()
    for w in model.get_weights():
        h.update(np.ascontiguousarray(w).tobytes())
    h.update(str(int(model.optimizer.iterations._value)).encode())
    return h.hexdigest()


class Journal(nnfast.callbacks.Callback):
    def __init__(self, path):
        super().__init__()
        self.path = path

    def on_train_batch_end(self, batch, logs=None):
        with open(self.path, "a") as f:
            f.write(fingerprint(self.model) + "\n")


class Ready(nnfast.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 0 and not getattr(self, "_said", False):
            self._said = True
            print(f"ready {os.getpid()}", flush=True)


def train(folder, seed):
    nnfast.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 16)).astype("float32")
    y = rng.normal(size=(64, 4)).astype("float32")
    model = nnfast.Sequential([layers.Dense(32, activation="relu", input_shape=(16,)),
                               layers.BatchNormalization(), layers.Dense(4)])
    model.compile("adam", "mse")
    callbacks = [Journal(os.path.join(folder, "journal.txt")),
                 nnfast.callbacks.ModelCheckpoint(os.path.join(folder, "ckpt.h5"), save_freq=1),
                 nnfast.callbacks.ModelCheckpoint(os.path.join(folder, "ckpt.keras"),
                                                  save_freq=1),
                 Ready()]
    model.fit(x, y, batch_size=8, epochs=10 ** 6, verbose=0, callbacks=callbacks)


def main():
    folder = sys.argv[1]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)       # killed trainers are reaped at once
    for seed, line in enumerate(sys.stdin):
        if line.strip() != "go":
            continue
        pid = os.fork()
        if pid == 0:
            try:
                train(folder, seed)
            finally:
                os._exit(0)
        print(f"pid {pid}", flush=True)


if __name__ == "__main__":
    main()
