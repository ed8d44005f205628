package org.nnc.nn;

import org.nnc.tensor.Tensor;

/** Modules applied in order; named 0, 1, 2 … as in PyTorch. */
public class Sequential extends Module {
    public Sequential(Module... modules) {
        for (int i = 0; i < modules.length; i++) registerModule(String.valueOf(i), modules[i]);
    }

    /** Each module in turn; a module followed by ReLU runs as {@link Module#forwardRelu}, as compiled models do. */
    @Override
    public Tensor forward(Tensor x) {
        Module[] ms = children().values().toArray(new Module[0]);
        Tensor h = x;
        for (int i = 0; i < ms.length; i++) {
            if (i + 1 < ms.length && ms[i + 1] instanceof Activation a && a.isRelu()) {
                h = ms[i++].forwardRelu(h);
            } else {
                h = ms[i].forward(h);
            }
        }
        return h;
    }
}
