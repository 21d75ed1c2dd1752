"""`nnfast.summary`: TF 2's tf.summary spelling, read back by TensorBoard itself."""
import os
import struct
import zlib

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import nnfast  # noqa: E402
from nnfast import summary  # noqa: E402

from tensorboard.compat.proto import summary_pb2  # noqa: E402
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa
from tensorboard.plugins.histogram.summary_v2 import histogram_pb  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402


def _read(directory):
    acc = EventAccumulator(str(directory), size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def _values(acc, tag):
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


@pytest.fixture(autouse=True)
def _clean_state():
    yield
    summary.experimental.set_step(None)
    from nnfast.summary import _state
    _state.state.writer = None
    _state.state.recording = True


def test_custom_train_on_batch_loop_logs_train_and_validation(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((60, 4)).astype("float32")
    y = (x.sum(axis=1) > 2).astype("float32")[:, None]
    xv, yv = x[40:], y[40:]
    m = nnfast.Sequential([nnfast.Input((4,)), nnfast.layers.Dense(1, activation="sigmoid")])
    m.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    train_writer = summary.create_file_writer(str(tmp_path / "train"))
    val_writer = summary.create_file_writer(str(tmp_path / "validation"))
    logged = {"train": [], "validation": []}
    for epoch in range(3):
        m.reset_metrics()
        for start in range(0, 40, 10):
            train = m.train_on_batch(x[start:start + 10], y[start:start + 10],
                                     reset_metrics=False, return_dict=True)
        val = m.evaluate(xv, yv, verbose=0, return_dict=True)
        for writer, logs, run in ((train_writer, train, "train"), (val_writer, val, "validation")):
            with writer.as_default(step=epoch):
                assert summary.scalar("loss", logs["loss"])
                assert summary.scalar("accuracy", logs["accuracy"])
            logged[run].append(logs)
    train_writer.close()
    val_writer.close()
    for run in ("train", "validation"):
        acc = _read(tmp_path / run)
        for key in ("loss", "accuracy"):
            got = _values(acc, key)
            assert [s for s, _ in got] == [0, 1, 2]
            assert [float(v) for _, v in got] == [float(np.float32(l[key])) for l in logged[run]]
            assert acc.SummaryMetadata(key).plugin_data.plugin_name == "scalars"


def test_default_writer_step_and_return_values(tmp_path):
    assert summary.scalar("x", 1.0, step=0) is False            # no default writer
    writer = summary.create_file_writer(str(tmp_path))
    assert os.path.basename(writer.path).startswith("events.out.tfevents.")
    assert writer.path.endswith(".v2")
    with writer.as_default():
        with pytest.raises(ValueError, match="No step set"):
            summary.scalar("x", 1.0)
        summary.experimental.set_step(7)
        assert summary.experimental.get_step() == 7
        assert summary.scalar("x", 1.0)                          # step 7
        assert summary.scalar("x", 2.0, step=np.int64(8))
        with writer.as_default(step=20):                         # nested, own step
            assert summary.scalar("x", 3.0)
        assert summary.experimental.get_step() == 7
        with pytest.raises(ValueError, match="must be a scalar"):
            summary.scalar("x", [1.0, 2.0], step=0)
    assert summary.scalar("x", 4.0, step=0) is False             # writer popped
    writer.set_as_default()
    variable = nnfast.Variable(np.int64(30), dtype="int64", trainable=False)
    assert summary.scalar("x", 5.0, step=variable)
    summary.flush()
    got = _values(_read(tmp_path), "x")
    assert [(s, float(v)) for s, v in got] == [(7, 1.0), (8, 2.0), (20, 3.0), (30, 5.0)]
    writer.close()
    assert summary.scalar("x", 6.0, step=0) is False    # closing the default unsets it
    with pytest.raises(RuntimeError, match="already closed"):
        with writer.as_default():
            pass


def test_record_if_and_noop_writer(tmp_path):
    writer = summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=0):
        assert summary.should_record_summaries()
        with summary.record_if(False):
            assert summary.scalar("x", 1.0) is False
        state = {"on": False}
        with summary.record_if(lambda: state["on"]):
            assert summary.scalar("x", 2.0) is False
            state["on"] = True
            assert summary.scalar("x", 3.0)
    with summary.create_noop_writer().as_default(step=0):
        assert summary.scalar("x", 4.0) is False
    writer.close()
    assert [float(v) for _, v in _values(_read(tmp_path), "x")] == [3.0]


@pytest.mark.parametrize("data", [np.random.default_rng(1).normal(size=(7, 13)),
                                  np.full(5, 2.5), np.array([]),
                                  np.array([0.0, 1.0, 1.0, 3.0])])
@pytest.mark.parametrize("buckets", [None, 1, 7])
def test_histogram_buckets_equal_tensorboards_own(data, buckets):
    from nnfast.summary._values import histogram_buckets

    expected = tensor_util.make_ndarray(histogram_pb("h", data, buckets).value[0].tensor)
    np.testing.assert_allclose(histogram_buckets(data, buckets), expected)


def test_histogram_text_write_are_read_back(tmp_path):
    writer = summary.create_file_writer(str(tmp_path))
    data = np.arange(100, dtype=np.float32)
    with writer.as_default(step=3):
        assert summary.histogram("w", data, buckets=10, description="weights")
        assert summary.text("note", "**bold** text")
        assert summary.text("table", [["a", "b"], ["c", "d"]])
        meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name="my_plugin")).SerializeToString()
        assert summary.write("raw", np.array([1, 2, 3]), metadata=meta)
        with pytest.raises(ValueError, match="buckets"):
            summary.histogram("w", data, buckets=-1)
    writer.close()
    acc = _read(tmp_path)
    (step, hist), = _values(acc, "w")
    assert step == 3 and hist.shape == (10, 3) and list(hist[:, 2]) == [10.0] * 10
    assert acc.SummaryMetadata("w").plugin_data.plugin_name == "histograms"
    assert acc.SummaryMetadata("w").summary_description == "weights"
    assert _values(acc, "note")[0][1] == b"**bold** text"
    assert _values(acc, "table")[0][1].tolist() == [[b"a", b"b"], [b"c", b"d"]]
    assert acc.SummaryMetadata("note").plugin_data.plugin_name == "text"
    assert _values(acc, "raw")[0][1].tolist() == [1, 2, 3]
    assert acc.SummaryMetadata("raw").plugin_data.plugin_name == "my_plugin"


