"""plot_model / model_to_dot: one node per layer, one edge per connection."""
import shutil

import pytest

import nnfast as keras
from nnfast import layers

pydot = pytest.importorskip("pydot")


def _model():
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    h = layers.Dense(5, activation="relu", name="hidden")(a)
    out = layers.Dense(1, name="out")(layers.concatenate([h, b], name="join"))
    return keras.Model([a, b], out)


def test_model_to_dot_nodes_edges_and_labels():
    dot = keras.utils.model_to_dot(_model(), show_shapes=True, show_layer_activations=True)
    labels = [n.get("label") for n in dot.get_nodes() if n.get("label")]
    assert len(labels) == 5
    assert any("hidden (Dense)" in label and "relu" in label and "(None, 5)" in label
               for label in labels)
    assert len(dot.get_edges()) == 4       # a->hidden, hidden->join, b->join, join->out


def test_plot_model_writes_dot_and_png(tmp_path):
    keras.utils.plot_model(_model(), to_file=str(tmp_path / "m.dot"))
    text = (tmp_path / "m.dot").read_text()
    assert "digraph" in text and "join (Concatenate)" in text
    if shutil.which("dot") is None:
        with pytest.raises(ImportError, match="Graphviz"):
            keras.utils.plot_model(_model(), to_file=str(tmp_path / "m.png"))
    else:
        keras.utils.plot_model(_model(), to_file=str(tmp_path / "sub" / "m.png"), show_shapes=True)
        assert (tmp_path / "sub" / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unbuilt_model_is_a_clear_error():
    with pytest.raises(ValueError, match="not yet been built"):
        keras.utils.plot_model(keras.Sequential([layers.Dense(2)]), to_file="x.dot")
