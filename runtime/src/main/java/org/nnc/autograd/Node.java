package org.nnc.autograd;

import java.util.function.UnaryOperator;

import org.nnc.tensor.Tensor;

/**
 * One recorded operation: its inputs and how to turn the output's gradient into theirs. The backward
 * function closes over whatever the op saved; {@link #release()} drops it, which is how a graph is freed.
 */
public final class Node {
    /** Maps the gradient of the output to one gradient per input (null where an input gets none). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    private final String op;
    private final Tensor[] inputs;
    private Backward backward;
    private final UnaryOperator<Tensor> region;
    private boolean released;

    Node(String op, Tensor[] inputs, Backward backward, UnaryOperator<Tensor> region) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
        this.region = region;
    }

    /**
     * For a view op (select, slice) of a single input, which has no backward function: the function that
     * takes a tensor shaped like the input to the part of it the output views; null for other ops. It lets the engine add the output's
     * gradient straight into that part of the input's gradient, instead of the backward building an
     * input-sized tensor of zeros around it per view, which made T steps of a recurrence cost O(T²).
     */
    UnaryOperator<Tensor> region() { return region; }

    public String op() { return op; }

    public Tensor[] inputs() { return inputs; }

    Tensor[] apply(Tensor grad) {
        checkLive();
        return backward.apply(grad);
    }

    void checkLive() {
        if (released) {
            throw new IllegalStateException("backward through '" + op + "' a second time: its saved values were freed by the"
                    + " first backward(); pass retainGraph = true to the first call if you need to go back twice");
        }
    }

    void release() {
        backward = null;
        released = true;
    }
}
