package org.nnc.frontend.check;

import java.util.List;
import java.util.Map;
import org.nnc.frontend.ast.Expr;

/**
 * The parameter lists the checker binds calls with, for the code generator to bind the same way: layers,
 * the built-in functions, and the op table's operations.
 */
public final class Signatures {
    private Signatures() {}

    /** A call bound to parameter names; {@code rest} holds the arguments a trailing vararg collected. */
    public record Bound(Map<String, Expr> args, List<Expr> rest) {}

    /** The layer's parameters in order, or null when {@code kind} is not a layer. */
    public static List<String> layer(String kind) {
        Signature s = Layers.CONSTRUCTORS.get(kind);
        return s == null ? null : s.params();
    }

    public static boolean isLayer(String name) { return Layers.isLayer(name); }

    /**
     * The default of an optional layer parameter (1 or 0 for a Bool), null when it has none. The checker and
     * the code generator both read it, so a layer is checked with the values it is built with. A pool's
     * stride defaults to its kernel, which callers handle.
     */
    public static Long layerDefault(String param) { return Layers.defaultOf(param); }

    public static boolean isBuiltin(String name) { return Builtins.NAMES.contains(name); }

    public static boolean isActivation(String name) { return Builtins.ACTIVATIONS.contains(name); }

    public static boolean isLoss(String name) { return Builtins.LOSSES.contains(name); }

    /** Binds a call already accepted by the checker (so binding cannot fail) to a layer's or built-in's parameters. */
    public static Bound bind(String name, List<Expr.Arg> args) {
        Signature s = Layers.CONSTRUCTORS.get(name);
        if (s == null) s = signature(name, args);
        return bind(s, args);
    }

    /** Binds to the op table entry the checker chose for these arguments. */
    private static Signature signature(String name, List<Expr.Arg> args) {
        java.util.Map<String, Signature> sigs = builtinSigs();
        Signature s = sigs.get(name);
        if (s != null) return s;
        java.util.List<org.nnc.ops.OpDef> ops = org.nnc.ops.OpTable.lookup(name);
        boolean dim = args.size() > 1;
        for (org.nnc.ops.OpDef op : ops) {
            if (op.shapeRule() == org.nnc.ops.ShapeRule.REDUCE_DIM && dim) return Signature.ofOpTable(name, op.signature());
            if (op.shapeRule() == org.nnc.ops.ShapeRule.REDUCE_ALL && !dim) return Signature.ofOpTable(name, op.signature());
        }
        return Signature.ofOpTable(name, ops.get(0).signature());
    }

    private static java.util.Map<String, Signature> builtinSigs() { return Builtins.SIGS; }

    /** Binds to a user function's or model's parameter names. */
    public static Bound bind(List<String> params, List<Boolean> optional, List<Expr.Arg> args) {
        StringBuilder spec = new StringBuilder();
        for (int i = 0; i < params.size(); i++) spec.append(params.get(i)).append(optional.get(i) ? "?" : "").append(',');
        return bind(Signature.of("f", spec.toString()), args);
    }

    private static Bound bind(Signature s, List<Expr.Arg> args) {
        Signature.Bound b = s.bind(args, org.nnc.frontend.source.Span.NONE, d -> {
            throw new IllegalStateException("internal: a checked call does not bind: " + d.message());
        });
        java.util.Map<String, Expr> m = new java.util.LinkedHashMap<>();
        b.args().forEach((k, v) -> m.put(k, v.value()));
        return new Bound(m, b.rest().stream().map(Expr.Arg::value).toList());
    }
}
