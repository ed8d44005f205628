package org.nnc.data;

import org.nnc.tensor.Tensor;

/** Samples by index (PyTorch's map-style Dataset). {@link #get} may be called from several loader threads at once. */
public interface Dataset {
    /** One example: its features and its target. */
    record Sample(Tensor x, Tensor y) {}

    int size();

    Sample get(int index);
}
