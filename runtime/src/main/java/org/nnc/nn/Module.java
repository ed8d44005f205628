package org.nnc.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.nnc.autograd.GradMode;
import org.nnc.tensor.Device;
import org.nnc.tensor.Shape;
import org.nnc.tensor.Tensor;

/**
 * The base of every layer and model, as PyTorch's nn.Module: named parameters, buffers and sub-modules,
 * registered in order, so that {@link #stateDict()} has PyTorch's keys ({@code fc1.weight},
 * {@code blocks.0.fc.bias}, {@code bn.running_mean}) in PyTorch's order, and weights move both ways.
 * Compiled models extend it and register their {@code val}s under their source names.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The computation; most modules map one tensor to one tensor. */
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no forward(Tensor)");
    }

    /**
     * relu(forward(x)); layers whose product can take the ReLU in its epilogue (Linear, Conv2d) override it.
     * Compiled models call it for {@code relu(layer(x))}.
     */
    public Tensor forwardRelu(Tensor x) { return Functional.relu(forward(x)); }

    /** Registers a trainable tensor (it is made to require gradients); null registers nothing, like bias = False. */
    protected Tensor registerParameter(String name, Tensor t) {
        if (t != null) parameters.put(name, t.requiresGrad(true));
        return t;
    }

    /** Registers state that is saved and loaded but not trained (BatchNorm's running statistics). */
    protected Tensor registerBuffer(String name, Tensor t) {
        buffers.put(name, t);
        return t;
    }

    /** Replaces a buffer's tensor (a buffer updated out of place keeps its name). */
    protected void setBuffer(String name, Tensor t) {
        if (!buffers.containsKey(name)) throw new IllegalArgumentException("no buffer " + name);
        buffers.put(name, t);
    }

    protected Tensor buffer(String name) { return buffers.get(name); }

    public <M extends Module> M registerModule(String name, M m) {
        children.put(name, m);
        return m;
    }

    public Map<String, Module> children() { return java.util.Collections.unmodifiableMap(children); }

    /** Every parameter, this module's first, then each child's, as PyTorch's parameters(). */
    public List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false);
        return out;
    }

    /** Parameters and buffers by dotted name: exactly the keys of PyTorch's state_dict for the same architecture. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withBuffers) {
        parameters.forEach((k, v) -> out.put(prefix + k, v));
        if (withBuffers) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, withBuffers));
    }

    /**
     * Copies tensors into this module's parameters and buffers. With {@code strict}, any missing,
     * unexpected or wrong-shaped key is an error that lists them all, and nothing is changed.
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> mine = stateDict();
        TreeSet<String> missing = new TreeSet<>(), unexpected = new TreeSet<>();
        List<String> wrongShape = new ArrayList<>();
        for (String k : mine.keySet()) if (!state.containsKey(k)) missing.add(k);
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor own = mine.get(e.getKey());
            if (own == null) {
                unexpected.add(e.getKey());
            } else if (!java.util.Arrays.equals(own.shape(), e.getValue().shape())) {
                wrongShape.add(e.getKey() + ": the model has " + Shape.str(own.shape()) + ", the file " + Shape.str(e.getValue().shape()));
            }
        }
        if (!wrongShape.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            StringBuilder sb = new StringBuilder("the state does not fit " + getClass().getSimpleName() + ":");
            if (!missing.isEmpty()) sb.append("\n  missing keys: ").append(String.join(", ", missing));
            if (!unexpected.isEmpty()) sb.append("\n  unexpected keys: ").append(String.join(", ", unexpected));
            for (String w : wrongShape) sb.append("\n  wrong shape for ").append(w);
            throw new IllegalArgumentException(sb.toString());
        }
        GradMode.noGrad(() -> {
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                Tensor own = mine.get(e.getKey());
                if (own != null) own.copy_(e.getValue());
            }
        });
    }

    public void loadStateDict(Map<String, Tensor> state) { loadStateDict(state, true); }

    /** Training mode (dropout active, batch statistics) for this module and all below it. */
    public Module train() { return setTraining(true); }

    /** Evaluation mode: dropout off, running statistics. */
    public Module eval() { return setTraining(false); }

    private Module setTraining(boolean on) {
        training = on;
        for (Module m : children.values()) m.setTraining(on);
        return this;
    }

    public boolean isTraining() { return training; }

    /** Forgets every parameter's gradient. */
    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    /** Moves parameters and buffers to a device in place, so fields that hold them see the move. */
    public Module to(Device device) {
        for (Tensor t : stateDict().values()) t.moveTo(device);
        return this;
    }

    /** Where this module's parameters live (the CPU for a module without any). */
    public Device device() {
        Device d = firstDevice();
        return d == null ? Device.CPU : d;
    }

    private Device firstDevice() {
        for (Tensor t : parameters.values()) return t.device();
        for (Tensor t : buffers.values()) return t.device();
        for (Module m : children.values()) {
            Device d = m.firstDevice();
            if (d != null) return d;
        }
        return null;
    }

    /** The part inside the parentheses of this module's repr, e.g. {@code in_features=784, out_features=10, bias=True}. */
    protected String extraRepr() { return ""; }

    /** PyTorch's module repr: the class, its settings, and its children indented. */
    @Override
    public String toString() {
        String name = getClass().getSimpleName();
        if (children.isEmpty()) return name + "(" + extraRepr() + ")";
        StringBuilder sb = new StringBuilder(name).append("(");
        if (!extraRepr().isEmpty()) sb.append("\n  ").append(extraRepr());
        for (Map.Entry<String, Module> e : children.entrySet()) {
            sb.append("\n  (").append(e.getKey()).append("): ").append(e.getValue().toString().replace("\n", "\n  "));
        }
        return sb.append("\n)").toString();
    }

    static String bool(boolean b) { return b ? "True" : "False"; }
}
