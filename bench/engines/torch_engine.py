"""The workloads on PyTorch 2.13 (CPU), as a PyTorch user writes them (NCHW, its own
layouts and modules)."""

from engines import common


def build(workload, threads, quick):
    import torch
    import torch.nn.functional as F
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    name, _, mode = workload.partition("-")
    if name == "W1":
        a, b = (torch.from_numpy(m) for m in common.gemm_operands(int(mode)))
        return lambda: torch.mm(a, b)
    if name in common.CONV_CASES:
        h, w, cin, cout, k, padding = common.CONV_CASES[name]
        x = torch.from_numpy(common.conv_input(name)).permute(0, 3, 1, 2).contiguous()
        x.requires_grad_(mode == "fwdbwd")
        weight = torch.randn(cout, cin, k, k, requires_grad=mode == "fwdbwd")
        return _fwd_or_fwdbwd(torch, lambda: F.conv2d(x, weight, padding=padding), mode)
    if name == "W3":
        x = torch.from_numpy(common.pool_input()).permute(0, 3, 1, 2).contiguous()
        x.requires_grad_(mode == "fwdbwd")
        return _fwd_or_fwdbwd(torch, lambda: F.max_pool2d(x, 2, 2), mode)
    if name == "W4":
        n, t, i, u = common.LSTM_SHAPE
        lstm = nn.LSTM(i, u, batch_first=True)
        x = torch.from_numpy(common.lstm_input()).requires_grad_(mode == "fwdbwd")
        if mode == "fwd":
            def forward():
                with torch.no_grad():
                    return lstm(x)[1][0]
            return forward
        return _fwd_or_fwdbwd(torch, lambda: lstm(x)[1][0], mode)
    if name in ("W5", "W8"):
        model = nn.Sequential(nn.Conv2d(1, 32, 5), nn.ReLU(), nn.Conv2d(32, 64, 5), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5),
                              nn.Linear(64 * 10 * 10, 128), nn.ReLU(), nn.Dropout(0.5),
                              nn.Linear(128, 10))
        if name == "W8":
            model.eval()
            x1 = torch.from_numpy(common.w5_data(1)[0]).permute(0, 3, 1, 2).contiguous()

            def infer():
                with torch.inference_mode():
                    return torch.softmax(model(x1), 1)
            return infer
        x, y = common.w5_data(common.samples_of("W5", quick))
        xt = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
        yt = torch.from_numpy(y.argmax(1))
        return _train_loop(torch, model, torch.optim.Adam(model.parameters(), 1e-3),
                           nn.CrossEntropyLoss(), xt, yt, common.W5["batch"])
    if name == "W6":
        x, y = common.w6_data(common.samples_of("W6", quick))
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100),
                              nn.ReLU(), nn.Linear(100, 10))
        return _train_loop(torch, model, torch.optim.SGD(model.parameters(), 0.01),
                           nn.CrossEntropyLoss(), torch.from_numpy(x), torch.from_numpy(y),
                           common.W6["batch"])
    if name == "W7":
        x, y = common.w7_data(common.samples_of("W7", quick))

        class TextNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(common.W7["vocab"], 64)
                self.lstm = nn.LSTM(64, 32, batch_first=True)
                self.out = nn.Linear(32, 1)

            def forward(self, ids):
                return self.out(self.lstm(self.emb(ids))[1][0][0])

        model = TextNet()
        return _train_loop(torch, model, torch.optim.Adam(model.parameters(), 1e-3),
                           nn.BCEWithLogitsLoss(), torch.from_numpy(x), torch.from_numpy(y),
                           common.W7["batch"])
    raise ValueError(f"unknown workload {workload!r}")


def _fwd_or_fwdbwd(torch, forward, mode):
    if mode == "fwd":
        def fwd():
            with torch.no_grad():
                return forward()
        return fwd

    def step():
        y = forward()
        y.backward(torch.ones_like(y))
    return step


def _train_loop(torch, model, opt, loss_fn, x, y, batch):
    def epoch():
        model.train()
        order = torch.randperm(len(x))
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    return epoch


