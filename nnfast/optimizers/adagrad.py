"""Adagrad and Adadelta: per-parameter rates from accumulated squared gradients."""
from nnfast import kernels
from nnfast.initializers import Constant
from nnfast.optimizers import _utils
from nnfast.optimizers.optimizer import Optimizer

_BASE_ARGS = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema",
              "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
              "gradient_accumulation_steps", "name")


def _base(local):
    return {k: local[k] for k in _BASE_ARGS} | local["kwargs"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011): `acc += g^2; w -= lr * g / sqrt(acc + epsilon)`.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        initial_accumulator_value: float >= 0, the accumulators' start. Defaults to 0.1.
        epsilon: float. Defaults to 1e-7.
        **kwargs: the base `Optimizer` arguments.
    """

    _default_name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="adagrad",
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **_base(locals()))
        self.initial_accumulator_value = _utils.check_number(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, low=0.0)
        self.epsilon = _utils.check_number("Adagrad", "epsilon", epsilon, low=0.0)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        init = Constant(self.initial_accumulator_value)
        self._accumulators = [self.add_variable_from_reference(v, "accumulator", init)
                              for v in var_list]

    def _update(self, grads, variables, indices, lr, weight_decay):
        params, acc = self._arrays(indices, variables, self._accumulators)
        kernels.get("adagrad_update")(params, grads, acc, lr, self.epsilon, weight_decay)

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), Keras 3's form:
    `acc_g = rho * acc_g + (1 - rho) * g^2`,
    `delta = -sqrt(acc_d + eps) * g / sqrt(acc_g + eps)`,
    `acc_d = rho * acc_d + (1 - rho) * delta^2`, `w += lr * delta`.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001 (1.0 matches the
            paper).
        rho: float in [0, 1]. Defaults to 0.95.
        epsilon: float. Defaults to 1e-7.
        **kwargs: the base `Optimizer` arguments.
    """

    _default_name = "adadelta"

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adadelta", **kwargs):
        super().__init__(learning_rate=learning_rate, **_base(locals()))
        self.rho = _utils.check_number("Adadelta", "rho", rho, 0.0, 1.0)
        self.epsilon = _utils.check_number("Adadelta", "epsilon", epsilon, low=0.0)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = [], []
        for v in var_list:          # interleaved, as Keras 3
            self._accumulated_grads.append(self.add_variable_from_reference(
                v, "accumulated_grad"))
            self._accumulated_delta_vars.append(self.add_variable_from_reference(
                v, "accumulated_delta_var"))

    def _update(self, grads, variables, indices, lr, weight_decay):
        params, acc_g, acc_d = self._arrays(indices, variables, self._accumulated_grads,
                                            self._accumulated_delta_vars)
        kernels.get("adadelta_update")(params, grads, acc_g, acc_d, lr, self.rho,
                                       self.epsilon, weight_decay)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
