"""What every engine shares: the workload table, data (fixed seeds) and FLOP counts."""
import numpy as np

# id -> description; "mode" workloads come as "<id>-fwd" and "<id>-fwdbwd".
CONV_CASES = {"W2a": (28, 28, 1, 32, 5, "valid"), "W2b": (24, 24, 32, 64, 5, "valid"),
              "W2c": (32, 32, 64, 64, 3, "same")}
CONV_BATCH = 64
POOL_SHAPE = (64, 20, 20, 64)
LSTM_SHAPE = (32, 100, 64, 128)          # batch, steps, inputs, units
W5 = dict(samples=6000, batch=128)
W6 = dict(samples=55000, batch=32)
W7 = dict(samples=3200, batch=32, length=100, vocab=2000)
QUICK = {"W5": 1280, "W6": 11000, "W7": 640}

WORKLOADS = (["W1-256", "W1-1024", "W1-2048"]
             + [f"{c}-{m}" for c in CONV_CASES for m in ("fwd", "fwdbwd")]
             + ["W3-fwd", "W3-fwdbwd", "W4-fwd", "W4-fwdbwd", "W5", "W6", "W7",
                "W8-predict", "W8-call"])


def rng(seed=0):
    return np.random.default_rng(seed)


def gemm_operands(n):
    r = rng()
    return r.random((n, n), dtype=np.float32), r.random((n, n), dtype=np.float32)


def conv_input(case):
    h, w, cin, cout, k, padding = CONV_CASES[case]
    return rng().random((CONV_BATCH, h, w, cin), dtype=np.float32)


def conv_flops(case, mode):
    h, w, cin, cout, k, padding = CONV_CASES[case]
    ho, wo = (h, w) if padding == "same" else (h - k + 1, w - k + 1)
    fwd = 2 * CONV_BATCH * ho * wo * cout * k * k * cin
    return fwd if mode == "fwd" else 3 * fwd


def pool_input():
    return rng().random(POOL_SHAPE, dtype=np.float32)


def lstm_input():
    n, t, i, _ = LSTM_SHAPE
    return rng().random((n, t, i), dtype=np.float32)


def w5_data(samples):
    r = rng()
    x = r.random((samples, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[r.integers(0, 10, samples)]
    return x, y


def w6_data(samples):
    r = rng()
    return r.random((samples, 28, 28), dtype=np.float32), r.integers(0, 10, samples)


def w7_data(samples):
    r = rng()
    x = r.integers(1, W7["vocab"], (samples, W7["length"]))
    return x, r.integers(0, 2, (samples, 1)).astype(np.float32)


def samples_of(workload, quick):
    key = workload.split("-")[0]
    if quick and key in QUICK:
        return QUICK[key]
    return {"W5": W5, "W6": W6, "W7": W7}[key]["samples"]
