"""fit/evaluate/predict on generators and PyDataset (Sequence), and the Keras 2 method
names (fit_generator, predict_classes, …)."""
import numpy as np
import pytest

import nnfast as keras
from nnfast import layers


def _data(rng, n=96):
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return x, y


def _model():
    model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class Batches(keras.utils.Sequence):
    def __init__(self, x, y, batch_size):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0
        self.seen = []

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, i):
        self.seen.append(i)
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.x[s], self.y[s]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_fit_on_a_sequence_visits_every_batch_each_epoch(rng):
    x, y = _data(rng)
    seq = Batches(x, y, 16)
    history = _model().fit(seq, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert seq.epochs_ended == 3
    # batch 0 is read once more up front (to build the model)
    assert sorted(seq.seen[1:7]) == list(range(6)) and len(seq.seen) == 1 + 18


def test_generator_with_steps_per_epoch_and_validation_generator(rng):
    x, y = _data(rng)

    def forever(bs=16):
        while True:
            for i in range(0, len(x), bs):
                yield x[i:i + bs], y[i:i + bs]

    model = _model()
    hist = model.fit(forever(), steps_per_epoch=6, epochs=2, verbose=0,
                     validation_data=forever(32), validation_steps=3)
    assert set(hist.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    loss, acc = model.evaluate(forever(), steps=6, verbose=0)
    np.testing.assert_allclose(loss, model.evaluate(x, y, batch_size=16, verbose=0)[0], rtol=1e-5)
    preds = model.predict((x[i:i + 10] for i in range(0, 40, 10)), verbose=0)
    np.testing.assert_allclose(preds, model.predict(x[:40], verbose=0), rtol=1e-6)


def test_finite_generator_without_steps_runs_out_with_a_warning(rng):
    x, y = _data(rng, 32)
    gen = ((x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8))
    with pytest.warns(UserWarning, match="ran out of data"):
        hist = _model().fit(gen, epochs=3, verbose=0)
    assert len(hist.history["loss"]) == 1


def test_generator_refuses_y_and_validation_split(rng):
    x, y = _data(rng)
    with pytest.raises(ValueError, match="`y` argument is not supported"):
        _model().fit(Batches(x, y, 8), y, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        _model().fit(Batches(x, y, 8), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match=r"a batch must be .*4 items"):
        _model().fit(iter([(x, y, None, None)]), verbose=0)


def test_keras2_method_names(rng):
    x, y = _data(rng)
    model = _model()
    with pytest.warns(DeprecationWarning, match="fit_generator"):
        hist = model.fit_generator(Batches(x, y, 16), steps_per_epoch=6, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2
    with pytest.warns(DeprecationWarning):
        model.evaluate_generator(Batches(x, y, 16))
    with pytest.warns(DeprecationWarning):
        assert model.predict_generator(Batches(x, y, 16)).shape == (96, 2)
    classes = model.predict_classes(x)
    np.testing.assert_array_equal(classes, model.predict(x, verbose=0).argmax(-1))
    binary = keras.Sequential([layers.Dense(1, activation="sigmoid")])
    out = binary.predict(x, verbose=0)
    np.testing.assert_array_equal(binary.predict_classes(x), (out > 0.5).astype("int32"))
    np.testing.assert_array_equal(model.predict_proba(x), model.predict(x, verbose=0))
