package org.nnc.frontend.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.diag.Diagnostic;
import org.nnc.frontend.source.Span;
import org.nnc.frontend.types.DimExpr;
import org.nnc.frontend.types.SDim;
import org.nnc.frontend.types.Shape;
import org.nnc.frontend.types.Type;
import org.nnc.ops.OpDef;
import org.nnc.ops.OpTable;
import org.nnc.ops.ShapeRule;

/**
 * The built-in functions of LANGUAGE.md §6–§9 other than layers. Tensor operations take their
 * parameters and shape rule from the runtime's {@link OpTable}; the rest (activations, losses, data,
 * optimizers, training helpers) are listed here.
 */
final class Builtins {
    static final Map<String, Signature> SIGS = new LinkedHashMap<>();
    static final Set<String> ACTIVATIONS = Set.of("relu", "sigmoid", "tanh", "gelu", "silu", "elu", "leakyRelu", "softmax", "logSoftmax");
    static final Set<String> LOSSES = Set.of("crossEntropy", "nll", "mse", "l1", "bce", "bceWithLogits");
    /** Functions that may be passed as values (a train block's {@code loss}). */
    static final Set<String> FUNCTION_VALUES;
    /** Every built-in name, for lookups and suggestions. */
    static final Set<String> NAMES;

    static {
        for (String a : List.of("relu", "sigmoid", "tanh", "gelu", "silu")) sig(a, "x");
        sig("elu", "x, alpha?");
        sig("leakyRelu", "x, slope?");
        sig("softmax", "x, dim?");
        sig("logSoftmax", "x, dim?");
        sig("dropout", "x, p?");
        sig("maxPool2d", "x, kernel, stride?, padding?");
        sig("avgPool2d", "x, kernel, stride?, padding?");
        sig("crossEntropy", "logits, target, labelSmoothing?, ignoreIndex?");
        sig("nll", "logProbs, target, ignoreIndex?");
        for (String l : List.of("mse", "l1")) sig(l, "input, target");
        sig("bce", "probs, target");
        sig("bceWithLogits", "logits, target");
        sig("csv", "path, target?, features?, shape?, scale?, normalize?, missing?");
        sig("idx", "images, labels, shape?, scale?");
        sig("npy", "features, labels, shape?, scale?");
        sig("split", "fraction");
        sig("DataLoader", "dataset, batchSize?, shuffle?, dropLast?, workers?, seed?");
        sig("SGD", "params?, lr?, momentum?, dampening?, nesterov?, weightDecay?");
        sig("Adam", "params?, lr?, betas?, eps?, weightDecay?");
        sig("AdamW", "params?, lr?, betas?, eps?, weightDecay?");
        sig("RMSprop", "params?, lr?, alpha?, eps?, momentum?, centered?, weightDecay?");
        sig("Adagrad", "params?, lr?, eps?, weightDecay?");
        sig("StepLR", "optimizer?, stepSize, gamma?");
        sig("CosineAnnealingLR", "optimizer?, tMax, etaMin?");
        sig("println", "values...");
        sig("print", "values...");
        sig("listOf", "items...");
        sig("List", "size");
        sig("noGrad", "");
        sig("save", "model, path");
        sig("load", "model, path");
        sig("manualSeed", "seed");
        for (String f : List.of("zeros", "ones", "rand", "randn")) sig(f, "dims...");
        sig("item", "x");
        sig("backward", "x, gradient?");
        sig("detach", "x");
        sig("t", "x");
        sig("numel", "x");
        sig("size", "x, dim");
        for (OpDef op : OpTable.all()) {
            if (op.operator() == null || op.name().equals("matmul") || op.name().equals("slice") || op.name().equals("select")) {
                SIGS.putIfAbsent(op.name(), null);
            }
        }
        Set<String> fv = new TreeSet<>(ACTIVATIONS);
        fv.addAll(LOSSES);
        FUNCTION_VALUES = Set.copyOf(fv);
        NAMES = Set.copyOf(SIGS.keySet());
    }

