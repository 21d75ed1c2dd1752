"""RMSprop (plain or centered, with optional momentum)."""
from nnfast import kernels
from nnfast.optimizers import _utils
from nnfast.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root-mean-square (Hinton, 2012).

    Keras 3's form: `v = rho * v + (1 - rho) * g^2`; `increment = lr * g / sqrt(v + eps)`
    (centered: `sqrt(v - mean_g^2 + eps)` with `mean_g = rho * mean_g + (1 - rho) * g`);
    `w -= increment`, or with momentum `m = momentum * m + increment; w -= m`.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        rho: float in [0, 1]. Defaults to 0.9.
        momentum: float in [0, 1]. Defaults to 0.0.
        epsilon: float. Defaults to 1e-7.
        centered: bool. Defaults to False.
        **kwargs: the base `Optimizer` arguments.
    """

    _default_name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="rmsprop", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.rho = _utils.check_number("RMSprop", "rho", rho, 0.0, 1.0)
        self.momentum = _utils.check_number("RMSprop", "momentum", momentum, 0.0, 1.0)
        self.epsilon = _utils.check_number("RMSprop", "epsilon", epsilon, low=0.0)
        self.centered = bool(centered)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        # Keras 3 order: all velocities, then all momentums, then all average gradients.
        self._velocities = [self.add_variable_from_reference(v, "velocity") for v in var_list]
        self._momentums = None
        if self.momentum > 0:
            self._momentums = [self.add_variable_from_reference(v, "momentum")
                               for v in var_list]
        self._average_gradients = None
        if self.centered:
            self._average_gradients = [
                self.add_variable_from_reference(v, "average_gradient") for v in var_list]

    def _update(self, grads, variables, indices, lr, weight_decay):
        params, vel, mom, avg = self._arrays(indices, variables, self._velocities,
                                             self._momentums, self._average_gradients)
        kernels.get("rmsprop_update")(params, grads, vel, mom, avg, lr, self.rho,
                                      self.momentum, self.epsilon, self.centered,
                                      weight_decay)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
