"""A stand-in for Model.fit / evaluate / predict: drives a CallbackList as Keras's loop does."""
import numpy as np


class FakeModel:
    def __init__(self):
        self.history = None
        self.stop_training = False


def batch_logs(epoch, step):
    """Running values, as the trainer reports them."""
    return {"loss": 1.0 / (1 + epoch + step), "accuracy": 0.5 + 0.1 * step}


def epoch_logs(epoch, steps, validation=False):
    logs = dict(batch_logs(epoch, steps - 1))
    if validation:
        logs.update(val_loss=2.0 / (1 + epoch), val_accuracy=np.float32(0.25))
    return logs


def fit(callback_list, model, epochs, steps, validation_steps=0):
    callback_list.on_train_begin()
    logs = {}
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        for step in range(steps):
            callback_list.on_train_batch_begin(step)
            callback_list.on_train_batch_end(step, batch_logs(epoch, step))
            if model.stop_training:
                break
        logs = epoch_logs(epoch, steps)
        if validation_steps:
            evaluate(callback_list, validation_steps)
            logs = epoch_logs(epoch, steps, validation=True)
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)


def evaluate(callback_list, steps):
    callback_list.on_test_begin()
    for step in range(steps):
        callback_list.on_test_batch_begin(step)
        callback_list.on_test_batch_end(step, {"loss": 0.75, "accuracy": 0.5})
    callback_list.on_test_end({"loss": 0.75, "accuracy": 0.5})


def predict(callback_list, steps):
    callback_list.on_predict_begin()
    for step in range(steps):
        callback_list.on_predict_batch_begin(step)
        callback_list.on_predict_batch_end(step, {"outputs": np.zeros((2, 3))})
    callback_list.on_predict_end()
