"""Safe mode: whether loading may run code stored in a file (a `Lambda`'s bytecode).

Keras 3 refuses such code unless the user opts out with `safe_mode=False`; loading code
sets the mode for its duration with `SafeModeScope`, and `Lambda.from_config` asks
`in_safe_mode()`. Outside any scope nnfast is safe (the default of `load_model`).
"""
import threading

_state = threading.local()


def in_safe_mode():
    return getattr(_state, "safe_mode", True)


class SafeModeScope:
    """`with SafeModeScope(False): ...` allows code from a file inside the block."""

    def __init__(self, safe_mode=True):
        self.safe_mode = bool(safe_mode)

    def __enter__(self):
        self._previous = in_safe_mode()
        _state.safe_mode = self.safe_mode
        return self

    def __exit__(self, *exc):
        _state.safe_mode = self._previous
        return False
