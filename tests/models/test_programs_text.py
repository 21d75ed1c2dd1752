"""Keras programs as users write them (text): three inputs (title, body, tags) through
Embedding -> LSTM, concatenated, two named outputs with a loss dict and loss_weights,
fit on dicts keyed by name."""
import numpy as np

import nnfast as keras
from nnfast import layers


def test_three_input_text_model_with_named_outputs(rng):
    num_tags, num_words, num_departments = 12, 1000, 4
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.Embedding(num_words, 64)(title_input)
    body_features = layers.Embedding(num_words, 64)(body_input)
    title_features = layers.LSTM(128)(title_features)
    body_features = layers.LSTM(32)(body_features)
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, activation="sigmoid", name="priority")(x)
    department_pred = layers.Dense(num_departments, activation="softmax", name="department")(x)
    model = keras.Model(inputs=[title_input, body_input, tags_input],
                        outputs=[priority_pred, department_pred])
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
                  loss={"priority": keras.losses.BinaryCrossentropy(from_logits=False),
                        "department": keras.losses.CategoricalCrossentropy(from_logits=False)},
                  loss_weights=[1.0, 0.2], metrics={"department": ["accuracy"]})
    n = 64
    title_data = rng.integers(num_words, size=(n, 10))
    body_data = rng.integers(num_words, size=(n, 20))
    tags_data = rng.integers(2, size=(n, num_tags)).astype("float32")
    priority_targets = rng.random(size=(n, 1))
    dept_targets = rng.integers(2, size=(n, num_departments))
    hist = model.fit({"title": title_data, "body": body_data, "tags": tags_data},
                     {"priority": priority_targets, "department": dept_targets},
                     epochs=2, batch_size=32, verbose=0)
    assert {"loss", "priority_loss", "department_loss", "department_accuracy"} <= set(hist.history)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    priority, department = model.predict([title_data[:3], body_data[:3], tags_data[:3]], verbose=0)
    assert priority.shape == (3, 1) and department.shape == (3, num_departments)
