"""The TensorBoard callback writes Keras 3's tags, read back by TensorBoard itself."""
import json
import os
import struct
import zlib

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import nnfast  # noqa: E402
from nnfast.callbacks import ReduceLROnPlateau, TensorBoard  # noqa: E402

import cb_helpers as h  # noqa: E402
import tb_read  # noqa: E402


def _fit(log_dir, epochs=3, callbacks=(), **tb_kwargs):
    x, y = h.data(40)
    m = h.model()
    tb = TensorBoard(log_dir=str(log_dir), **tb_kwargs)
    hist = m.fit(x, y, batch_size=10, epochs=epochs, validation_split=0.25, verbose=0,
                 callbacks=[tb, *callbacks])
    return m, tb, hist


def test_epoch_scalars_equal_history_in_train_and_validation(tmp_path):
    m, _, hist = _fit(tmp_path, histogram_freq=1,
                      callbacks=[ReduceLROnPlateau("loss", patience=1, min_delta=1.0)])
    for run in ("train", "validation"):
        names = os.listdir(tmp_path / run)
        assert len(names) == 1 and names[0].startswith("events.out.tfevents.")
    train, val = tb_read.load(tmp_path / "train"), tb_read.load(tmp_path / "validation")
    epochs = [0, 1, 2]
    for key in ("loss", "accuracy", "learning_rate"):
        got = tb_read.scalars(train, f"epoch_{key}")
        assert list(got) == epochs
        assert list(got.values()) == tb_read.as_f32(hist.history[key])
        assert tb_read.plugin(train, f"epoch_{key}") == "scalars"
    # The rate really changed: ReduceLROnPlateau (after TensorBoard, so both log the rate
    # each epoch trained with) divided it by 10 at the end of epoch 1.
    assert tb_read.scalars(train, "epoch_learning_rate")[2] == pytest.approx(0.001)
    for key in ("loss", "accuracy"):
        assert list(tb_read.scalars(val, f"epoch_{key}").values()) == \
            tb_read.as_f32(hist.history[f"val_{key}"])
    assert not any(t.startswith("epoch_val_") for t in val.Tags()["tensors"])
    assert not any(t.startswith("batch_") for t in train.Tags()["tensors"])
    # Validation after each epoch also logs against the optimizer step count (3 per epoch).
    assert tb_read.scalars(val, "evaluation_loss_vs_iterations") == dict(
        zip([3, 6, 9], tb_read.as_f32(hist.history["val_loss"])))


def test_weight_histograms_and_model_config(tmp_path):
    m, _, _ = _fit(tmp_path, epochs=2, histogram_freq=2)
    train = tb_read.load(tmp_path / "train")
    for layer in m.layers:
        for w in layer.weights:
            tag = f"{w.path}/histogram"
            assert tag in ("d1/kernel/histogram", "d1/bias/histogram",
                           "out/kernel/histogram", "out/bias/histogram")
            (step, buckets), = tb_read.series(train, tag)        # epoch 0 only (freq 2)
            assert step == 0 and buckets.shape == (30, 3)
            assert buckets[:, 2].sum() == w.numpy().size
            assert tb_read.plugin(train, tag) == "histograms"
    (step, config), = tb_read.series(train, "keras")
    assert step == 0 and tb_read.plugin(train, "keras") == "graph_keras_model"
    parsed = json.loads(config.item())
    assert parsed["class_name"] == "Sequential"
    assert [l["config"]["name"] for l in parsed["config"]["layers"]][-2:] == ["d1", "out"]


def _png_size(png):
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and zlib.crc32(png[12:16 + length]) == \
        struct.unpack(">I", png[16 + length:20 + length])[0]
    return struct.unpack(">II", png[16:24])     # width, height


def test_write_images_writes_kernels_as_pngs(tmp_path):
    _fit(tmp_path, epochs=1, histogram_freq=1, write_images=True)
    train = tb_read.load(tmp_path / "train")
    (_, content), = tb_read.series(train, "d1/kernel/image")
    assert tb_read.plugin(train, "d1/kernel/image") == "images"
    # The (4, 3) kernel is shown wide: 4 pixels across, 3 down.
    width, height, png = content
    assert (int(width), int(height)) == (4, 3) and _png_size(png) == (4, 3)
    assert "out/bias/image" not in train.Tags()["tensors"]    # 1 value: no image, as Keras


@pytest.mark.parametrize("update_freq,steps", [(2, [2, 4, 6, 8, 10, 12]),
                                               ("batch", list(range(1, 13)))])
