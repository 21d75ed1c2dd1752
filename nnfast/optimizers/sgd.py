"""SGD, with optional (Nesterov) momentum."""
from nnfast import kernels
from nnfast.optimizers import _utils
from nnfast.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent (with momentum).

    `w -= lr * g`; with momentum `m = momentum * m - lr * g; w += m`; with Nesterov
    `w += momentum * m - lr * g` (after updating m).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.01.
        momentum: float in [0, 1]. Defaults to 0.0 (no momentum slot).
        nesterov: bool. Defaults to False.
        **kwargs: the base `Optimizer` arguments (weight_decay, clipnorm, ...).
    """

    _default_name = "SGD"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="SGD", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.momentum = _utils.check_number("SGD", "momentum", momentum, 0.0, 1.0)
        self.nesterov = bool(nesterov)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = [self.add_variable_from_reference(v, "momentum")
                              for v in var_list]

    def _update(self, grads, variables, indices, lr, weight_decay):
        params, momenta = self._arrays(indices, variables,
                                       self.momentums if self.momentum != 0 else None)
        kernels.get("sgd_update")(params, grads, momenta, lr, self.momentum, self.nesterov,
                                  weight_decay)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
