package org.nnc.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Small fused float32 kernels used by in-place updates (optimizers). */
public final class Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private Kernels() {}

    /** y += alpha · x over n contiguous elements, split across the pool for large n. */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        Parallel.forRange(n, n, (from, to) -> {
            FloatVector va = FloatVector.broadcast(S, alpha);
            int i = from;
            for (int upper = to - L; i <= upper; i += L) {
                va.fma(FloatVector.fromArray(S, x, xo + i), FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
            }
            for (; i < to; i++) y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
        });
    }
}
