"""`keras.optimizers.legacy` (Keras 2 / tf.keras): the same optimizers under their Keras 2
namespace. They accept `lr=` and `decay=` like every nnfast optimizer; their updates
follow Keras 3's rules."""
from nnfast.optimizers.adagrad import Adadelta, Adagrad  # noqa: F401
from nnfast.optimizers.adam import Adam, Adamax, Nadam  # noqa: F401
from nnfast.optimizers.optimizer import Optimizer  # noqa: F401
from nnfast.optimizers.rmsprop import RMSprop  # noqa: F401
from nnfast.optimizers.sgd import SGD  # noqa: F401