    private static void sig(String name, String spec) { SIGS.put(name, Signature.of(name, spec)); }

    private final ExprChecker x;

    Builtins(ExprChecker x) { this.x = x; }

    // ================================================================== layers

    /** {@code Linear(784, 10)}: a layer whose integer arguments become its dimensions. */
    Type layer(String kind, Expr.Call call, Env env) {
        Signature sig = Layers.CONSTRUCTORS.get(kind);
        Map<Expr.Arg, Type> types = evaluate(call.args(), env);
        if (call.trailing() != null) x.lambda(call.trailing(), env);
        Signature.Bound b = sig.bind(call.args(), call.span(), env.report);
        if (b == null) return Type.UNKNOWN;
        Map<String, DimExpr> dims = new LinkedHashMap<>();
        List<Type> children = new ArrayList<>();
        boolean ok = true;
        for (String p : sig.params()) {
            if (kind.equals("Sequential")) break;
            Expr.Arg a = b.get(p);
            if (a == null) continue;
            Type t = types.get(a);
            if (t instanceof Type.UnknownT) {
                ok = false;
                continue;
            }
            if (Layers.FLOAT_PARAMS.contains(p)) {
                if (!ExprChecker.isNumber(t)) ok &= wrongArg(kind, p, "Float", t, a, env);
            } else if (Layers.BOOL_PARAMS.contains(p)) {
                if (!(t instanceof Type.BoolT)) ok &= wrongArg(kind, p, "Bool", t, a, env);
                else dims.put(p, DimExpr.of(a.value() instanceof Expr.BoolLit bl && !bl.value() ? 0 : 1));
            } else if (t instanceof Type.IntT i) {
                DimExpr v = i.value() == null ? DimExpr.sym("?" + p) : i.value();
                if (v.isConstant() && v.value() < (p.equals("padding") ? 0 : 1)) {
                    env.report.error(Diagnostic.error("shape", a.value().span(), kind + "'s `" + p + "` must be "
                            + (p.equals("padding") ? "at least 0" : "positive") + ", found " + v.value()));
                    ok = false;
                }
                dims.put(p, v);
            } else {
                ok &= wrongArg(kind, p, "Int", t, a, env);
            }
        }
        if (kind.equals("Sequential")) {
            for (Expr.Arg a : b.rest()) {
                Type t = types.get(a);
                if (!(t instanceof Type.LayerT) && !(t instanceof Type.UnknownT) && !(t instanceof Type.ModelT)) {
                    env.report.error(Diagnostic.error("type", a.value().span(), "Sequential takes layers, found " + t.show()));
                    ok = false;
                }
                children.add(t);
            }
        }
        if (!ok) return Type.UNKNOWN;
        return new Type.LayerT(kind, Layers.withDefaults(kind, dims), children, x.c.src.text(call.span()), call.span());
    }

    private boolean wrongArg(String fn, String p, String want, Type got, Expr.Arg a, Env env) {
        env.report.error(Diagnostic.error("type", a.value().span(), fn + "'s `" + p + "` is " + want + ", found " + got.show()));
        return false;
    }

    private Map<Expr.Arg, Type> evaluate(List<Expr.Arg> args, Env env) {
        Map<Expr.Arg, Type> out = new HashMap<>();
        for (Expr.Arg a : args) out.put(a, x.expr(a.value(), env));
        return out;
    }

    // ================================================================== functions

