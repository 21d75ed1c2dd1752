"""Without the `tensorboard` package: imports work, writing says which extra to install.

Runs whether or not tensorboard is installed (its absence is simulated when it is)."""
import sys

import pytest

import nnfast
from nnfast import summary
from nnfast.summary import _tb


@pytest.fixture
def no_tensorboard(monkeypatch):
    monkeypatch.setattr(_tb, "_MODULES", None)
    monkeypatch.setitem(sys.modules, "tensorboard.summary.writer.event_file_writer", None)


def test_summary_calls_without_a_writer_need_no_tensorboard(no_tensorboard):
    assert summary.scalar("x", 1.0, step=0) is False
    assert summary.should_record_summaries() is False


def test_writer_and_callback_name_the_extra(no_tensorboard, tmp_path):
    with pytest.raises(ImportError, match=r"needs the `tensorboard` package.*"
                                          r"pip install nnfast\[tensorboard\]"):
        summary.create_file_writer(str(tmp_path))
    with pytest.raises(ImportError, match=r"keras.callbacks.TensorBoard .*"
                                          r"pip install nnfast\[tensorboard\]"):
        nnfast.callbacks.TensorBoard(str(tmp_path))
    assert list(tmp_path.iterdir()) == []           # nothing written
