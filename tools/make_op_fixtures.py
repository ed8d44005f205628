#!/usr/bin/env python3
"""Writes runtime/src/test/resources/fixtures/ops.txt: forward values and input gradients of composite
tensor expressions computed by PyTorch, which PyTorchFixtureTest recomputes with nnc.

Run with Debian's python3-torch:  /usr/bin/python3 tools/make_op_fixtures.py
Each expression here has a twin of the same name in PyTorchFixtureTest.java.
The gradient is that of sum(out * r) for a fixed random r, so every output element matters.
"""
import pathlib
import torch

torch.manual_seed(0)
OUT = pathlib.Path(__file__).resolve().parent.parent / "runtime/src/test/resources/fixtures/ops.txt"


def rn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def pos(*shape):
    return torch.rand(*shape, dtype=torch.float32) * 1.5 + 0.5


def softmax(x, dim):
    e = (x - x.max(dim, keepdim=True).values).exp()
    return e / e.sum(dim, keepdim=True)


CASES = {
    "softmax_by_hand": ([rn(4, 7)], lambda x: softmax(x, -1)),
    "mlp_layer_relu": ([rn(5, 6), rn(6, 3), rn(3)],
                       lambda x, w, b: (x @ w + b).clamp(0, float("inf"))),
    "attention": ([rn(2, 4, 8), rn(2, 5, 8), rn(2, 5, 3)],
                  lambda q, k, v: softmax(q @ k.transpose(-1, -2) / 8 ** 0.5, -1) @ v),
    "layer_norm_by_hand": ([rn(3, 10), rn(10), rn(10)],
                           lambda x, g, b: (x - x.mean(-1, keepdim=True))
                           / ((x - x.mean(-1, keepdim=True)).pow(2).mean(-1, keepdim=True) + 1e-5).sqrt() * g + b),
    "mse": ([rn(4, 3), rn(4, 3)], lambda a, b: (a - b).pow(2).mean()),
    "leaky_relu_where": ([rn(3, 5)], lambda x: torch.where(x > 0, x, x * 0.1)),
    "nll_by_gather": ([rn(6, 4)],
                      lambda x: -(softmax(x, 1).log().gather(1, torch.tensor([[0], [3], [1], [1], [2], [0]])).mean())),
    "broadcast_pow_div": ([rn(3, 1, 4), pos(2, 4), rn(4)],
                          lambda x, y, z: (x.pow(2) + y) / (z.abs() + 1)),
    "permute_reshape_slice": ([rn(2, 3, 4), rn(6)],
                              lambda x, w: x.permute(2, 0, 1).reshape(4, -1)[::2] * w),
    "concat_stack_index_select": ([rn(2, 3), rn(2, 3)],
                                  lambda a, b: torch.stack([torch.cat([a, b], 0), torch.cat([b, a], 0)], 1)
                                  .index_select(0, torch.tensor([3, 0, 0, 2])).sum(1)),
    "max_min_maximum": ([rn(4, 5), rn(5)],
                        lambda x, y: x.max(1).values.unsqueeze(1) * torch.maximum(x, y) - x.min(0).values),
    "sigmoid_by_hand": ([rn(3, 4)], lambda x: 1 / (1 + (-x).exp())),
    "vector_matrix_vector": ([rn(5), rn(5, 6), rn(6)], lambda u, m, v: u @ m @ v),
    "log_sum_exp_masked_fill": ([rn(3, 6)],
                                lambda x: x.masked_fill(torch.tensor([True, False, False, True, False, False]), -3.0)
                                .exp().sum(-1).log()),
    "batched_broadcast_matmul": ([rn(2, 1, 3, 4), rn(3, 4, 2)], lambda a, b: (a @ b).abs().sum(0).sum(0)),
}


def fmt(t):
    shape = ",".join(str(d) for d in t.shape)
    return f"{shape} " + " ".join(f"{v:.9g}" for v in t.detach().reshape(-1).tolist())


def main():
    lines = ["# made by tools/make_op_fixtures.py with torch " + torch.__version__]
    for name, (inputs, f) in CASES.items():
        xs = [x.clone().requires_grad_(True) for x in inputs]
        out = f(*xs)
        r = torch.rand(out.shape, dtype=torch.float32) + 0.5
        (out * r).sum().backward()
        lines.append(f"case {name}")
        for x in xs:
            lines.append("input " + fmt(x))
        lines.append("output " + fmt(out))
        lines.append("r " + fmt(r))
        for x in xs:
            lines.append("grad " + fmt(x.grad))
        lines.append("end")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {len(CASES)} cases to {OUT}")


if __name__ == "__main__":
    main()
