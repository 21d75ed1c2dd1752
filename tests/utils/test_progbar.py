import re

import pytest

from nnfast.utils import Progbar
from nnfast.utils import progbar as progbar_module

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _lines(out):
    out = _ANSI.sub("", out).replace("\b", "")
    return [l.split("\r")[-1].rstrip() for l in out.split("\n") if l.split("\r")[-1].strip()]


def test_verbose_1_averages_metrics_unless_stateful(capsys):
    bar = Progbar(3, stateful_metrics=["acc"], interval=0)
    for i, (loss, acc) in enumerate([(1.0, 0.1), (2.0, 0.2), (6.0, 0.9)], start=1):
        bar.update(i, [("loss", loss), ("acc", acc)])
    out = capsys.readouterr().out
    assert out.count("\r") == 3 and out.endswith("\n")
    last = _lines(out)[-1]
    assert re.fullmatch(r"3/3 ━{20} \d+s \d+(us|ms|s)/step - loss: 3\.0000 - acc: 0\.9000", last)
    # While running: the bar is partly filled and an ETA is shown.
    first = _ANSI.sub("", out.split("\r")[1])
    assert first.startswith("1/3 " + "━" * 20 + " ")


def test_stateless_metrics_list_and_tiny_values(capsys):
    bar = Progbar(2, stateless_metrics=["loss"], interval=0)
    bar.update(1, [("loss", 2e-4), ("lr", 1e-5)])
    bar.update(2, [("loss", 4e-4), ("lr", 3e-5)])
    last = _lines(capsys.readouterr().out)[-1]
    assert last.endswith(" - loss: 3.0000e-04 - lr: 3.0000e-05")


def test_verbose_2_prints_one_line_at_the_end(capsys):
    bar = Progbar(12, verbose=2)
    for i in range(1, 12):
        bar.update(i, [("loss", float(i))])
    assert capsys.readouterr().out == ""
    bar.update(12, [("loss", 12.0)])
    out = capsys.readouterr().out
    # Count padded to the target's width, as Keras does.
    assert re.fullmatch(r"12/12 - \d+s - \d+(us|ms|s)/step - loss: 6\.5000\n", out), out


def test_verbose_0_prints_nothing(capsys):
    bar = Progbar(2, verbose=0)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_interval_throttles_redraws_but_not_the_final_one(capsys):
    bar = Progbar(100, interval=3600)
    for i in range(1, 101):
        bar.update(i, [("loss", 1.0)])
    out = capsys.readouterr().out
    assert out.count("\r") == 2      # the first draw and the final one
    assert " 100/100 " not in _lines(out)[-1] and _lines(out)[-1].startswith("100/100 ")


def test_add_and_unknown_target(capsys):
    bar = Progbar(None, interval=0)
    bar.add(2, [("loss", 1.0)])
    bar.add(3, [("loss", 2.0)])
    out = _lines(capsys.readouterr().out)
    assert out[-1].startswith("      5/Unknown ")
    assert out[-1].endswith(" - loss: 1.6000")     # (1*2 + 2*3) / 5


def test_without_a_terminal_each_draw_is_a_new_line(capsys):
    bar = Progbar(2, interval=0)
    bar._dynamic_display = False
    bar.update(1)
    bar.update(2)
    out = _ANSI.sub("", capsys.readouterr().out)
    assert "\r" not in out and out.count("\n") == 3
    assert out.split("\n")[1].startswith("1/2 ") and out.split("\n")[2].startswith("2/2 ")


def test_time_and_eta_formats():
    assert progbar_module._format_time(0.02, "step") == " 20ms/step"
    assert progbar_module._format_time(3e-5, "step") == " 30us/step"
    assert progbar_module._format_time(2.0, "sample") == " 2s/sample"
    assert progbar_module._format_time(0, "step") == " 0s/step"
    assert progbar_module._format_eta(42.7) == "42s"
    assert progbar_module._format_eta(125) == "2:05"
    assert progbar_module._format_eta(3725) == "1:02:05"


def test_step_time_leaves_out_the_first_step(monkeypatch):
    clock = iter([100.0, 110.0, 111.0, 112.0])
    monkeypatch.setattr(progbar_module.time, "time", lambda: next(clock))
    bar = Progbar(3, verbose=0)                          # start = 100
    assert bar._estimate_step_duration(1, next(clock)) == 10.0    # first step: 10 s
    assert bar._estimate_step_duration(2, next(clock)) == 1.0     # later: 1 s per step
    assert bar._estimate_step_duration(3, next(clock)) == 1.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="Progbar.*only one"):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])
    with pytest.raises(ValueError, match="Progbar.*verbose"):
        Progbar(3, verbose=3)
