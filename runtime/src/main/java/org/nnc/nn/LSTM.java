package org.nnc.nn;

import org.nnc.ops.Ops;
import org.nnc.tensor.Tensor;

/** Long short-term memory, gate order i, f, g, o as PyTorch. */
public class LSTM extends Recurrent {
    public LSTM(int input, int hidden, int layers) { super(input, hidden, layers, 4); }

    public LSTM(int input, int hidden) { this(input, hidden, 1); }

    @Override
    Tensor recurrence(Tensor projected, Tensor wHh, Tensor bHh) {
        if (fusable(projected, wHh, bHh)) return LstmSequence.forward(projected, wHh, bHh);
        return onDeviceInFloat32(projected, wHh, bHh) ? LstmSequence.onDevice(projected, wHh, bHh) : null;
    }

    @Override
    State cell(Tensor xProj, Tensor hProj, State s) {
        Tensor g = Ops.add(xProj, hProj);
        if (!LstmCell.applies(g)) return plainCell(g, s);
        Tensor hc = LstmCell.forward(g, s.c());
        return new State(Ops.slice(hc, 1, 0, hidden, 1), Ops.slice(hc, 1, hidden, 2 * hidden, 1));
    }

    /** The textbook formulas, one operation each: the reference the fused cell is tested against. */
    State plainCell(Tensor g, State s) {
        Tensor i = Functional.sigmoid(gate(g, 0)), f = Functional.sigmoid(gate(g, 1));
        Tensor cand = Functional.tanh(gate(g, 2)), o = Functional.sigmoid(gate(g, 3));
        Tensor c = Ops.add(Ops.mul(f, s.c()), Ops.mul(i, cand));
        return new State(Ops.mul(o, Functional.tanh(c)), c);
    }
}