def _decode_png(png):
    """(h, w, c) uint8 from the PNGs nnfast writes (filter 0, one IDAT), CRCs checked."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", png[pos + 8 + length:pos + 12 + length])[0] == \
            zlib.crc32(kind + body)
        chunks[kind] = body
        pos += 12 + length
    w, h, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    channels = {0: 1, 2: 3, 6: 4}[color]
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, -1)
    assert depth == 8 and (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(h, w, channels)


def test_image_writes_pngs_of_the_first_max_outputs(tmp_path):
    rng = np.random.default_rng(2)
    rgb = rng.integers(0, 256, size=(4, 3, 5, 3), dtype=np.uint8)
    gray = rng.random((1, 2, 6, 1))
    writer = summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=1):
        assert summary.image("rgb", rgb, max_outputs=2)
        assert summary.image("gray", gray)
        with pytest.raises(ValueError, match=r"Received: data.shape=\(3, 5, 3\)"):
            summary.image("bad", rgb[0])
    writer.close()
    acc = _read(tmp_path)
    (_, content), = _values(acc, "rgb")
    assert content[:2].tolist() == [b"5", b"3"] and len(content) == 4   # w, h, 2 images
    for k in range(2):
        np.testing.assert_array_equal(_decode_png(content[2 + k]), rgb[k])
    (_, content), = _values(acc, "gray")
    np.testing.assert_array_equal(_decode_png(content[2]),
                                  (gray[0] * 255.5).astype(np.uint8))
    assert acc.SummaryMetadata("gray").plugin_data.plugin_name == "images"


def test_writer_reopens_after_close_with_a_new_file(tmp_path):
    writer = summary.create_file_writer(str(tmp_path / "run"), filename_suffix="")
    first = writer.path
    writer.close()
    writer.init()
    with writer.as_default(step=0):
        summary.scalar("x", 1.0)
    writer.close()
    assert writer.path != first and sorted(os.listdir(tmp_path / "run")) == \
        sorted(os.path.basename(p) for p in (first, writer.path))