    /** A call of a built-in function; {@code receiver} is the target of the method form {@code x.f(…)}. */
    Type call(String name, Expr.Call call, Expr.Arg receiver, Env env) {
        List<Expr.Arg> args = new ArrayList<>();
        if (receiver != null) args.add(receiver);
        args.addAll(call.args());
        Map<Expr.Arg, Type> types = evaluate(args, env);
        Signature sig = signature(name, args, types);
        if (sig == null) {
            if (call.trailing() != null) x.lambda(call.trailing(), env);
            Type t = receiver == null ? null : types.get(receiver);
            List<String> known = new ArrayList<>(SIGS.keySet());
            env.report.error(Diagnostic.error("name", call.callee() instanceof Expr.Member m ? m.nameSpan() : call.callee().span(),
                    (t == null ? "unknown function `" + name + "`" : t.show() + " has no method `" + name + "`")
                            + Suggest.hint(name, known)));
            return Type.UNKNOWN;
        }
        Signature.Bound b = sig.bind(args, call.span(), env.report);
        if (b == null) {
            if (call.trailing() != null) x.lambda(call.trailing(), env);
            return Type.UNKNOWN;
        }
        Call k = new Call(name, call, b, types, env);
        if (SIGS.get(name) == null) return op(k);
        return special(k);
    }

    private static Signature signature(String name, List<Expr.Arg> args, Map<Expr.Arg, Type> types) {
        if (!SIGS.containsKey(name)) return null;
        Signature s = SIGS.get(name);
        if (s != null) return s;
        OpDef op = overload(name, args, types);
        return Signature.ofOpTable(name, op.signature());
    }

    /** Picks the op table entry for a call: the reducing form when a dimension is given, a tensor or scalar exponent. */
    private static OpDef overload(String name, List<Expr.Arg> args, Map<Expr.Arg, Type> types) {
        List<OpDef> ops = OpTable.lookup(name);
        for (OpDef op : ops) {
            if (op.shapeRule() == ShapeRule.REDUCE_DIM && (args.size() > 1)) return op;
            if (op.shapeRule() == ShapeRule.REDUCE_ALL && args.size() <= 1) return op;
            if (name.equals("pow") && args.size() > 1) {
                boolean tensorExp = types.get(args.get(1)) instanceof Type.TensorT;
                if (tensorExp == (op.shapeRule() == ShapeRule.BROADCAST)) return op;
            }
        }
        return ops.get(0);
    }

    /** A call being checked: its bound arguments and their types. */
    private record Call(String name, Expr.Call call, Signature.Bound b, Map<Expr.Arg, Type> types, Env env) {
        Type type(String p) { return b.has(p) ? types.get(b.get(p)) : null; }

        Expr expr(String p) { return b.has(p) ? b.get(p).value() : null; }

        Span span(String p) { return b.has(p) ? b.get(p).value().span() : call.span(); }

        boolean unknown() {
            for (Type t : types.values()) if (t instanceof Type.UnknownT) return true;
            return false;
        }

        void error(Span at, String message) { error("type", at, message); }

        void error(String code, Span at, String message) { env.report.error(Diagnostic.error(code, at, message)); }
    }

    /** The tensor argument {@code p}, or null after reporting what it is instead. */
    private Type.TensorT tensor(Call k, String p) {
        Type t = k.type(p);
        if (t instanceof Type.TensorT tt) return tt;
        if (t != null && !(t instanceof Type.UnknownT)) k.error(k.span(p), k.name() + "'s `" + p + "` must be a tensor, found " + t.show());
        return null;
    }

    /** A constant Int argument (a dimension index), or the default. */
    private Integer constInt(Call k, String p, Integer dflt) {
        Type t = k.type(p);
        if (t == null) return dflt;
        if (t instanceof Type.IntT i && i.value() != null && i.value().isConstant()) return (int) i.value().value();
        if (!(t instanceof Type.UnknownT)) k.error(k.span(p), k.name() + "'s `" + p + "` must be a constant Int, found " + t.show());
        return null;
    }

    private Type shaped(Call k, Type.Elem elem, Outcome o, Expr operand, Type operandType) {
        if (o.failed()) {
            Diagnostic d = x.diag("shape", k.call().span(), o.problem().message(), o.problem());
            if (operand != null) d = x.noteOperand(d, operand, operandType, k.env());
            k.env().report.error(d);
            return Type.UNKNOWN;
        }
        return new Type.TensorT(elem, o.shape());
    }

