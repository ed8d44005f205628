package org.nnc.nn;

import org.nnc.tensor.Tensor;

/** Modules applied in order; named 0, 1, 2 … as in PyTorch. */
public class Sequential extends Module {
    public Sequential(Module... modules) {
        for (int i = 0; i < modules.length; i++) registerModule(String.valueOf(i), modules[i]);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module m : children().values()) h = m.forward(h);
        return h;
    }
}
