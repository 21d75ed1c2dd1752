"""The Optimizer contract: clipping, learning rate (Keras 2 `lr`/`decay` too), missing
gradients, constraints, in-place updates, variables, EMA, accumulation, errors."""
import warnings

import numpy as np
import pytest

import nnfast
from nnfast import optimizers
from nnfast.autograd import wrap


def _var(values, name="w", **kwargs):
    return nnfast.Variable(np.asarray(values, dtype="float64"), name=name, **kwargs)


# ---- clipping ------------------------------------------------------------------------------
def test_clipnorm_clips_each_gradient_on_its_own(float64):
    a, b = _var([0.0, 0.0]), _var([0.0])
    ga, gb = np.array([3.0, 4.0]), np.array([0.5])           # norms 5 and 0.5
    optimizers.SGD(1.0, clipnorm=1.0).apply([ga, gb], [a, b])
    np.testing.assert_allclose(a.numpy(), -ga / 5.0)
    np.testing.assert_allclose(b.numpy(), -gb)                  # below the norm: untouched


def test_global_clipnorm_scales_all_gradients_together(float64):
    a, b = _var([0.0, 0.0]), _var([0.0])
    ga, gb = np.array([3.0, 0.0]), np.array([4.0])             # global norm 5
    optimizers.SGD(1.0, global_clipnorm=2.5).apply([ga, gb], [a, b])
    np.testing.assert_allclose(a.numpy(), -ga * 0.5)
    np.testing.assert_allclose(b.numpy(), -gb * 0.5)


def test_clipvalue_clips_elementwise(float64):
    w = _var([0.0, 0.0, 0.0])
    optimizers.SGD(1.0, clipvalue=0.5).apply([np.array([2.0, -3.0, 0.25])], [w])
    np.testing.assert_allclose(w.numpy(), [-0.5, 0.5, -0.25])


def test_clipping_leaves_the_callers_gradient_alone(float64):
    g = np.array([3.0, 4.0])
    optimizers.SGD(1.0, clipnorm=1.0).apply([g], [_var([0.0, 0.0])])
    np.testing.assert_array_equal(g, [3.0, 4.0])


def test_only_one_clipping_argument():
    with pytest.raises(ValueError, match="only one of `clipnorm`, `clipvalue`"):
        optimizers.Adam(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="clipnorm"):
        optimizers.Adam(clipnorm=-1.0)


# ---- learning rate ---------------------------------------------------------------------
def test_learning_rate_is_a_readable_settable_variable():
    opt = optimizers.Adam(0.01)
    assert isinstance(opt.learning_rate, nnfast.Variable)
    assert float(opt.learning_rate) == pytest.approx(0.01)
    assert float(nnfast.backend.get_value(opt.lr)) == pytest.approx(0.01)
    opt.learning_rate = 0.5
    assert float(opt.lr) == 0.5
    opt.lr = 0.25
    assert float(opt.learning_rate) == 0.25
    nnfast.backend.set_value(opt.lr, 0.125)      # what Keras 2 callbacks do
    assert float(opt.learning_rate) == 0.125


