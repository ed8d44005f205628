package org.nnc.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nnc.autograd.Autograd;
import org.nnc.backend.cpu.VecMath;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * One LSTM step for float32 as a single fused operation: from the gate pre-activations [B, 4H] (i, f, g, o)
 * and the previous cell state [B, H] it makes [B, 2H] = [h | c] in one pass, and its backward makes the
 * gradients of both inputs in one pass, instead of the dozen element-wise operations (and graph nodes) the
 * plain formulas take. The plain formulas stay for other dtypes, and a test checks the two agree.
 */
final class LstmCell {
    private LstmCell() {}

    static boolean applies(Tensor gates) { return gates.dtype() == DType.FLOAT32 && gates.device().equals(org.nnc.tensor.Device.CPU); }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** [h | c] for gates [B, 4H] and cPrev [B, H]. */
    static Tensor forward(Tensor gates, Tensor cPrev) {
        int b = gates.size(0), h4 = gates.size(1), hid = h4 / 4;
        float[] g = gates.contiguous().toFloatArray(), cp = cPrev.contiguous().toFloatArray();
        float[] out = new float[b * 2 * hid];
        // Saved for the backward: the four activated gates and tanh(c).
        float[] act = new float[b * h4], tanhC = new float[b * hid];
        for (int r = 0; r < b; r++) {
            int gr = r * h4, cr = r * hid, or = r * 2 * hid;
            int j = 0;
            for (int upper = S.loopBound(hid); j < upper; j += S.length()) {
                FloatVector i = VecMath.sigmoid(FloatVector.fromArray(S, g, gr + j));
                FloatVector f = VecMath.sigmoid(FloatVector.fromArray(S, g, gr + hid + j));
                FloatVector gg = VecMath.tanh(FloatVector.fromArray(S, g, gr + 2 * hid + j));
                FloatVector o = VecMath.sigmoid(FloatVector.fromArray(S, g, gr + 3 * hid + j));
                FloatVector c = f.mul(FloatVector.fromArray(S, cp, cr + j)).add(i.mul(gg));
                FloatVector tc = VecMath.tanh(c);
                i.intoArray(act, gr + j);
                f.intoArray(act, gr + hid + j);
                gg.intoArray(act, gr + 2 * hid + j);
                o.intoArray(act, gr + 3 * hid + j);
                tc.intoArray(tanhC, cr + j);
                o.mul(tc).intoArray(out, or + j);
                c.intoArray(out, or + hid + j);
            }
            for (; j < hid; j++) {
                float i = VecMath.sigmoid(g[gr + j]), f = VecMath.sigmoid(g[gr + hid + j]);
                float gg = VecMath.tanh(g[gr + 2 * hid + j]), o = VecMath.sigmoid(g[gr + 3 * hid + j]);
                float c = f * cp[cr + j] + i * gg;
                float tc = VecMath.tanh(c);
                act[gr + j] = i;
                act[gr + hid + j] = f;
                act[gr + 2 * hid + j] = gg;
                act[gr + 3 * hid + j] = o;
                tanhC[cr + j] = tc;
                out[or + j] = o * tc;
                out[or + hid + j] = c;
            }
        }
        Tensor y = Tensor.of(out, b, 2 * hid);
        return Autograd.record("lstmCell", y, grad -> {
            float[] d = grad.contiguous().toFloatArray();
            float[] dg = new float[b * h4], dcp = new float[b * hid];
            for (int r = 0; r < b; r++) {
                int gr = r * h4, cr = r * hid, or = r * 2 * hid;
                for (int j = 0; j < hid; j++) {
                    float i = act[gr + j], f = act[gr + hid + j], gg = act[gr + 2 * hid + j], o = act[gr + 3 * hid + j];
                    float tc = tanhC[cr + j], dh = d[or + j];
                    float dc = d[or + hid + j] + dh * o * (1 - tc * tc);
                    dg[gr + j] = dc * gg * i * (1 - i);
                    dg[gr + hid + j] = dc * cp[cr + j] * f * (1 - f);
                    dg[gr + 2 * hid + j] = dc * i * (1 - gg * gg);
                    dg[gr + 3 * hid + j] = dh * tc * o * (1 - o);
                    dcp[cr + j] = dc * f;
                }
            }
            return new Tensor[] {Tensor.of(dg, b, h4), Tensor.of(dcp, b, hid)};
        }, gates, cPrev);
    }
}
