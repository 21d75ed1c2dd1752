"""`keras.preprocessing`: the Keras 2 data pipeline people still use
(`preprocessing.image.ImageDataGenerator`)."""
from nnfast.preprocessing import image  # noqa: F401