def test_setting_the_learning_rate_changes_the_next_step(float64):
    w = _var([0.0])
    opt = optimizers.SGD(0.1)
    opt.apply([np.array([1.0])], [w])
    opt.learning_rate = 0.01
    opt.apply([np.array([1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [-0.11])


def test_keras2_lr_kwarg_is_an_alias():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt = optimizers.SGD(lr=0.5)
    assert float(opt.learning_rate) == 0.5
    assert optimizers.RMSprop(lr=0.02).get_config()["learning_rate"] == pytest.approx(0.02)


def test_keras2_decay_is_inverse_time_decay_of_the_iterations(float64):
    w = _var([0.0])
    opt = optimizers.SGD(lr=1.0, decay=0.5)
    steps = []
    for _ in range(3):
        before = w.numpy()[0]
        opt.apply([np.array([1.0])], [w])
        steps.append(before - w.numpy()[0])
    np.testing.assert_allclose(steps, [1.0 / (1 + 0.5 * t) for t in range(3)])
    assert opt.get_config()["decay"] == 0.5
    assert optimizers.SGD.from_config(opt.get_config()).decay == 0.5
    with pytest.raises(ValueError, match="decay"):
        optimizers.SGD(decay=-1.0)


def test_schedule_is_evaluated_at_the_iteration_count(float64):
    sched = optimizers.schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    w = _var([0.0])
    opt = optimizers.SGD(sched)
    for _ in range(3):
        opt.apply([np.array([1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [-(1.0 + 0.5 + 0.25)])
    assert float(opt.learning_rate) == pytest.approx(0.125)
    assert all("learning_rate" not in v.path for v in opt.variables)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1


def test_callable_learning_rate(float64):
    w = _var([0.0])
    opt = optimizers.SGD(lambda: 0.3)
    opt.apply([np.array([1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [-0.3])


@pytest.mark.parametrize("bad", ["fast", None, True, [0.1]])
def test_bad_learning_rate_is_rejected(bad):
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate=bad)


# ---- apply -----------------------------------------------------------------------------
def test_missing_gradients_are_skipped_with_one_warning(float64):
    a, b = _var([1.0], name="a"), _var([1.0], name="b")
    opt = optimizers.SGD(0.5, momentum=0.5)
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['b'\]"):
        opt.apply([np.array([1.0]), None], [a, b])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.apply([np.array([1.0]), None], [a, b])
    np.testing.assert_allclose(b.numpy(), [1.0])
    np.testing.assert_allclose(a.numpy(), [1.0 - 0.5 - (0.25 + 0.5)])
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply([None, None], [a, b])


def test_updates_are_in_place_and_iterations_count(float64):
    w = _var([1.0, 2.0])
    buffer = w._value
    opt = optimizers.Adam(0.1)
    assert opt.iterations.dtype == "int64"
    for _ in range(4):
        opt.apply_gradients([(wrap(np.ones(2)), w)])   # a Tensor gradient
    assert w._value is buffer
    assert int(opt.iterations) == 4


def test_apply_without_variables_uses_the_built_list(float64):
    w = _var([1.0])
    opt = optimizers.SGD(0.5)
    with pytest.raises(ValueError, match="must already be built"):
        opt.apply([np.array([1.0])])
    opt.build([w])
    opt.apply([np.array([1.0])])
    np.testing.assert_allclose(w.numpy(), [0.5])
    with pytest.raises(ValueError, match="match one-to-one"):
        opt.apply([np.array([1.0]), np.array([1.0])])


def test_unknown_variable_and_bad_gradient_shape_are_errors(float64):
    w = _var([1.0, 2.0], name="w")
    opt = optimizers.SGD()
    opt.apply([np.ones(2)], [w])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply([np.ones(1)], [_var([0.0], name="stranger")])
    with pytest.raises(ValueError, match=r"gradient for variable 'w' has shape \(3,\)"):
        opt.apply([np.ones(3)], [w])


def test_constraint_is_applied_after_the_update(float64):
    w = _var([0.5, -0.5], constraint=nnfast.constraints.NonNeg())
    optimizers.SGD(1.0).apply([np.array([1.0, 1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])


def test_gradients_are_cast_to_the_variable_dtype():
    w = nnfast.Variable(np.ones(2, dtype="float32"))
    optimizers.SGD(0.5).apply([np.ones(2, dtype="float64")], [w])
    assert w.dtype == "float32"
    np.testing.assert_allclose(w.numpy(), [0.5, 0.5])


def test_loss_scale_factor_divides_the_gradients(float64):
    w = _var([0.0])
    optimizers.SGD(1.0, loss_scale_factor=4.0).apply([np.array([2.0])], [w])
    np.testing.assert_allclose(w.numpy(), [-0.5])


def test_gradient_accumulation_updates_every_n_steps_with_the_mean(float64):
    w = _var([0.0])
    opt = optimizers.SGD(1.0, gradient_accumulation_steps=2)
    opt.apply([np.array([1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [0.0])
    opt.apply([np.array([3.0])], [w])
    np.testing.assert_allclose(w.numpy(), [-2.0])
    assert opt.iterations == 1
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.SGD(gradient_accumulation_steps=1)


def test_ema_tracks_and_overwrites_the_weights(float64):
    w = _var([0.0])
    opt = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5)
    opt.apply([np.array([-1.0])], [w])        # w = 1, average starts at w
    opt.apply([np.array([-1.0])], [w])        # w = 2, average = 0.5 * 1 + 0.5 * 2
    average = [v for v in opt.variables if v.path.endswith("average")][0]
    np.testing.assert_allclose(average.numpy(), [1.5])
    opt.finalize_variable_values([w])
    np.testing.assert_allclose(w.numpy(), [1.5])


# ---- variables and weights ----------------------------------------------------------------
def test_variables_follow_keras3_order():
    a = nnfast.Variable(np.zeros(2), name="a")
    b = nnfast.Variable(np.zeros(3), name="b")
    opt = optimizers.Adam(amsgrad=True)
    opt.build([a, b])
    names = [v.path for v in opt.variables]
    assert names == ["adam/iteration", "adam/learning_rate", "adam/a_momentum",
                     "adam/a_velocity", "adam/b_momentum", "adam/b_velocity",
                     "adam/a_velocity_hat", "adam/b_velocity_hat"]
    rms = optimizers.RMSprop(momentum=0.5, centered=True)
    rms.build([a, b])
    assert [v.name for v in rms.variables[2:]] == [
        "a_velocity", "b_velocity", "a_momentum", "b_momentum",
        "a_average_gradient", "b_average_gradient"]
    assert [v.name for v in optimizers.SGD().variables] == ["iteration", "learning_rate"]


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "adamax", "nadam", "rmsprop",
                                  "adagrad", "adadelta"])
def test_get_weights_set_weights_round_trip_resumes_training(name, float64):
    def make():
        return [_var(np.linspace(-1, 1, 6).reshape(2, 3), name="k"), _var([0.5], name="b")]

    grads = [np.full((2, 3), 0.3), np.array([-0.7])]
    kwargs = {"momentum": 0.9} if name in ("sgd", "rmsprop") else {}
    first, w1 = optimizers.get(name).__class__(**kwargs), make()
    for _ in range(2):
        first.apply(grads, w1)
    second, w2 = optimizers.get(name).__class__(**kwargs), make()
    second.build(w2)
    second.set_weights(first.get_weights())
    for v, src in zip(w2, w1):
        v.assign(src.numpy())
    first.apply(grads, w1)
    second.apply(grads, w2)
    for x, y in zip(w1, w2):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert len(first.get_weights()) == len(first.variables)


def test_set_weights_errors():
    opt = optimizers.Adam()
    with pytest.raises(ValueError, match="not yet been built"):
        opt.set_weights([])
    opt.build([nnfast.Variable(np.zeros(2))])
    with pytest.raises(ValueError, match="expects 4 arrays"):
        opt.set_weights([np.zeros(())])
    bad = opt.get_weights()
    bad[2] = np.zeros(3)
    with pytest.raises(ValueError, match="shape"):
        opt.set_weights(bad)


# ---- construction errors ---------------------------------------------------------------
def test_unknown_keyword_argument_is_named():
    with pytest.raises(ValueError, match="not recognized.*'momentun'"):
        optimizers.SGD(momentun=0.9)


@pytest.mark.parametrize("make,match", [
    (lambda: optimizers.SGD(momentum=1.5), "momentum"),
    (lambda: optimizers.Adam(beta_1=-0.1), "beta_1"),
    (lambda: optimizers.RMSprop(rho="high"), "rho"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (lambda: optimizers.AdamW(weight_decay=None), "weight_decay"),
])
def test_bad_hyperparameters_are_rejected(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ---- end to end ----------------------------------------------------------------------------
@pytest.mark.parametrize("opt", [
    lambda: optimizers.SGD(0.1, momentum=0.9), lambda: optimizers.Adam(0.1),
    lambda: optimizers.RMSprop(0.05), lambda: optimizers.Adagrad(0.5),
    lambda: optimizers.Nadam(0.1), lambda: optimizers.Adamax(0.2),
    lambda: optimizers.AdamW(0.1, weight_decay=1e-4),
])
def test_gradient_tape_loop_converges(opt, float64):
    target = np.array([[1.0, -2.0], [0.5, 3.0]])
    w = nnfast.Variable(np.zeros((2, 2)), name="w")
    optimizer = opt()
    for _ in range(300):
        with nnfast.GradientTape() as tape:
            diff = w - target
            loss = (diff * diff).sum()
        grads = tape.gradient(loss, [w])
        optimizer.apply_gradients(zip(grads, [w]))
    np.testing.assert_allclose(w.numpy(), target, atol=5e-2)


def test_minimize_with_a_callable_loss(float64):
    w = nnfast.Variable(np.array([3.0]), name="w")
    opt = optimizers.SGD(0.1)
    for _ in range(100):
        opt.minimize(lambda: (w * w).sum(), [w])
    assert abs(w.numpy()[0]) < 1e-6