    private Type op(Call k) {
        OpDef op = overload(k.name(), new ArrayList<>(k.b().args().values()), k.types());
        String first = Signature.ofOpTable(k.name(), op.signature()).params().get(0);
        if (op.shapeRule() == ShapeRule.CONCAT || op.shapeRule() == ShapeRule.STACK) return joinOp(k, op.shapeRule(), first);
        if (k.unknown()) return Type.UNKNOWN;
        if (op.shapeRule() == ShapeRule.SAME && ExprChecker.isNumber(k.type(first))) return Type.FLOAT;
        Type.TensorT t = tensor(k, first);
        if (t == null) return Type.UNKNOWN;
        Expr te = k.expr(first);
        Set<String> def = k.env().deferrable;
        return switch (op.shapeRule()) {
            case SAME -> {
                if (k.name().equals("maskedFill")) {
                    Type.TensorT m = tensor(k, "mask");
                    if (m == null) yield Type.UNKNOWN;
                    if (m.elem() != Type.Elem.BOOL) k.error(k.span("mask"), "maskedFill's mask must be a Tensor<Bool>, found " + m.show());
                    Outcome o = ShapeRules.broadcast(t.shape(), m.shape(), def);
                    if (o.failed()) yield shaped(k, t.elem(), o, te, t);
                }
                yield t;
            }
            case BROADCAST, COMPARE -> {
                Type.TensorT u = tensor(k, Signature.ofOpTable(k.name(), op.signature()).params().get(1));
                if (u == null) yield Type.UNKNOWN;
                yield shaped(k, op.shapeRule() == ShapeRule.COMPARE ? Type.Elem.BOOL : t.elem(),
                        ShapeRules.broadcast(t.shape(), u.shape(), def), te, t);
            }
            case WHERE -> {
                Type.TensorT a = tensor(k, "a"), b2 = tensor(k, "b");
                if (a == null || b2 == null) yield Type.UNKNOWN;
                if (t.elem() != Type.Elem.BOOL) k.error(k.span("cond"), "where's condition must be a Tensor<Bool>, found " + t.show());
                Outcome ab = ShapeRules.broadcast(a.shape(), b2.shape(), def);
                if (ab.failed()) yield shaped(k, a.elem(), ab, null, null);
                yield shaped(k, a.elem(), ShapeRules.broadcast(t.shape(), ab.shape(), def), te, t);
            }
            case REDUCE_ALL -> new Type.TensorT(k.name().equals("argmax") ? Type.Elem.INT : t.elem(), Shape.of());
            case REDUCE_DIM -> {
                Integer dim = constInt(k, "dim", null);
                Boolean keep = k.type("keep") == null ? Boolean.FALSE : k.expr("keep") instanceof Expr.BoolLit bl ? bl.value() : null;
                if (dim == null || keep == null) yield new Type.TensorT(t.elem(), Shape.UNKNOWN);
                yield shaped(k, k.name().equals("argmax") ? Type.Elem.INT : t.elem(), ShapeRules.reduce(k.name(), t.shape(), dim, keep), te, t);
            }
            case MATMUL -> {
                Type.TensorT u = tensor(k, "b");
                yield u == null ? Type.UNKNOWN : x.matmulTensors(t, u, k.call().span(), k.env(), te, k.expr("b"));
            }
            case RESHAPE -> {
                List<SDim> dims = new ArrayList<>();
                for (Expr.Arg a : dimArgs(k)) {
                    Type dt = x.expr(a.value(), k.env().withReporter(d -> { }));
                    if (!(dt instanceof Type.IntT i)) {
                        k.error(a.value().span(), k.name() + " takes Int dimensions, found " + dt.show());
                        yield Type.UNKNOWN;
                    }
                    boolean minusOne = i.value() != null && i.value().isConstant() && i.value().value() == -1;
                    dims.add(minusOne ? null : SDim.of(i.value() == null ? DimExpr.sym("?") : i.value()));
                }
                yield shaped(k, t.elem(), ShapeRules.reshape(t.shape(), dims, def), te, t);
            }
            case FLATTEN -> {
                Integer from = constInt(k, "from", 1), to = constInt(k, "to", -1);
                yield from == null || to == null ? Type.UNKNOWN : shaped(k, t.elem(), ShapeRules.flatten(t.shape(), from, to), te, t);
            }
            case TRANSPOSE -> {
                Integer i = constInt(k, "i", null), j = constInt(k, "j", null);
                yield i == null || j == null ? Type.UNKNOWN : shaped(k, t.elem(), ShapeRules.transpose(t.shape(), i, j), te, t);
            }
            case PERMUTE -> {
                List<Expr.Arg> rest = dimArgs(k);
                int[] perm = new int[rest.size()];
                for (int i = 0; i < perm.length; i++) {
                    Type dt = k.types().get(rest.get(i));
                    if (!(dt instanceof Type.IntT it) || it.value() == null || !it.value().isConstant()) {
                        k.error(rest.get(i).value().span(), "permute takes constant Int dimensions");
                        yield Type.UNKNOWN;
                    }
                    perm[i] = (int) it.value().value();
                }
                yield shaped(k, t.elem(), ShapeRules.permute(t.shape(), perm), te, t);
            }
            case SQUEEZE, UNSQUEEZE -> {
                Integer dim = constInt(k, "dim", null);
                if (dim == null) yield Type.UNKNOWN;
                yield shaped(k, t.elem(), op.shapeRule() == ShapeRule.SQUEEZE ? ShapeRules.squeeze(t.shape(), dim)
                        : ShapeRules.unsqueeze(t.shape(), dim), te, t);
            }
            case EXPAND -> {
                List<SDim> dims = new ArrayList<>();
                List<Expr.Arg> rest = dimArgs(k);
                int lead = rest.size() - t.shape().rank();
                for (int i = 0; i < rest.size(); i++) {
                    Type dt = k.types().get(rest.get(i));
                    DimExpr v = dt instanceof Type.IntT it ? it.value() : null;
                    boolean keep = v != null && v.isConstant() && v.value() == -1 && i >= lead && !t.shape().unknown();
                    dims.add(keep ? t.shape().dims().get(i - lead) : SDim.of(v == null ? DimExpr.sym("?") : v));
                }
                Outcome o = ShapeRules.broadcast(t.shape(), Shape.of(dims), def);
                if (!o.failed() && !o.shape().unknown() && o.shape().rank() == dims.size()) yield new Type.TensorT(t.elem(), Shape.of(dims));
                yield shaped(k, t.elem(), o, te, t);
            }
            case GATHER -> {
                Type.TensorT i = tensor(k, "index");
                if (i == null) yield Type.UNKNOWN;
                if (i.elem() != Type.Elem.INT) k.error(k.span("index"), "gather's index must be a Tensor<Int>, found " + i.show());
                if (!i.shape().unknown() && !t.shape().unknown() && i.shape().rank() != t.shape().rank()) {
                    k.error(k.span("index"), "gather's index must have the input's rank " + t.shape().rank() + ", found " + i.show());
                }
                yield new Type.TensorT(t.elem(), i.shape());
            }
            case INDEX_SELECT -> {
                Type.TensorT i = tensor(k, "index");
                Integer dim = constInt(k, "dim", null);
                if (i == null || dim == null) yield Type.UNKNOWN;
                if (i.elem() != Type.Elem.INT || (!i.shape().unknown() && i.shape().rank() != 1)) {
                    k.error(k.span("index"), "indexSelect's index must be a 1-D Tensor<Int>, found " + i.show());
                    yield Type.UNKNOWN;
                }
                if (t.shape().unknown() || i.shape().unknown()) yield new Type.TensorT(t.elem(), Shape.UNKNOWN);
                Integer d = ShapeRules.wrap(dim, t.shape().rank());
                if (d == null) yield shaped(k, t.elem(), ShapeRules.dimOutOfRange("indexSelect", dim, t.shape()), te, t);
                List<SDim> out = new ArrayList<>(t.shape().dims());
                out.set(d, i.shape().dims().get(0));
                yield new Type.TensorT(t.elem(), Shape.of(out));
            }
            default -> new Type.TensorT(t.elem(), Shape.UNKNOWN);
        };
    }

