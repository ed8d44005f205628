package org.nnc.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.nnc.tensor.DType;
import org.nnc.tensor.Shape;
import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/** Records operations into a graph and runs reverse-mode differentiation over it. */
public final class Autograd {
    private Autograd() {}

    /**
     * Attaches {@code backward} to {@code output} when recording is on and some input requires a gradient.
     * Ops call this once, after computing their result; it returns the output for chaining.
     */
    public static Tensor record(String op, Tensor output, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return output;
        boolean any = false;
        for (Tensor t : inputs) any |= t != null && t.requiresGrad();
        if (!any) return output;
        output.attachGradFn(new Node(op, inputs, backward, null));
        return output;
    }

    /**
     * Records a view op: {@code output} is {@code region.apply(input)}, a view of part of it. The gradient
     * is added into that part of the input's gradient in place (see {@link Node#region()}).
     */
    public static Tensor recordView(String op, Tensor output, UnaryOperator<Tensor> region, Tensor input) {
        if (!GradMode.isEnabled() || !input.requiresGrad()) return output;
        output.attachGradFn(new Node(op, new Tensor[] {input}, null, region));
        return output;
    }

    /** Back-propagates {@code grad} (ones for a scalar when null) from {@code root} into the leaves' {@code grad}. */
    public static void backward(Tensor root, Tensor grad, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward() on a tensor that does not require grad: no input of the"
                    + " computation had requiresGrad set, or it was computed under noGrad");
        }
        if (grad == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward() without a gradient needs a scalar, but the tensor has shape "
                        + Shape.str(root.shape()) + "; pass a gradient of that shape, or reduce it first (e.g. sum or mean)");
            }
            grad = Tensor.onesLike(root);
        } else if (!java.util.Arrays.equals(grad.shape(), root.shape())) {
            throw new IllegalArgumentException("backward() gradient has shape " + Shape.str(grad.shape())
                    + " but the tensor has shape " + Shape.str(root.shape()));
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        // Sums this loop allocated and nobody else holds yet, so further terms may be added in place. A
        // tensor stops being owned when it leaves the map: a backward may hand it on unchanged.
        Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        grads.put(root, grad);
        try (GradMode.Scope s = GradMode.disable()) {
            for (Tensor t : order) {
                Tensor g = grads.remove(t);
                if (g == null) continue;
                boolean exclusive = owned.remove(g);
                Node node = t.gradFn();
                if (node == null) {
                    t.accumulateGrad(g, exclusive);
                    continue;
                }
                if (node.region() != null) {
                    Tensor in = node.inputs()[0];
                    node.checkLive();
                    if (in.requiresGrad()) node.region().apply(ownedSum(grads, owned, in, g.dtype())).add_(g, 1);
                    if (!retainGraph) node.release();
                    continue;
                }
                long before = Storage.nextSerial();
                Tensor[] inputGrads = node.apply(g);
                Tensor[] inputs = node.inputs();
                for (int i = 0; i < inputs.length; i++) {
                    Tensor in = inputs[i];
                    if (in == null || !in.requiresGrad() || inputGrads[i] == null) continue;
                    Tensor gi = inputGrads[i];
                    if (!java.util.Arrays.equals(gi.shape(), in.shape())) {
                        throw new IllegalStateException("internal: gradient of '" + node.op() + "' input " + i + " has shape "
                                + Shape.str(gi.shape()) + ", expected " + Shape.str(in.shape()));
                    }
                    Tensor prev = grads.get(in);
                    boolean fresh = madeBy(inputGrads, i, before);
                    if (prev == null) {
                        grads.put(in, gi);
                        if (fresh) owned.add(gi);
                    } else if (owned.contains(prev) && prev.dtype() == gi.dtype()) {
                        prev.add_(gi, 1);
                    } else if (fresh && prev.dtype() == gi.dtype()) {
                        gi.add_(prev, 1);
                        grads.put(in, gi);
                        owned.add(gi);
                    } else {
                        Tensor sum = prev.add(gi);
                        owned.add(sum);
                        grads.put(in, sum);
                    }
                }
                if (!retainGraph) node.release();
            }
        }
    }

    /**
     * Whether the backward that returned {@code grads} made {@code grads[i]} itself: a contiguous tensor whose
     * storage is newer than {@code before} (so it is not the incoming gradient handed on, nor anything saved)
     * and that no other of its results shares. Nothing else holds such a tensor, so the engine may add into it.
     */
    private static boolean madeBy(Tensor[] grads, int i, long before) {
        Tensor g = grads[i];
        if (g.storage().serial() < before || !g.isContiguous()) return false;
        for (int j = 0; j < grads.length; j++) {
            if (j != i && grads[j] != null && grads[j].storage() == g.storage()) return false;
        }
        return true;
    }

    /** The gradient sum of {@code in}, made an owned tensor (zeros, or a copy of what is there) if it is not one. */
    private static Tensor ownedSum(Map<Tensor, Tensor> grads, Set<Tensor> owned, Tensor in, DType dtype) {
        Tensor prev = grads.get(in);
        if (prev != null && owned.contains(prev)) return prev;
        Tensor sum = prev == null ? Tensor.empty(dtype, in.device(), in.shape()) : prev.clone();
        owned.add(sum);
        grads.put(in, sum);
        return sum;
    }

    /** Tensors reachable from root through grad functions, root first, each before all of its inputs. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> post = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.gradFn();
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && seen.put(in, true) == null) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                post.add(t);
            }
        }
        java.util.Collections.reverse(post);
        return post;
    }
}
