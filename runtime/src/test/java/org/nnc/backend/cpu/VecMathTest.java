package org.nnc.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class VecMathTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Every 97th float from -110 to 110 by bit pattern, plus the edges. */
    private static float[] sweep() {
        var out = new java.util.ArrayList<Float>();
        for (float v : new float[] {0f, -0f, Float.MIN_VALUE, 1e-30f, -1e-30f, 1e-7f, 0.625f, -0.625f,
                0.62499994f, 88.72f, 88.73f, -87.3f, -103.9f, -104.5f, 89.5f, 1000f, -1000f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) out.add(v);
        for (int bits = Float.floatToRawIntBits(110f); bits > 0; bits -= 97) {
            float v = Float.intBitsToFloat(bits);
            out.add(v);
            out.add(-v);
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) a[i] = out.get(i);
        return a;
    }

    private static void checkUlps(float[] xs, UnaryOperator<Float> f, DoubleUnaryOperator exact, double maxUlps, double absFloor) {
        double worst = 0;
        float worstAt = 0;
        for (float x : xs) {
            float got = f.apply(x);
            double want = exact.applyAsDouble(x);
            if (Double.isNaN(want)) {
                assertTrue(Float.isNaN(got), "at " + x);
                continue;
            }
            float wantF = (float) want;
            if (Float.isInfinite(wantF) || wantF == 0f) {
                if (Math.abs(got - want) <= absFloor) continue;
                assertEquals(wantF, got, "at " + x);
                continue;
            }
            double err = Math.abs(got - want) / Math.ulp(wantF);
            if (Math.abs(got - want) <= absFloor) err = 0;
            if (err > worst) {
                worst = err;
                worstAt = x;
            }
        }
        assertTrue(worst <= maxUlps, "worst error " + worst + " ulp at x = " + worstAt);
    }

    @Test
    void scalarFormsAreAccurate() {
        float[] xs = sweep();
        checkUlps(xs, VecMath::exp, Math::exp, 2, Float.MIN_NORMAL);
        checkUlps(xs, VecMath::sigmoid, x -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)), 3, Float.MIN_NORMAL);
        checkUlps(xs, VecMath::tanh, Math::tanh, 3, 0);
    }

    @Test
    void vectorFormsMatchScalarFormsBitForBit() {
        float[] xs = sweep();
        int n = S.loopBound(xs.length);
        float[] e = new float[n], s = new float[n], t = new float[n];
        for (int i = 0; i < n; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, xs, i);
            VecMath.exp(v).intoArray(e, i);
            VecMath.sigmoid(v).intoArray(s, i);
            VecMath.tanh(v).intoArray(t, i);
        }
        for (int i = 0; i < n; i++) {
            float x = xs[i];
            assertEquals(Float.floatToIntBits(VecMath.exp(x)), Float.floatToIntBits(e[i]), "exp at " + x);
            assertEquals(Float.floatToIntBits(VecMath.sigmoid(x)), Float.floatToIntBits(s[i]), "sigmoid at " + x);
            assertEquals(Float.floatToIntBits(VecMath.tanh(x)), Float.floatToIntBits(t[i]), "tanh at " + x);
        }
    }

    /** The array forms kernels call: vector body and scalar tail at any offset, in place or not, equal the scalar forms. */
    @Test
    void arrayFormsMatchScalarFormsAtAnyOffsetAndLength() {
        float[] all = sweep();
        float[] xs = new float[(1 << 16) + 20];
        for (int i = 0; i < xs.length; i++) xs[i] = all[(int) ((long) i * 337 % all.length)];
        for (int off : new int[] {0, 3, 17}) {
            for (int n : new int[] {0, 5, S.length(), 2 * S.length() + 7, (1 << 16) + 3}) {
                float[] e = new float[n + 2], s = new float[n + 2], t = xs.clone();
                VecMath.exp(xs, off, e, 1, n);
                VecMath.sigmoid(xs, off, s, 2, n);
                VecMath.tanh(t, off, t, off, n);
                for (int i = 0; i < n; i++) {
                    float x = xs[off + i];
                    assertEquals(Float.floatToIntBits(VecMath.exp(x)), Float.floatToIntBits(e[1 + i]), "exp at " + x);
                    assertEquals(Float.floatToIntBits(VecMath.sigmoid(x)), Float.floatToIntBits(s[2 + i]), "sigmoid at " + x);
                    assertEquals(Float.floatToIntBits(VecMath.tanh(x)), Float.floatToIntBits(t[off + i]), "tanh at " + x);
                }
                assertEquals(0f, e[0]);
                assertEquals(0f, s[1]);
            }
        }
    }
}
