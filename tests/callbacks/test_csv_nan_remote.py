"""CSVLogger, TerminateOnNaN and RemoteMonitor."""
import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

from nnfast.callbacks import CSVLogger, RemoteMonitor, TerminateOnNaN

import cb_helpers as h


def _read(path):
    with open(path, newline="") as f:
        return f.read()


def test_csv_header_rows_and_na_columns(tmp_path):
    path = tmp_path / "log.csv"
    x, y = h.data(20)
    hist = h.model().fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path, separator=";")])
    text = _read(path)
    lines = text.split("\r\n")          # csv's excel dialect, as Keras writes it
    # No validation: Keras still adds val_ columns, filled with NA.
    assert lines[0] == "epoch;accuracy;loss;val_accuracy;val_loss"
    for epoch in (0, 1):
        assert lines[1 + epoch] == (f"{epoch};{hist.history['accuracy'][epoch]!r};"
                                    f"{hist.history['loss'][epoch]!r};NA;NA")
    assert lines[3] == ""


def test_csv_with_validation_overwrite_and_append(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("old content\n")
    x, y = h.data(20)
    m = h.model()
    m.fit(x, y, epochs=2, validation_split=0.5, verbose=0, callbacks=[CSVLogger(str(path))])
    rows = _read(path).splitlines()
    assert rows[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert len(rows) == 3 and [r.split(",")[0] for r in rows[1:]] == ["0", "1"]
    assert [float(v) for v in rows[2].split(",")[1:]] == pytest.approx(
        [m.history.history[k][1] for k in ("accuracy", "loss", "val_accuracy", "val_loss")])
    # append=True: no second header, new rows after the old ones.
    hist = m.fit(x, y, epochs=1, validation_split=0.5, verbose=0,
                 callbacks=[CSVLogger(path, append=True)])
    rows = _read(path).splitlines()
    assert len(rows) == 4 and rows[0].startswith("epoch,")
    assert float(rows[3].split(",")[2]) == pytest.approx(hist.history["loss"][0])
    # append=True on an empty file writes the header.
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    m.fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(empty, append=True)])
    assert _read(empty).startswith("epoch,accuracy,loss,val_accuracy,val_loss\r\n0,")


def test_csv_array_values_are_bracketed(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 0.5, "per_class": np.array([1, 2]), "val_loss": 0.25})
    logger.on_train_end()
    assert _read(path).splitlines()[1] == '0,0.5,"""[1, 2]""",0.25'


def test_terminate_on_nan_stops_at_the_nan_batch(capsys):
    x, y = h.data(40)
    y[15] = np.nan                      # the second batch of 10 has a NaN target
    hist = h.model().fit(x, y, batch_size=10, epochs=3, shuffle=False, verbose=0,
                         callbacks=[TerminateOnNaN()])
    assert len(hist.history["loss"]) == 1 and np.isnan(hist.history["loss"][0])
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 1"):
        h.model().fit(x, y, batch_size=10, epochs=3, shuffle=False, verbose=0,
                      callbacks=[TerminateOnNaN(raise_error=True)])
    # Finite losses never stop training.
    x, y = h.data(20)
    assert len(h.model().fit(x, y, epochs=2, verbose=0, callbacks=[TerminateOnNaN()])
               .history["loss"]) == 2


class _Recorder(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Recorder.received = []
    srv = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_remote_monitor_posts_a_form_per_epoch(server):
    _, root = server
    x, y = h.data(20)
    hist = h.model().fit(x, y, epochs=2, verbose=0,
                         callbacks=[RemoteMonitor(root=root, headers={"X-Run": "r1"})])
    assert len(_Recorder.received) == 2
    for epoch, (path, headers, body) in enumerate(_Recorder.received):
        assert path == "/publish/epoch/end/"
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert headers["X-Run"] == "r1"
        sent = json.loads(urllib.parse.parse_qs(body.decode())["data"][0])
        assert sent == {"epoch": epoch, "loss": hist.history["loss"][epoch],
                        "accuracy": hist.history["accuracy"][epoch]}


def test_remote_monitor_json_body_and_numpy_values(server):
    _, root = server
    monitor = RemoteMonitor(root=root, path="/ep", send_as_json=True)
    monitor.on_epoch_end(3, {"loss": np.float32(0.5), "acc": np.array(0.25)})
    path, headers, body = _Recorder.received[0]
    assert path == "/ep" and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"epoch": 3, "loss": 0.5, "acc": 0.25}


def test_remote_monitor_unreachable_server_warns():
    import socket
    with socket.socket() as s:          # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monitor = RemoteMonitor(root=f"http://127.0.0.1:{port}")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        monitor.on_epoch_end(0, {"loss": 1.0})