    /** The dimension arguments of reshape/permute/expand: the rest, or one list literal. */
    private static List<Expr.Arg> dimArgs(Call k) {
        List<Expr.Arg> rest = k.b().rest();
        if (rest.size() == 1 && rest.get(0).value() instanceof Expr.ListLit l) {
            return l.items().stream().map(e -> new Expr.Arg(null, null, e, e.span())).toList();
        }
        return rest;
    }

    private Type joinOp(Call k, ShapeRule rule, String first) {
        Expr list = k.expr(first);
        List<Expr> items = listItems(list);
        Integer dim = constInt(k, "dim", 0);
        if (items == null || dim == null || k.unknown()) return Type.UNKNOWN;
        List<Shape> shapes = new ArrayList<>();
        Type.Elem elem = Type.Elem.FLOAT;
        for (Expr e : items) {
            Type t = x.expr(e, k.env().withReporter(d -> { }));
            if (!(t instanceof Type.TensorT tt)) {
                if (!(t instanceof Type.UnknownT)) k.error(e.span(), k.name() + " joins tensors, found " + t.show());
                return Type.UNKNOWN;
            }
            shapes.add(tt.shape());
            elem = tt.elem();
        }
        Outcome o = rule == ShapeRule.CONCAT ? ShapeRules.concat(shapes, dim, k.env().deferrable)
                : ShapeRules.stack(shapes, dim, k.env().deferrable);
        return shaped(k, elem, o, null, null);
    }

