package org.nnc.nn;

import org.nnc.tensor.Tensor;

/** 2-D convolution with square kernels: weight [outCh, inCh, k, k], bias [outCh]. */
public class Conv2d extends Module {
    public final int inChannels, outChannels, kernel, stride, padding, dilation;
    public final Tensor weight, bias;

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, boolean bias) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        int fanIn = inChannels * kernel * kernel;
        this.weight = registerParameter("weight", Init.fanIn(fanIn, outChannels, inChannels, kernel, kernel));
        this.bias = registerParameter("bias", bias ? Init.fanIn(fanIn, outChannels) : null);
    }

    public Conv2d(int inChannels, int outChannels, int kernel) { this(inChannels, outChannels, kernel, 1, 0, 1, true); }

    @Override
    public Tensor forward(Tensor x) { return Functional.conv2d(x, weight, bias, stride, padding, dilation); }

    @Override
    public Tensor forwardRelu(Tensor x) { return Functional.conv2dRelu(x, weight, bias, stride, padding, dilation); }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kernel + ", " + kernel + "), stride=(" + stride + ", " + stride + ")"
                + (padding != 0 ? ", padding=(" + padding + ", " + padding + ")" : "")
                + (dilation != 1 ? ", dilation=(" + dilation + ", " + dilation + ")" : "")
                + (bias == null ? ", bias=False" : "");
    }
}
