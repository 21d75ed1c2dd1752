import re

import pytest

import callback_loop as _loop
from nnfast.callbacks import CallbackList, ProgbarLogger

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _plain(text):
    """Output as a terminal shows it: no colours, last rewrite of each line wins."""
    text = _ANSI.sub("", text).replace("\b", "")
    return [line.split("\r")[-1].rstrip() for line in text.split("\n")]


def _fit(verbose, epochs=2, steps=3, validation_steps=0):
    model = _loop.FakeModel()
    cl = CallbackList(add_history=True, add_progbar=True, model=model, verbose=verbose,
                      epochs=epochs, steps=steps)
    _loop.fit(cl, model, epochs=epochs, steps=steps, validation_steps=validation_steps)


def test_verbose_1_prints_epochs_and_live_bar(capsys):
    _fit(1, validation_steps=2)
    out = capsys.readouterr().out
    lines = [l for l in _plain(out) if l]
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    # Final line of epoch 2: count, full bar, time, time per step, the epoch logs as-is.
    final = lines[3]
    assert re.fullmatch(r"3/3 ━{20} \d+s \d+(us|ms|s)/step - loss: 0\.2500 - "
                        r"accuracy: 0\.7000 - val_loss: 1\.0000 - val_accuracy: 0\.2500",
                        final), final
    assert "\r" in out      # the bar is rewritten in place while running
    assert len(lines) == 4  # validation inside fit prints no bar of its own


def test_verbose_2_prints_one_line_per_epoch(capsys):
    _fit(2)
    lines = [l for l in _plain(capsys.readouterr().out) if l]
    assert len(lines) == 4
    assert lines[0] == "Epoch 1/2"
    assert re.fullmatch(r"3/3 - \d+s - \d+(us|ms|s)/step - loss: 0\.3333 - accuracy: 0\.7000",
                        lines[1]), lines[1]
    assert re.fullmatch(r"3/3 - \d+s - \d+(us|ms|s)/step - loss: 0\.2500 - accuracy: 0\.7000",
                        lines[3]), lines[3]


def test_verbose_0_is_silent_and_single_epoch_has_no_epoch_header(capsys):
    _fit(0)
    assert capsys.readouterr().out == ""
    _fit(1, epochs=1)
    out = capsys.readouterr().out
    assert "Epoch" not in out and "3/3" in out     # Keras 3 prints "Epoch" only when epochs > 1


def test_evaluate_and_predict_show_a_bar(capsys):
    cl = CallbackList(add_progbar=True, verbose=1, epochs=1, steps=2)
    _loop.evaluate(cl, 2)
    lines = [l for l in _plain(capsys.readouterr().out) if l]
    assert re.fullmatch(r"2/2 ━{20} \d+s \d+(us|ms|s)/step - loss: 0\.7500 - accuracy: 0\.5000",
                        lines[-1]), lines
    _loop.predict(cl, 2)
    lines = [l for l in _plain(capsys.readouterr().out) if l]
    assert re.fullmatch(r"2/2 ━{20} \d+s \d+(us|ms|s)/step", lines[-1]), lines


def test_unknown_number_of_steps_is_learned_from_the_first_epoch(capsys):
    model = _loop.FakeModel()
    cl = CallbackList(add_progbar=True, model=model, verbose=1, epochs=2, steps=None)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    cl.on_train_batch_end(0, {"loss": 1.0})
    out = capsys.readouterr().out
    assert "1/Unknown" in _ANSI.sub("", out)
    cl.on_train_batch_end(1, {"loss": 1.0})
    cl.on_epoch_end(0, {"loss": 1.0})
    cl.on_epoch_begin(1)
    cl.on_epoch_end(1, {"loss": 1.0})
    lines = [l for l in _plain(capsys.readouterr().out) if l]
    assert lines[-1].startswith("2/2 ")


def test_count_mode_is_checked():
    ProgbarLogger(count_mode="samples")
    with pytest.raises(ValueError, match="ProgbarLogger.*count_mode"):
        ProgbarLogger(count_mode="batches")
