package org.nnc.nn;

import org.nnc.ops.Ops;
import org.nnc.tensor.Tensor;

/** Gated recurrent unit, gate order r, z, n as PyTorch: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)). */
public class GRU extends Recurrent {
    public GRU(int input, int hidden, int layers) { super(input, hidden, layers, 3); }

    public GRU(int input, int hidden) { this(input, hidden, 1); }

    @Override
    Tensor recurrence(Tensor projected, Tensor wHh, Tensor bHh) {
        if (fusable(projected, wHh, bHh)) return GruSequence.forward(projected, wHh, bHh);
        return onDeviceInFloat32(projected, wHh, bHh) ? GruSequence.onDevice(projected, wHh, bHh) : null;
    }

    @Override
    State cell(Tensor xProj, Tensor hProj, State s) {
        Tensor r = Functional.sigmoid(Ops.add(gate(xProj, 0), gate(hProj, 0)));
        Tensor z = Functional.sigmoid(Ops.add(gate(xProj, 1), gate(hProj, 1)));
        Tensor n = Functional.tanh(Ops.add(gate(xProj, 2), Ops.mul(r, gate(hProj, 2))));
        Tensor h = Ops.add(Ops.mul(Ops.add(Ops.neg(z), 1), n), Ops.mul(z, s.h()));
        return new State(h, null);
    }
}
