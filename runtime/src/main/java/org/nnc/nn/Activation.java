package org.nnc.nn;

import java.util.function.UnaryOperator;
import org.nnc.tensor.Tensor;

/** An activation as a module, so it can sit in a {@link Sequential}; it has no parameters. */
public class Activation extends Module {
    private final String name;
    private final UnaryOperator<Tensor> f;

    private Activation(String name, UnaryOperator<Tensor> f) {
        this.name = name;
        this.f = f;
    }

    public static Activation relu() { return new Activation("ReLU", Functional::relu); }

    public static Activation sigmoid() { return new Activation("Sigmoid", Functional::sigmoid); }

    public static Activation tanh() { return new Activation("Tanh", Functional::tanh); }

    public static Activation gelu() { return new Activation("GELU", Functional::gelu); }

    public static Activation silu() { return new Activation("SiLU", Functional::silu); }

    public static Activation elu(double alpha) { return new Activation("ELU", x -> Functional.elu(x, alpha)); }

    public static Activation leakyRelu(double slope) { return new Activation("LeakyReLU", x -> Functional.leakyRelu(x, slope)); }

    @Override
    public Tensor forward(Tensor x) { return f.apply(x); }

    /** Whether this is ReLU, which a preceding Linear or Conv2d can take into its product (see Sequential). */
    public boolean isRelu() { return name.equals("ReLU"); }

    @Override
    public String toString() { return name + "()"; }
}
