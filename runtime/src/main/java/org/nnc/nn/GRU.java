package org.nnc.nn;

import org.nnc.autograd.Autograd;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Tensor;

/** Gated recurrent unit, gate order r, z, n as PyTorch: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)). */
public class GRU extends Recurrent {
    public GRU(int input, int hidden, int layers) { super(input, hidden, layers, 3); }

    public GRU(int input, int hidden) { this(input, hidden, 1); }

    @Override
    Tensor recurrence(Tensor projected, Tensor wHh, Tensor bHh) {
        return fusable(projected, wHh, bHh) ? GruSequence.forward(projected, wHh, bHh) : null;
    }

    @Override
    State cell(Tensor xProj, Tensor hProj, State s) {
        Tensor fused = fusedCell(xProj, hProj, s.h());
        if (fused != null) return new State(fused, null);
        Tensor r = Functional.sigmoid(Ops.add(gate(xProj, 0), gate(hProj, 0)));
        Tensor z = Functional.sigmoid(Ops.add(gate(xProj, 1), gate(hProj, 1)));
        Tensor n = Functional.tanh(Ops.add(gate(xProj, 2), Ops.mul(r, gate(hProj, 2))));
        Tensor h = Ops.add(Ops.mul(Ops.add(Ops.neg(z), 1), n), Ops.mul(z, s.h()));
        return new State(h, null);
    }

    /**
     * The step through a device backend's fused cell ({@link org.nnc.backend.Backend#gruCell}): two launches,
     * forward and backward, where the formulas above take about a dozen each way; null on the CPU (whose
     * float32 layers run {@link GruSequence} instead) and where the backend has none.
     */
    private static Tensor fusedCell(Tensor xProj, Tensor hProj, Tensor h) {
        if (xProj.dtype() != DType.FLOAT32 || hProj.dtype() != DType.FLOAT32 || h.dtype() != DType.FLOAT32
                || xProj.device().equals(Device.CPU)) {
            return null;
        }
        Tensor x = Recurrent.rowsContiguous(xProj), hp = Recurrent.rowsContiguous(hProj), hPrev = Recurrent.rowsContiguous(h);
        int b = hPrev.size(0), hid = hPrev.size(1);
        Device d = h.device();
        Tensor out = Tensor.uninitialized(DType.FLOAT32, d, b, hid), act = Tensor.uninitialized(DType.FLOAT32, d, b, 3 * hid);
        if (!out.backend().gruCell(x.detach(), hp.detach(), hPrev.detach(), out, act)) return null;
        return Autograd.record("gruCell", out, grad -> {
            Tensor dx = Tensor.uninitialized(DType.FLOAT32, d, b, 3 * hid), dhp = Tensor.uninitialized(DType.FLOAT32, d, b, 3 * hid);
            Tensor dh = Tensor.uninitialized(DType.FLOAT32, d, b, hid);
            out.backend().gruCellBackward(grad.contiguous(), act, hp.detach(), hPrev.detach(), dx, dhp, dh);
            return new Tensor[] {dx, dhp, dh};
        }, xProj, hProj, h);
    }
}
