#!/usr/bin/env python3
"""Writes runtime/src/test/resources/fixtures/nn/*.safetensors: PyTorch's results that the nn, optim and
loss tests of nnc reproduce. Each file holds the inputs, the weights (state_dict keys prefixed "param."),
the outputs and the gradients; the safetensors files are written by hand (the format is a length, a JSON
header and raw little-endian data), which also checks that nnc reads files it did not write itself.

Run with Debian's python3-torch:  /usr/bin/python3 tools/make_nn_fixtures.py
Each case here has a twin of the same name in NnFixtureTest.java / OptimFixtureTest.java.
"""
import json
import math
import pathlib
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent.parent / "runtime/src/test/resources/fixtures/nn"
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32"}


def save(name, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for key, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    (OUT / f"{name}.safetensors").write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def layer_case(name, module, x, train=True):
    torch.manual_seed(1)
    module.train(train)
    params = {"param." + k: v.clone() for k, v in module.state_dict().items()}
    x = x.clone().requires_grad_(x.dtype.is_floating_point)
    out = module(x)
    out = out[0] if isinstance(out, tuple) else out
    r = torch.rand(out.shape) + 0.5
    (out * r).sum().backward()
    t = {"input": x, "r": r, "output": out}
    t.update(params)
    if x.requires_grad:
        t["grad.input"] = x.grad
    for k, p in module.named_parameters():
        t["grad.param." + k] = p.grad
    for k, b in module.named_buffers():
        t["after." + k] = b
    save(name, t)


def fn_case(name, f, *xs):
    xs = [x.clone().requires_grad_(True) for x in xs]
    out = f(*xs)
    r = torch.rand(out.shape) + 0.5
    (out * r).sum().backward()
    t = {"r": r, "output": out}
    for i, x in enumerate(xs):
        t[f"input{i}"] = x
        t[f"grad{i}"] = x.grad
    save(name, t)


def loss_case(name, f, logits, target, float_target=False):
    x = logits.clone().requires_grad_(True)
    out = f(x, target)
    r = torch.rand(out.shape) + 0.5 if out.dim() else torch.tensor(1.0)
    (out * r).sum().backward()
    save(name, {"input": x, "target": target, "r": r, "output": out, "grad.input": x.grad})


def optim_case(name, make, steps=5):
    torch.manual_seed(3)
    p0, p1 = torch.randn(3, 4), torch.randn(4)
    grads = [(torch.randn(3, 4), torch.randn(4)) for _ in range(steps)]
    params = [p0.clone().requires_grad_(True), p1.clone().requires_grad_(True)]
    opt = make(params)
    for g0, g1 in grads:
        opt.zero_grad()
        params[0].grad, params[1].grad = g0.clone(), g1.clone()
        opt.step()
    t = {"init.p0": p0, "init.p1": p1, "final.p0": params[0], "final.p1": params[1]}
    for k, (g0, g1) in enumerate(grads):
        t[f"grad{k}.p0"], t[f"grad{k}.p1"] = g0, g1
    save(name, t)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    layer_case("linear", nn.Linear(5, 3), torch.randn(4, 5))
    layer_case("linear_nobias_3d", nn.Linear(5, 3, bias=False), torch.randn(2, 3, 5))
    layer_case("conv2d", nn.Conv2d(2, 3, 3, padding=1), torch.randn(2, 2, 5, 5))
    layer_case("conv2d_strided", nn.Conv2d(3, 4, 3, stride=2, padding=2, dilation=2), torch.randn(1, 3, 9, 8))
    layer_case("maxpool2d", nn.MaxPool2d(2), torch.randn(2, 3, 4, 6))
    layer_case("maxpool2d_3_2_1", nn.MaxPool2d(3, 2, 1), torch.randn(1, 2, 5, 5))
    layer_case("avgpool2d", nn.AvgPool2d(2), torch.randn(2, 3, 4, 6))
    layer_case("avgpool2d_3_2_1", nn.AvgPool2d(3, 2, 1), torch.randn(1, 2, 5, 5))
    layer_case("lstm", nn.LSTM(4, 5, num_layers=2, batch_first=True), torch.randn(3, 20, 4))
    layer_case("gru", nn.GRU(4, 5, num_layers=2, batch_first=True), torch.randn(3, 20, 4))
    layer_case("embedding", nn.Embedding(10, 4), torch.randint(0, 10, (3, 5)))
    layer_case("batchnorm1d_train", nn.BatchNorm1d(4), torch.randn(6, 4))
    bn = nn.BatchNorm1d(4)
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    layer_case("batchnorm1d_eval", bn, torch.randn(6, 4), train=False)
    layer_case("batchnorm2d_train", nn.BatchNorm2d(3), torch.randn(2, 3, 4, 4))
    layer_case("layernorm", nn.LayerNorm(6), torch.randn(3, 6))
    layer_case("prelu", nn.PReLU(3), torch.randn(2, 3, 4))
    layer_case("prelu_single", nn.PReLU(), torch.randn(5))
    layer_case("flatten", nn.Flatten(), torch.randn(2, 3, 4))
    seq = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2))
    layer_case("sequential", seq, torch.randn(3, 4))

    x = torch.randn(4, 5) * 2
    fn_case("relu", F.relu, x)
    fn_case("sigmoid", torch.sigmoid, x)
    fn_case("tanh", torch.tanh, x)
    fn_case("gelu", F.gelu, x)
    fn_case("silu", F.silu, x)
    fn_case("elu", lambda t: F.elu(t, alpha=0.7), x)
    fn_case("leaky_relu", lambda t: F.leaky_relu(t, 0.2), x)
    fn_case("softmax", lambda t: F.softmax(t, dim=1), x)
    fn_case("log_softmax", lambda t: F.log_softmax(t, dim=0), x)

    logits = torch.randn(5, 4)
    classes = torch.tensor([1, 0, 3, 3, 2])
    for red in ["mean", "sum", "none"]:
        loss_case(f"cross_entropy_{red}", lambda z, t: F.cross_entropy(z, t, reduction=red), logits, classes)
    loss_case("cross_entropy_smooth", lambda z, t: F.cross_entropy(z, t, label_smoothing=0.1), logits, classes)
    loss_case("cross_entropy_ignore", lambda z, t: F.cross_entropy(z, t, ignore_index=3), logits, classes)
    loss_case("nll", lambda z, t: F.nll_loss(F.log_softmax(z, 1), t), logits, classes)
    y = torch.randn(5, 4)
    for red in ["mean", "sum", "none"]:
        loss_case(f"mse_{red}", lambda a, b: F.mse_loss(a, b, reduction=red), logits, y)
    loss_case("l1", F.l1_loss, logits, y)
    probs_target = torch.rand(5, 4)
    loss_case("bce", lambda z, t: F.binary_cross_entropy(torch.sigmoid(z), t), logits, probs_target)
    loss_case("bce_with_logits", F.binary_cross_entropy_with_logits, logits * 5, probs_target)

    optim_case("sgd", lambda p: torch.optim.SGD(p, lr=0.1))
    optim_case("sgd_momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01))
    optim_case("sgd_nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True))
    optim_case("sgd_groups", lambda p: torch.optim.SGD([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.01}], lr=0.1, momentum=0.5))
    optim_case("adam", lambda p: torch.optim.Adam(p, lr=0.01))
    optim_case("adam_decay", lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1))
    optim_case("adamw", lambda p: torch.optim.AdamW(p, lr=0.01))
    optim_case("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01))
    optim_case("rmsprop_centered_momentum", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, centered=True, momentum=0.5,
                                                                           weight_decay=0.01))
    optim_case("adagrad", lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.01))

    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    rates = {}
    for name, make in [("step", lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
                       ("cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01))]:
        for g in opt.param_groups:
            g["lr"] = 0.5
            g.pop("initial_lr", None)
        s = make(opt)
        seq = []
        for _ in range(12):
            opt.step()
            s.step()
            seq.append(opt.param_groups[0]["lr"])
        rates[name] = torch.tensor(seq, dtype=torch.float64)
    for g in opt.param_groups:
        g["lr"] = 0.5
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1)
    metrics = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.905, 0.95, 0.96, 0.97, 0.8, 0.81, 0.82, 0.83]
    seq = []
    for m in metrics:
        plateau.step(m)
        seq.append(opt.param_groups[0]["lr"])
    rates["plateau"] = torch.tensor(seq, dtype=torch.float64)
    rates["plateau_metrics"] = torch.tensor(metrics, dtype=torch.float64)
    save("schedulers", rates)

    torch.manual_seed(5)
    ps = [torch.randn(3, 3, requires_grad=True), torch.randn(4, requires_grad=True)]
    for p in ps:
        p.grad = torch.randn(p.shape) * 3
    before = [p.grad.clone() for p in ps]
    norm = torch.nn.utils.clip_grad_norm_(ps, 1.5)
    save("clip_grad_norm", {"g0": before[0], "g1": before[1], "clipped0": ps[0].grad, "clipped1": ps[1].grad,
                            "norm": torch.tensor([float(norm)], dtype=torch.float64)},
         metadata={"max_norm": "1.5", "made_by": "tools/make_nn_fixtures.py, torch " + torch.__version__})
    save("known", {"a": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4, "b": torch.tensor([1, -2, 3], dtype=torch.int64),
                   "c": torch.tensor([0.5], dtype=torch.float64), "d": torch.tensor([[7]], dtype=torch.int32)},
         metadata={"format": "pt", "note": "written by tools/make_nn_fixtures.py"})
    print(f"wrote {len(list(OUT.glob('*.safetensors')))} fixture files to {OUT}")


if __name__ == "__main__":
    main()