def test_batch_scalars_follow_update_freq(tmp_path, update_freq, steps):
    x, y = h.data(40)
    m = h.model()
    batch_losses = []
    record = nnfast.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: batch_losses.append(logs["loss"]))
    m.fit(x, y, batch_size=10, epochs=3, verbose=0, callbacks=[
        record, TensorBoard(str(tmp_path), update_freq=update_freq,
                            write_steps_per_second=True)])
    train = tb_read.load(tmp_path / "train")
    got = tb_read.scalars(train, "batch_loss")
    assert list(got) == steps
    assert list(got.values()) == tb_read.as_f32([batch_losses[s - 1] for s in steps])
    assert list(tb_read.scalars(train, "batch_steps_per_second")) == steps
    assert all(v > 0 for v in tb_read.scalars(train, "epoch_steps_per_second").values())


class _LogsMean(nnfast.layers.Layer):
    """A layer that writes its own summary from inside the training step."""

    def call(self, inputs):
        nnfast.summary.scalar("inputs_mean", float(np.mean(np.asarray(inputs))))
        return inputs


def test_summaries_inside_steps_go_to_the_train_writer_at_the_global_batch(tmp_path):
    x, y = h.data(30)
    m = nnfast.Sequential([nnfast.Input((4,)), _LogsMean(), nnfast.layers.Dense(1)])
    m.compile("sgd", "mse")
    m.fit(x, y, batch_size=10, epochs=2, shuffle=False, verbose=0,
          callbacks=[TensorBoard(str(tmp_path), update_freq=3)])
    got = tb_read.scalars(tb_read.load(tmp_path / "train"), "inputs_mean")
    assert got == {3: pytest.approx(float(np.mean(x[20:30]))),
                   6: pytest.approx(float(np.mean(x[20:30])))}
    assert nnfast.summary.should_record_summaries() is False      # popped after fit


def test_evaluate_with_the_callback_logs_against_iterations(tmp_path):
    m, tb, _ = _fit(tmp_path, epochs=2)
    x, y = h.data(20, seed=3)
    result = m.evaluate(x, y, verbose=0, callbacks=[tb], return_dict=True)
    val = tb_read.load(tmp_path / "validation")
    assert tb_read.scalars(val, "evaluation_loss_vs_iterations")[6] == \
        pytest.approx(result["loss"])
    # The config is written once per callback, not again for evaluate.
    assert len(tb_read.series(tb_read.load(tmp_path / "train"), "keras")) == 1


class Embedding(nnfast.layers.Layer):
    """Stands for an Embedding layer (matched by class name, as Keras's isinstance)."""

    def build(self, input_shape):
        self.embeddings = self.add_weight(name="embeddings", shape=(5, 2), trainable=False)

    def call(self, inputs):
        return inputs


def test_embeddings_projector_config_and_checkpoints(tmp_path):
    m = nnfast.Sequential([nnfast.Input((4,)), Embedding(name="emb"), nnfast.layers.Dense(1)])
    m.compile("sgd", "mse")
    saved = []
    m.save_weights = saved.append
    meta = {"emb": "words.tsv"}
    x, y = h.data(10)
    m.fit(x, y, epochs=2, verbose=0, callbacks=[TensorBoard(
        str(tmp_path), embeddings_freq=1, embeddings_metadata=meta)])
    config = (tmp_path / "projector_config.pbtxt").read_text()
    assert 'metadata_path: "words.tsv"' in config and "tensor_name:" in config
    assert meta == {"emb": "words.tsv"}             # the caller's dict is left alone
    assert saved == [os.path.join(str(tmp_path), "train", f"keras_embedding.ckpt-{e}.weights.h5")
                     for e in (0, 1)]
    with pytest.raises(ValueError, match="Unrecognized `Embedding` layer names"):
        m.fit(x, y, epochs=1, verbose=0, callbacks=[TensorBoard(
            str(tmp_path), embeddings_freq=1, embeddings_metadata={"nope": "x.tsv"})])


def test_argument_checks_and_keras2_arguments(tmp_path):
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(str(tmp_path), update_freq="sometimes")
    with pytest.raises(ValueError, match="histogram_freq"):
        TensorBoard(str(tmp_path), histogram_freq=-1)
    with pytest.raises(ValueError, match="profile_batch must be"):
        TensorBoard(str(tmp_path), profile_batch=(5, 2))
    with pytest.warns(UserWarning, match="no profiler"):
        TensorBoard(str(tmp_path), profile_batch="2,4")
    with pytest.warns(UserWarning, match="`write_grads` is no longer used"):
        TensorBoard(str(tmp_path), write_grads=True)
    with pytest.raises(ValueError, match="Unrecognized arguments in `TensorBoard`"):
        TensorBoard(str(tmp_path), colour="red")
    assert TensorBoard(str(tmp_path), update_freq="batch").update_freq == 1

