"""A real `tensorboard` server reads the callback's logs and serves them over HTTP."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("tensorboard")

from nnfast.callbacks import TensorBoard  # noqa: E402

import cb_helpers as h  # noqa: E402

_TIMEOUT_SECONDS = 90


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


@pytest.fixture
def serve(tmp_path):
    procs = []

    def start(logdir):
        port = _free_port()
        # Its own session, so the whole group (TensorBoard and its data server) is ended.
        proc = subprocess.Popen(
            [sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir),
             "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        procs.append(proc)
        return proc, f"http://127.0.0.1:{port}"

    yield start
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        proc.stderr.close()


def test_tensorboard_serves_the_scalars(tmp_path, serve):
    x, y = h.data(40)
    hist = h.model().fit(x, y, batch_size=10, epochs=3, validation_split=0.25, verbose=0,
                         callbacks=[TensorBoard(str(tmp_path / "logs"), histogram_freq=1)])
    proc, root = serve(tmp_path / "logs")
    deadline = time.monotonic() + _TIMEOUT_SECONDS
    tags = {}
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"tensorboard exited early: {proc.stderr.read().decode()[-2000:]}")
        try:
            tags = _get_json(f"{root}/data/plugin/scalars/tags")
            if "epoch_loss" in tags.get("train", {}) and "validation" in tags:
                break
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.25)
    else:
        pytest.fail(f"tensorboard did not serve the scalars within {_TIMEOUT_SECONDS}s: {tags}")
    assert {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"} <= set(tags["train"])
    assert {"epoch_loss", "epoch_accuracy"} <= set(tags["validation"])
    rows = _get_json(f"{root}/data/plugin/scalars/scalars?run=train&tag=epoch_loss")
    assert [r[1] for r in rows] == [0, 1, 2]                   # [wall_time, step, value]
    assert [r[2] for r in rows] == pytest.approx(hist.history["loss"], rel=1e-6)
    rows = _get_json(f"{root}/data/plugin/scalars/scalars?run=validation&tag=epoch_loss")
    assert [r[2] for r in rows] == pytest.approx(hist.history["val_loss"], rel=1e-6)
    histograms = _get_json(f"{root}/data/plugin/histograms/tags")
    assert "d1/kernel/histogram" in histograms["train"]
