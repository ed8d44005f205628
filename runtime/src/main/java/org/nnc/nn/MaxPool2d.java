package org.nnc.nn;

import org.nnc.tensor.Tensor;

public class MaxPool2d extends Module {
    public final int kernel, stride, padding;

    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** Stride defaults to the kernel size, as in PyTorch. */
    public MaxPool2d(int kernel) { this(kernel, kernel, 0); }

    @Override
    public Tensor forward(Tensor x) { return Functional.maxPool2d(x, kernel, stride, padding); }

    @Override
    protected String extraRepr() { return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding; }
}
