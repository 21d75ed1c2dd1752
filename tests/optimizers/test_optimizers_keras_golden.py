"""Trajectories against the values Keras 3 publishes for its own optimizers
(keras/src/optimizers/*_test.py, `test_correctness_with_golden`): a vector of ten ones,
a first gradient of 0.01 everywhere, then five steps of the gradient 0.1, 0.2, ..., 1.0.
"""
import numpy as np
import pytest

import nnfast
from nnfast import optimizers


def _tile(column):
    return np.tile(np.asarray(column, dtype=float)[:, None], (1, 10))


GOLDEN = {
    "sgd_nesterov": (lambda: optimizers.SGD(nesterov=True), np.array([
        [0.9999] * 10,
        [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
        [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
        [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
        [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599]])),
    "adam_amsgrad": (lambda: optimizers.Adam(amsgrad=True),
                     _tile([0.999, 0.9982, 0.9974, 0.9965, 0.9955])),
    "rmsprop_centered": (lambda: optimizers.RMSprop(centered=True),
                         _tile([0.9967, 0.9933, 0.9908, 0.9885, 0.9864])),
    "adadelta": (lambda: optimizers.Adadelta(learning_rate=1.0, rho=0.8, epsilon=1e-6),
                 _tile([0.9978, 0.9947, 0.9915, 0.9882, 0.9849])),
    "nadam": (lambda: optimizers.Nadam(learning_rate=0.5, beta_1=0.5, beta_2=0.67,
                                       epsilon=1e-5), np.array([
        [0.4281] * 10,
        [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718,
         -0.1717],
        [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085,
         -0.7084],
        [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23,
         -1.2299],
        [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455,
         -1.7454]])),
    "adamax": (lambda: optimizers.Adamax(learning_rate=0.2, beta_1=0.85, beta_2=0.95,
                                         epsilon=1e-6), np.array([
        [0.8] * 10,
        [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
        [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
        [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
        [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126]])),
    "adagrad": (lambda: optimizers.Adagrad(learning_rate=0.2, initial_accumulator_value=0.3,
                                           epsilon=1e-6), np.array([
        [0.9963] * 10,
        [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
        [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
        [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
        [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825]])),
    "adamw": (lambda: optimizers.AdamW(learning_rate=1.0, weight_decay=0.5, epsilon=2),
              np.array([
        [0.4998] * 10,
        [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
        [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
        [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
        [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113,
         -0.0159]])),
}


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_matches_keras_golden_trajectory(case):
    make, golden = GOLDEN[case]
    opt = make()
    x = nnfast.Variable(np.ones(10, dtype="float32"))
    grads = np.arange(1, 11, dtype="float32") / 10
    opt.apply_gradients(zip([np.full(10, 0.01, dtype="float32")], [x]))
    for row in golden:
        np.testing.assert_allclose(x.numpy(), row, rtol=5e-4, atol=5e-4)
        opt.apply_gradients(zip([grads], [x]))
