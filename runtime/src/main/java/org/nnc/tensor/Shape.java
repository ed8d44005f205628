package org.nnc.tensor;

import java.util.Arrays;

/** Arithmetic on shapes and strides, shared by views, broadcasting and kernels. */
public final class Shape {
    private Shape() {}

    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of shape " + str(shape) + " has " + n + " elements; at most 2^31-1 are supported");
        }
        return (int) n;
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    /** Wraps a possibly negative dimension index into [0, rank), as PyTorch does. */
    public static int wrapDim(int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException("dimension " + dim + " is out of range for a tensor of rank " + rank
                    + " (expected " + (-r) + " to " + (r - 1) + ")");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** NumPy broadcasting: align from the right; sizes must be equal or one of them 1. */
    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast: dimension " + (i - n) + " is " + da + " vs " + db);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
