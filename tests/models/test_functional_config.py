"""Model configs in Keras's format: functional graphs (both node dialects), subclassed
models' automatic config, Sequential round trips."""
import json

import numpy as np
import pytest

import nnfast
from nnfast import layers


class AddPair(layers.Layer):
    """Adds two tensors, times `scale` (a call argument that must survive a config)."""

    def call(self, inputs, scale=1.0):
        return (inputs[0] + inputs[1]) * scale

    def compute_output_shape(self, input_shape):
        return input_shape[0]


CUSTOM = {"AddPair": AddPair}


def _same_predictions(a, b, x):
    b.set_weights(a.get_weights())
    pa, pb = a.predict(x, verbose=0), b.predict(x, verbose=0)
    if isinstance(pa, list):
        for u, v in zip(pa, pb):
            np.testing.assert_array_equal(u, v)
    else:
        np.testing.assert_array_equal(pa, pb)


def test_config_uses_keras3_nodes_and_round_trips():
    inp = nnfast.Input((4,), name="inp")
    h = layers.Dense(5, activation="relu", name="d1")(inp)
    out = layers.Dense(3, name="d2")(h)
    model = nnfast.Model(inp, out, name="net")
    config = model.get_config()
    assert config["name"] == "net"
    assert config["input_layers"] == ["inp", 0, 0]           # a single tensor: a bare leaf
    assert config["output_layers"] == ["d2", 0, 0]
    entries = {e["name"]: e for e in config["layers"]}
    assert entries["inp"]["inbound_nodes"] == [] and entries["inp"]["class_name"] == "InputLayer"
    node = entries["d2"]["inbound_nodes"][0]
    tensor = node["args"][0]
    assert tensor["class_name"] == "__keras_tensor__"
    assert tensor["config"]["keras_history"] == ["d1", 0, 0]
    assert tensor["config"]["shape"] == [None, 5]
    json.dumps(config)                                        # JSON-serialisable as is
    clone = nnfast.Model.from_config(config)
    assert isinstance(clone, nnfast.models.Functional)
    assert [l.name for l in clone.layers] == ["inp", "d1", "d2"]
    _same_predictions(model, clone, np.random.rand(3, 4).astype("float32"))


def test_multi_io_shared_layer_custom_layer_and_call_kwargs():
    a = nnfast.Input((4,), name="a")
    b = nnfast.Input((4,), name="b")
    shared = layers.Dense(4, name="shared")
    other = layers.Dense(4, name="other")
    ya = shared(a)
    y = shared(other(shared(b)))          # one layer at two depths: A(B(A(x)))
    s = AddPair(name="add")([ya, y], scale=0.5)
    model = nnfast.Model([a, b], [s, layers.Dense(2, name="head")(s)], name="multi")
    config = json.loads(json.dumps(model.get_config()))
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    shared_nodes = {e["name"]: e for e in config["layers"]}["shared"]["inbound_nodes"]
    assert len(shared_nodes) == 3
    add_node = {e["name"]: e for e in config["layers"]}["add"]["inbound_nodes"][0]
    assert add_node["kwargs"] == {"scale": 0.5}
    with pytest.raises(ValueError, match="Unknown layer: 'AddPair'"):
        nnfast.Model.from_config(config)
    clone = nnfast.Model.from_config(config, custom_objects=CUSTOM)
    assert len(clone.outputs) == 2 and len(clone.inputs) == 2
    x = [np.random.rand(2, 4).astype("float32"), np.random.rand(2, 4).astype("float32")]
    _same_predictions(model, clone, x)
    with nnfast.saving.custom_object_scope(CUSTOM):   # the scope works as custom_objects=
        nnfast.Model.from_config(config)


def test_reads_tf_keras2_legacy_nodes():
    # As tf.keras 2.x writes it (trimmed): lists of [layer, node, tensor, kwargs].
    config = {
        "name": "m", "layers": [
            {"class_name": "InputLayer", "name": "x",
             "config": {"batch_input_shape": [None, 3], "dtype": "float32", "sparse": False,
                        "ragged": False, "name": "x"}, "inbound_nodes": []},
            {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2,
                                                            "activation": "tanh"},
             "inbound_nodes": [[["x", 0, 0, {}]]]},
        ],
        "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]],
    }
    model = nnfast.Model.from_config(config)
    out = model.predict(np.ones((2, 3), "float32"), verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (2, 2)    # list of one -> tensor


def test_reads_keras3_native_dialect():
    # Keras 3.15's own get_config() output (module/registered_name, DTypePolicy, mask=None).
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
              "registered_name": None}
    config = {
        "name": "fm", "trainable": True, "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
             "config": {"batch_shape": [None, 4], "dtype": "float32", "sparse": False,
                        "ragged": False, "name": "inp", "optional": False},
             "name": "inp", "inbound_nodes": []},
            {"module": "keras.layers", "class_name": "BatchNormalization", "registered_name": None,
             "config": {"name": "bn", "trainable": True, "dtype": policy, "axis": -1,
                        "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
                        "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                                             "config": {}, "registered_name": None},
                        "synchronized": False, "renorm": False, "renorm_clipping": None,
                        "renorm_momentum": 0.99},
             "build_config": {"input_shape": [None, 4]}, "name": "bn",
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
                 "shape": [None, 4], "dtype": "float32", "keras_history": ["inp", 0, 0]}}],
                 "kwargs": {"mask": None}}]},
            {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "config": {"name": "d", "trainable": True, "dtype": policy, "units": 3,
                        "activation": "linear", "use_bias": True, "quantization_config": None,
                        "kernel_initializer": {"module": "keras.initializers",
                                               "class_name": "GlorotUniform",
                                               "config": {"seed": None, "input_axes": None,
                                                          "output_axes": None},
                                               "registered_name": None}},
             "name": "d", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                                       "config": {"keras_history": ["bn", 0, 0]}}],
                                             "kwargs": {}}]},
        ],
        "input_layers": ["inp", 0, 0], "output_layers": ["d", 0, 0],
    }
    model = nnfast.Model.from_config(config)
    assert [l.name for l in model.layers] == ["inp", "bn", "d"]
    assert model.predict(np.ones((2, 4), "float32"), verbose=0).shape == (2, 3)