    /** The items of {@code listOf(a, b)} or {@code [a, b]}, or null for another kind of list. */
    private static List<Expr> listItems(Expr e) {
        if (e instanceof Expr.ListLit l) return l.items();
        if (e instanceof Expr.Call c && c.callee() instanceof Expr.Name n && n.name().equals("listOf")) {
            return c.args().stream().map(Expr.Arg::value).toList();
        }
        return null;
    }

    private Type special(Call k) {
        String n = k.name();
        Env env = k.env();
        if (ACTIVATIONS.contains(n)) {
            Type.TensorT t = tensor(k, "x");
            if (t == null) return Type.UNKNOWN;
            if ((n.equals("softmax") || n.equals("logSoftmax")) && k.b().has("dim")) {
                Integer dim = constInt(k, "dim", -1);
                if (dim != null && !t.shape().unknown() && ShapeRules.wrap(dim, t.shape().rank()) == null) {
                    return shaped(k, t.elem(), ShapeRules.dimOutOfRange(n, dim, t.shape()), k.expr("x"), t);
                }
            }
            return t;
        }
        if (LOSSES.contains(n)) return loss(k);
        switch (n) {
            case "dropout": {
                Type.TensorT t = tensor(k, "x");
                return t == null ? Type.UNKNOWN : t;
            }
            case "maxPool2d", "avgPool2d": {
                Type.TensorT t = tensor(k, "x");
                if (t == null) return Type.UNKNOWN;
                Map<String, DimExpr> dims = new LinkedHashMap<>();
                for (String p : List.of("kernel", "stride", "padding")) {
                    Type a = k.type(p);
                    if (a == null) continue;
                    if (!(a instanceof Type.IntT i)) {
                        k.error(k.span(p), n + "'s `" + p + "` is Int, found " + a.show());
                        return Type.UNKNOWN;
                    }
                    dims.put(p, i.value() == null ? DimExpr.sym("?" + p) : i.value());
                }
                String kind = n.equals("maxPool2d") ? "MaxPool2d" : "AvgPool2d";
                Type.LayerT l = new Type.LayerT(kind, Layers.withDefaults(kind, dims), List.of(), null, null);
                Outcome o = Layers.apply(l, t, env.deferrable);
                return shaped(k, t.elem(), o, k.expr("x"), t);
            }
            case "csv", "idx", "npy":
                return new DataProbe(x.c, k.call(), k.b(), k.types(), env).probe(n);
            case "split": {
                Type f = k.type("fraction");
                if (!ExprChecker.isNumber(f) && !(f instanceof Type.UnknownT)) k.error(k.span("fraction"), "split takes a Float fraction, found " + f.show());
                return new Type.RuntimeT("Split");
            }
            case "DataLoader": {
                Type d = k.type("dataset");
                if (d instanceof Type.DatasetT ds) return new Type.LoaderT(ds);
                if (!(d instanceof Type.UnknownT)) k.error(k.span("dataset"), "DataLoader takes a data set (csv, idx, npy), found " + d.show());
                return Type.UNKNOWN;
            }
            case "SGD", "Adam", "AdamW", "RMSprop", "Adagrad": {
                Type p = k.type("params");
                if (p != null && !(p instanceof Type.UnknownT) && !(p instanceof Type.RuntimeT r && r.name().equals("Parameters"))) {
                    k.error(k.span("params"), n + " takes the parameters to train first (model.parameters()), found " + p.show()
                            + (ExprChecker.isNumber(p) ? "; write lr = " + x.c.src.text(k.span("params")) : ""));
                }
                return new Type.RuntimeT("Optimizer");
            }
            case "StepLR", "CosineAnnealingLR":
                return new Type.RuntimeT("Scheduler");
            case "println", "print", "manualSeed", "save", "load":
                return Type.UNIT;
            case "listOf": {
                Type elem = k.b().rest().isEmpty() ? Type.UNKNOWN : k.types().get(k.b().rest().get(0));
                return new Type.ListT(elem, DimExpr.of(k.b().rest().size()));
            }
            case "List": {
                Type size = k.type("size");
                if (k.call().trailing() == null) {
                    k.error(k.call().span(), "List(n) needs a block that makes each element: List(" + x.c.src.text(k.span("size")) + ") { … }");
                    return Type.UNKNOWN;
                }
                Type elem = x.lambda(k.call().trailing(), env);
                return new Type.ListT(elem, size instanceof Type.IntT i ? i.value() : null);
            }
            case "noGrad": {
                if (k.call().trailing() == null) {
                    k.error(k.call().span(), "noGrad needs a block: noGrad { … }");
                    return Type.UNIT;
                }
                return x.lambda(k.call().trailing(), env);
            }
            case "zeros", "ones", "rand", "randn": {
                List<SDim> dims = new ArrayList<>();
                for (Expr.Arg a : dimArgs(k)) {
                    Type t = k.types().get(a);
                    if (!(t instanceof Type.IntT i)) {
                        k.error(a.value().span(), n + " takes Int dimensions, found " + t.show());
                        return Type.UNKNOWN;
                    }
                    dims.add(SDim.of(i.value() == null ? DimExpr.sym("?") : i.value()));
                }
                return new Type.TensorT(Type.Elem.FLOAT, Shape.of(dims));
            }
            case "item", "backward": {
                Type.TensorT t = tensor(k, "x");
                if (t == null || t.shape().unknown() || k.b().has("gradient")) return n.equals("item") ? Type.FLOAT : Type.UNIT;
                DimExpr count = ShapeRules.numel(t.shape());
                if (t.shape().spread() != null || !(count.isConstant() && count.value() == 1)) {
                    k.error("shape", k.call().span(), n + "() needs a tensor with one element, found " + t.show()
                            + (n.equals("backward") ? "; reduce it first (sum or mean), or pass a gradient" : ""));
                }
                return n.equals("item") ? Type.FLOAT : Type.UNIT;
            }
            case "detach": {
                Type.TensorT t = tensor(k, "x");
                return t == null ? Type.UNKNOWN : t;
            }
            case "t": {
                Type.TensorT t = tensor(k, "x");
                if (t == null) return Type.UNKNOWN;
                if (!t.shape().unknown() && t.shape().rank() != 2) {
                    k.error(k.call().span(), "t() transposes a matrix, found " + t.show() + "; use transpose(i, j)");
                    return Type.UNKNOWN;
                }
                return shaped(k, t.elem(), ShapeRules.transpose(t.shape(), 0, 1), null, null);
            }
            case "numel": {
                Type.TensorT t = tensor(k, "x");
                return new Type.IntT(t == null || t.shape().unknown() ? null : ShapeRules.numel(t.shape()));
            }
            case "size": {
                Type.TensorT t = tensor(k, "x");
                Integer dim = constInt(k, "dim", null);
                if (t == null || dim == null || t.shape().unknown()) return new Type.IntT(null);
                Integer d = ShapeRules.wrap(dim, t.shape().rank());
                if (d == null) {
                    shaped(k, t.elem(), ShapeRules.dimOutOfRange("size", dim, t.shape()), null, null);
                    return new Type.IntT(null);
                }
                return new Type.IntT(t.shape().dims().get(d).value());
            }
            default:
                return Type.UNKNOWN;
        }
    }

