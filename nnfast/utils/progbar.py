"""`Progbar`: the text progress bar of Keras 3 (`12/50 ━━━━ 1s 20ms/step - loss: 0.4532`)."""
import math
import os
import sys
import time

import numpy as np

_BOLD, _GREEN, _GRAY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def print_msg(message, line_break=True):
    """Write `message` to stdout and flush (ASCII bar where the encoding lacks '━')."""
    message = f"{message}\n" if line_break else str(message)
    try:
        sys.stdout.write(message)
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or "utf-8"
        message = message.replace("━", "=").encode(encoding, errors="ignore").decode(encoding)
        sys.stdout.write(message)
    sys.stdout.flush()


def _dynamic_display():
    # Keras's test, kept as is: "posix" is always imported on Linux/macOS, so there the
    # bar is always rewritten in place with "\b"/"\r", even when stdout is a file.
    return ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
            or "ipykernel" in sys.modules or "posix" in sys.modules
            or "PYCHARM_HOSTED" in os.environ)


def _format_value(value):
    if not isinstance(value, float):
        try:
            value = float(np.mean(value))
        except (TypeError, ValueError):
            return f" {value}"
    return f" {value:.4f}" if abs(value) > 1e-3 else f" {value:.4e}"


def _format_time(seconds, unit_name):
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(eta):
    if eta > 3600:
        return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return "%d:%02d" % (eta // 60, eta % 60)
    return "%ds" % eta


class Progbar:
    """Displays a progress bar.

    With neither `stateful_metrics` nor `stateless_metrics`, every metric is averaged
    over the steps seen before display.

    Args:
        target: Total number of steps expected, `None` if unknown.
        width: Width of the bar, in characters.
        verbose: 0 (silent), 1 (live bar), 2 (one line when finished).
        interval: Minimum time between two redraws, in seconds.
        stateful_metrics: Names of metrics shown as given (not averaged); all others
            are averaged.
        stateless_metrics: Names of metrics to average; all others are shown as given.
            Give at most one of the two.
        unit_name: What a step is called (`"step"`, `"sample"`).
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: give only one of `stateful_metrics` and "
                             f"`stateless_metrics`. Received: stateful_metrics="
                             f"{stateful_metrics!r}, stateless_metrics={stateless_metrics!r}")
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar: `verbose` must be 0, 1 or 2. Received: verbose={verbose!r}")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateless_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = None, set(stateless_metrics)
        else:
            self.stateful_metrics, self.stateless_metrics = set(stateful_metrics or ()), None
        self._dynamic_display = _dynamic_display()
        self._seen_so_far = 0
        self._values = {}          # name -> [sum of value*steps, steps]
        self._values_order = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def _averaged(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def update(self, current, values=None, finalize=None):
        """Updates the bar.

        Args:
            current: Index of the current step (1-based count of steps done).
            values: List of `(name, value)` pairs for the last step.
            finalize: Whether this is the last update; defaults to
                `current >= target`.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or ():
            if k not in self._values:
                self._values_order.append(k)
            if self._averaged(k):
                # At least 1: a finalizing call may repeat the last step's count.
                steps = max(current - self._seen_so_far, 1)
                entry = self._values.get(k)
                if entry is None:
                    self._values[k] = [v * steps, steps]
                else:
                    entry[0] += v * steps
                    entry[1] += steps
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current

        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            info = f"%{digits}d/%d" % (current, self.target)
            info += f" - {now - self._start:.0f}s -{_format_time(time_per_unit, self.unit_name)}"
            info += self._metrics_text()
            print_msg(info)
        self._last_update = now

    def _metrics_text(self):
        return "".join(f" - {k}:{_format_value(s / max(1, n) if n != 1 else s)}"
                       for k, (s, n) in ((k, self._values[k]) for k in self._values_order))

    def _draw(self, current, now, time_per_unit, finalize):
        message = ("\b" * self._prev_total_width + "\r") if self._dynamic_display else "\n"
        hidden = 0          # length of the ANSI codes, which take no room on screen
        if self.target:
            digits = int(math.log10(self.target)) + 1
            bar = f"{_BOLD}%{digits}d/%d{_RESET} " % (current, self.target)
            hidden += 8
            done = int(self.width * float(current) / self.target)
            if done > 0:
                bar += f"{_GREEN}{'━' * done}{_RESET}"
                hidden += 9
            bar += f"{_GRAY}{'━' * (self.width - done)}{_RESET}"
            hidden += 9
        else:
            bar = "%7d/Unknown" % current
        if self.target and not finalize:
            info = f" {_BOLD}{_format_eta(time_per_unit * (self.target - current))}{_RESET}"
        else:
            info = f" {_BOLD}{now - self._start:.0f}s{_RESET}"
        hidden += 8
        info += _format_time(time_per_unit, self.unit_name) + self._metrics_text()
        total_width = len(bar) + len(info) - hidden
        message += bar + info
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        print_msg(message, line_break=False)
        self._prev_total_width = total_width

    def add(self, n, values=None):
        """Advances the bar by `n` steps."""
        self.update(self._seen_so_far + n, values)

    def _estimate_step_duration(self, current, now):
        """Seconds per step; the first step (often slow: warm-up) is left out once
        more steps are done."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit
