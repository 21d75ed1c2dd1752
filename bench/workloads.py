"""The reference workloads of shared/WORKLOADS.md, one builder per engine.

Each `*_w6_epoch(threads)` returns a zero-argument callable that trains one epoch; the
data is made once, outside the timed call, with a fixed seed.
"""
import numpy as np

W6_SAMPLES = 55_000
W6_BATCH = 32


def w6_data(samples=W6_SAMPLES, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((samples, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, size=samples).astype(np.int64)
    return x, y


def nnfast_w6_epoch(kernels="cython", threads=1, samples=W6_SAMPLES):
    import nnfast

    nnfast.config.set_kernels(kernels)
    nnfast.config.set_num_threads(threads)
    nnfast.utils.set_random_seed(0)
    x, y = w6_data(samples)
    model = nnfast.Sequential([
        nnfast.layers.Flatten(input_shape=(28, 28)),
        nnfast.layers.Dense(300, activation="relu"),
        nnfast.layers.Dense(100, activation="relu"),
        nnfast.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=nnfast.optimizers.SGD(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    def epoch():
        nnfast.config.set_kernels(kernels)
        nnfast.config.set_num_threads(threads)
        model.fit(x, y, batch_size=W6_BATCH, epochs=1, verbose=0)

    return epoch


def torch_w6_epoch(threads=1, samples=W6_SAMPLES):
    import torch
    from torch import nn

    torch.manual_seed(0)
    x, y = w6_data(samples)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100),
                          nn.ReLU(), nn.Linear(100, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()    # softmax + sparse categorical cross-entropy

    def epoch():
        torch.set_num_threads(threads)
        order = torch.randperm(len(xt))
        correct = 0
        for start in range(0, len(xt), W6_BATCH):
            idx = order[start:start + W6_BATCH]
            xb, yb = xt[idx], yt[idx]
            opt.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            correct += (logits.argmax(1) == yb).sum().item()   # the accuracy Keras reports

    return epoch
