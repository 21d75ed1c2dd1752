"""The Adam family: Adam (with AMSGrad), AdamW, Adamax, Nadam."""
from nnfast import kernels
from nnfast.optimizers import _utils
from nnfast.optimizers.optimizer import Optimizer

_BASE_ARGS = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "use_ema",
              "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
              "gradient_accumulation_steps")


class _AdamBase(Optimizer):
    """Shared arguments and moment slots (momentum, velocity interleaved as Keras 3)."""

    _slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate, beta_1, beta_2, epsilon, name, base):
        super().__init__(learning_rate=learning_rate, name=name, **base)
        owner = type(self).__name__
        self.beta_1 = _utils.check_number(owner, "beta_1", beta_1, 0.0, 1.0)
        self.beta_2 = _utils.check_number(owner, "beta_2", beta_2, 0.0, 1.0)
        self.epsilon = _utils.check_number(owner, "epsilon", epsilon, low=0.0)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        first, second = [], []
        for v in var_list:
            first.append(self.add_variable_from_reference(v, self._slot_names[0]))
            second.append(self.add_variable_from_reference(v, self._slot_names[1]))
        self._momentums, self._velocities = first, second

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config


def _base(local):
    return {k: local[k] for k in _BASE_ARGS} | local["kwargs"]


class Adam(_AdamBase):
    """Adam: adaptive first and second moment estimates (Kingma & Ba, 2014).

    Keras 3's form: `m += (g - m)(1 - b1)`, `v += (g^2 - v)(1 - b2)`,
    `w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)`; with `amsgrad`, the
    running maximum of v is used.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: float, first-moment decay. Defaults to 0.9.
        beta_2: float, second-moment decay. Defaults to 0.999.
        epsilon: float. Defaults to 1e-7.
        amsgrad: bool. Defaults to False.
        **kwargs: the base `Optimizer` arguments.
    """

    _default_name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adam", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, _base(locals()))
        self.amsgrad = bool(amsgrad)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._velocity_hats = None
        if self.amsgrad:
            self._velocity_hats = [self.add_variable_from_reference(v, "velocity_hat")
                                   for v in var_list]

    def _update(self, grads, variables, indices, lr, weight_decay):
        params, m, v, vhat = self._arrays(indices, variables, self._momentums,
                                          self._velocities, self._velocity_hats)
        kernels.get("adam_update")(params, grads, m, v, vhat, lr, self.beta_1, self.beta_2,
                                   self.epsilon, self._step(), self.amsgrad, weight_decay)

    def get_config(self):
        config = super().get_config()
        config["amsgrad"] = self.amsgrad
        return config


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        weight_decay: float. Defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: as `Adam`.
    """

    _default_name = "adamw"

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: argument `weight_decay` must be a float. "
                             "Received: weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, name=name, **_base(locals()))


class Adamax(_AdamBase):
    """Adamax: Adam with the infinity norm (Kingma & Ba, 2014, section 7.1).

    `m += (g - m)(1 - b1)`, `u = max(b2 * u, |g|)`,
    `w -= lr * m / ((1 - b1^t) * (u + epsilon))`.
    """

    _default_name = "adamax"
    _slot_names = ("momentum", "norm")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="adamax",
                 **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, _base(locals()))

    def _update(self, grads, variables, indices, lr, weight_decay):
        params, m, u = self._arrays(indices, variables, self._momentums, self._velocities)
        kernels.get("adamax_update")(params, grads, m, u, lr, self.beta_1, self.beta_2,
                                     self.epsilon, self._step(), weight_decay)


class Nadam(_AdamBase):
    """Nadam: Adam with Nesterov momentum (Dozat, 2015), with Keras's momentum schedule
    `u_t = beta_1 * (1 - 0.5 * 0.96^t)`."""

    _default_name = "nadam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="nadam",
                 **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, _base(locals()))

    def build(self, var_list):
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        dtype = var_list[0].dtype if var_list else None
        # The running product of the momentum schedule, after the slots (Keras 3 order).
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype,
                                            name="u_product")

    def _update(self, grads, variables, indices, lr, weight_decay):
        step = self._step()
        u = self._u_product._value
        u *= self.beta_1 * (1.0 - 0.5 * 0.96**step)
        params, m, v = self._arrays(indices, variables, self._momentums, self._velocities)
        kernels.get("nadam_update")(params, grads, m, v, lr, self.beta_1, self.beta_2,
                                    self.epsilon, step, float(u), weight_decay)
