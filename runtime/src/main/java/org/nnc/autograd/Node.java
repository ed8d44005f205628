package org.nnc.autograd;

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

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String op() { return op; }

    public Tensor[] inputs() { return inputs; }

    boolean isReleased() { return backward == null; }

    Tensor[] apply(Tensor grad) {
        if (backward == null) {
            throw new IllegalStateException("backward through '" + op + "' a second time: its saved values were freed by the"
                    + " first backward(); pass retainGraph = true to the first call if you need to go back twice");
        }
        return backward.apply(grad);
    }

    void release() { backward = null; }
}