    /** Losses: cross-entropy and NLL take [B, C] logits and Tensor<Int>[B] classes; the others two same-shaped tensors. */
    private Type loss(Call k) {
        String n = k.name();
        List<String> ps = SIGS.get(n).params();
        Type.TensorT a = tensor(k, ps.get(0)), b = tensor(k, ps.get(1));
        if (a == null || b == null) return Type.UNKNOWN;
        Set<String> def = k.env().deferrable;
        if (n.equals("crossEntropy") || n.equals("nll")) {
            if (a.shape().unknown() || b.shape().unknown()) return scalar();
            if (a.shape().rank() != 2) {
                k.error("shape", k.span(ps.get(0)), n + " expects " + ps.get(0) + " of shape [B, C], found " + a.show());
                return Type.UNKNOWN;
            }
            if (b.elem() == Type.Elem.INT) {
                if (b.shape().rank() != 1 || ShapeRules.compare(b.shape().dims().get(0).value(), a.shape().dims().get(0).value(), def)
                        == ShapeRules.Verdict.UNEQUAL) {
                    k.env().report.error(Diagnostic.error("shape", k.call().span(), n + " expects class indices Tensor<Int>["
                            + a.shape().dims().get(0) + "] for logits " + a.show() + ", found " + b.show()));
                    return Type.UNKNOWN;
                }
            } else {
                Problem p = ShapeRules.same(a.shape(), b.shape(), def);
                if (p != null) {
                    k.env().report.error(x.diag("shape", k.call().span(), n + " expects class indices Tensor<Int>[B] or probabilities "
                            + a.show() + ", found " + b.show(), p));
                    return Type.UNKNOWN;
                }
            }
            return scalar();
        }
        if (b.elem() != Type.Elem.FLOAT && a.elem() == Type.Elem.FLOAT && !n.equals("mse") && !n.equals("l1")) {
            k.error(k.span(ps.get(1)), n + "'s target must be a float tensor, found " + b.show());
        }
        Problem p = ShapeRules.same(a.shape(), b.shape(), def);
        if (p != null) {
            Diagnostic d = x.diag("shape", k.call().span(), n + " compares tensors of the same shape, found " + a.shape() + " and "
                    + b.shape(), p);
            if (a.shape().rank() == b.shape().rank() + 1 && ShapeRules.isOne(a.shape().dim(-1))) {
                d = d.withHelp("squeeze the prediction, " + x.c.src.text(k.span(ps.get(0))) + ".squeeze(-1), or unsqueeze the target");
            }
            k.env().report.error(d);
            return Type.UNKNOWN;
        }
        return scalar();
    }

    private static Type scalar() { return new Type.TensorT(Type.Elem.FLOAT, Shape.of()); }
}
