package org.nnc.data;

import java.util.ArrayList;
import java.util.List;
import org.nnc.tensor.Generator;

/** The samples of a data set at given indices. */
public final class Subset implements Dataset {
    private final Dataset base;
    private final int[] indices;

    public Subset(Dataset base, int[] indices) {
        for (int i : indices) {
            if (i < 0 || i >= base.size()) throw new IndexOutOfBoundsException("index " + i + " outside a data set of " + base.size());
        }
        this.base = base;
        this.indices = indices.clone();
    }

    public Dataset base() { return base; }

    public int[] indices() { return indices.clone(); }

    @Override public int size() { return indices.length; }

    @Override public Sample get(int i) { return base.get(indices[i]); }

    /**
     * Splits a data set into parts of the given fractions (summing to 1) after a seeded shuffle; rounding
     * leftovers go to the first parts, as PyTorch's random_split does with fractions.
     */
    public static List<Subset> randomSplit(Dataset data, double[] fractions, Generator g) {
        double total = 0;
        for (double f : fractions) {
            if (f < 0) throw new IllegalArgumentException("split fractions must not be negative");
            total += f;
        }
        if (Math.abs(total - 1) > 1e-6) throw new IllegalArgumentException("split fractions must sum to 1, got " + total);
        int n = data.size();
        int[] sizes = new int[fractions.length];
        int assigned = 0;
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = (int) Math.floor(n * fractions[i]);
            assigned += sizes[i];
        }
        for (int i = 0; assigned < n; i = (i + 1) % sizes.length, assigned++) sizes[i]++;
        int[] perm = permutation(n, g);
        List<Subset> out = new ArrayList<>();
        int at = 0;
        for (int s : sizes) {
            out.add(new Subset(data, java.util.Arrays.copyOfRange(perm, at, at + s)));
            at += s;
        }
        return out;
    }

    /** A seeded Fisher–Yates permutation of 0 … n−1. */
    public static int[] permutation(int n, Generator g) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = g.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