def test_nested_models_keep_their_node_numbering():
    inner_in = nnfast.Input((3,), name="inner_in")
    inner = nnfast.Model(inner_in, layers.Dense(3, name="inner_d")(inner_in), name="inner")
    seq = nnfast.Sequential([layers.Dense(3, name="seq_d")], name="seq")
    x = nnfast.Input((3,), name="x")
    y = seq(inner(inner(x)))
    model = nnfast.Model(x, y, name="outer")
    config = model.get_config()
    entries = {e["name"]: e for e in config["layers"]}
    # Inside inbound_nodes Keras 3 numbers every node from 0 ...
    seq_input = entries["seq"]["inbound_nodes"][0]["args"][0]["config"]["keras_history"]
    assert seq_input == ["inner", 1, 0]
    assert config["output_layers"] == ["seq", 0, 0]
    # ... but in output_layers a nested Functional model's nodes count from 1.
    outer_out = nnfast.Model(x, inner(x), name="outer2").get_config()["output_layers"]
    assert outer_out == ["inner", 1, 0]     # its only node in this model: 0, plus 1
    clone = nnfast.Model.from_config(json.loads(json.dumps(config)))
    _same_predictions(model, clone, np.random.rand(2, 3).astype("float32"))


def test_bad_graph_configs_are_value_errors():
    good = nnfast.Model(*(lambda i: (i, layers.Dense(2, name="d")(i)))(nnfast.Input((3,), name="i")))
    config = good.get_config()
    broken = json.loads(json.dumps(config))
    broken["layers"][1]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["nope", 0, 0]
    with pytest.raises(ValueError, match="'nope'"):
        nnfast.Model.from_config(broken)
    loop = json.loads(json.dumps(config))
    loop["layers"][1]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["d", 0, 0]
    with pytest.raises(ValueError, match="loops or disconnected"):
        nnfast.Model.from_config(loop)
    missing = dict(config)
    del missing["output_layers"]
    with pytest.raises(ValueError, match="output_layers"):
        nnfast.models.Functional.from_config(missing)


class Simple(nnfast.Model):
    def __init__(self, units=2, activation="relu", sizes=(1, 2), **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units, activation=activation)

    def call(self, x):
        return self.dense(x)


class TakesLayer(nnfast.Model):
    def __init__(self, layer):
        super().__init__()
        self.inner = layer

    def call(self, x):
        return self.inner(x)


def test_subclassed_models_get_an_automatic_config():
    model = Simple(units=3, activation="tanh", name="simple")
    config = model.get_config()
    assert config == {"name": "simple", "trainable": True, "units": 3, "activation": "tanh",
                      "sizes": (1, 2)}
    clone = Simple.from_config(config)
    assert clone.name == "simple" and clone.units == 3
    x = np.ones((2, 4), "float32")
    model(x), clone(x)
    _same_predictions(model, clone, x)
    with pytest.raises(NotImplementedError, match="non-serializable"):
        TakesLayer(layers.Dense(2)).get_config()
    with pytest.raises(TypeError, match="Unable to revive model"):
        Simple.from_config({"units": 2, "unknown_argument": 1})


def test_sequential_round_trips_in_every_dialect():
    model = nnfast.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                               layers.Dropout(0.5), layers.Dense(2)], name="seq")
    clone = nnfast.Sequential.from_config(json.loads(json.dumps(model.get_config())))
    _same_predictions(model, clone, np.random.rand(2, 3).astype("float32"))
    # Keras 3: no InputLayer entry, the shape in build_input_shape.
    k3 = {"name": "s", "trainable": True, "build_input_shape": [None, 3],
          "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                    "registered_name": None},
          "layers": [{"module": "keras.layers", "class_name": "Dense", "registered_name": None,
                      "config": {"name": "d", "units": 2, "quantization_config": None},
                      "build_config": {"input_shape": [None, 3]}}]}
    rebuilt = nnfast.Sequential.from_config(k3)
    assert rebuilt.built and rebuilt.count_params() == 8
    old = [{"class_name": "Dense", "config": {"name": "d", "units": 2,
                                             "batch_input_shape": [None, 3]}}]
    assert nnfast.Sequential.from_config(old).count_params() == 8   # Keras 1 list form


def test_lambda_and_unknown_options_are_refused_with_a_clear_message():
    config = {"name": "s", "layers": [{"class_name": "Lambda", "config": {"name": "l"}}]}
    with pytest.raises(ValueError, match="safe_mode=False"):
        nnfast.models.model_from_config({"class_name": "Sequential", "config": config})
    bad = {"name": "s", "layers": [{"class_name": "Dense",
                                     "config": {"name": "d", "units": 2, "lora_rank": 4}}]}
    with pytest.raises(ValueError, match="'d'.*lora_rank"):
        nnfast.Sequential.from_config(bad)
