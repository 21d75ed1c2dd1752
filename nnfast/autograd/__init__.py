"""Reverse-mode autodiff: Tensor, Variable, GradientTape and the op protocol."""
from nnfast.autograd.tape import GradientTape, active_tapes  # noqa: F401
from nnfast.autograd.tensor import Tensor, as_tensor  # noqa: F401
from nnfast.autograd.variable import Variable  # noqa: F401
from nnfast.autograd.function import call_op, needs_grad, unbroadcast, unwrap, wrap  # noqa: F401
