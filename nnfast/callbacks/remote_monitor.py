"""`RemoteMonitor`: POST each epoch's logs to a server (standard library only)."""
import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from nnfast.callbacks.callback import Callback

# Keras (through `requests`) waits forever; a stuck monitor should not stall training.
_TIMEOUT_SECONDS = 10


class RemoteMonitor(Callback):
    """Sends `{"epoch": epoch, **logs}` to `root + path` with an HTTP POST per epoch.

    By default the JSON is sent as a form field (`field=<json>`,
    application/x-www-form-urlencoded); with `send_as_json` it is the request body
    (application/json). An unreachable server gives a warning, never an error.

    Args:
        root: Root URL of the server.
        path: Path, relative to `root`, the events are posted to.
        field: Form field holding the JSON (unused with `send_as_json`).
        headers: Extra HTTP headers (a dict).
        send_as_json: Send the JSON as the body instead of a form.
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/",
                 field="data", headers=None, send_as_json=False):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        for k, v in (logs or {}).items():
            # NumPy scalars and arrays are not JSON: send their Python values.
            send[k] = v.item() if isinstance(v, (np.ndarray, np.generic)) and np.size(v) == 1 \
                else (v.tolist() if isinstance(v, np.ndarray) else v)
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("ascii")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
                response.read()
        except urllib.error.HTTPError:
            pass        # the server answered; Keras ignores the status too
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)
