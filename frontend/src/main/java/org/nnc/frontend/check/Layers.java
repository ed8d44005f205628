package org.nnc.frontend.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nnc.frontend.types.DimExpr;
import org.nnc.frontend.types.SDim;
import org.nnc.frontend.types.Shape;
import org.nnc.frontend.types.Type;

/**
 * The built-in layers of LANGUAGE.md §6: their constructor parameters (PyTorch's, with PyTorch's
 * defaults), the shape each maps its input to, and their parameter counts for summaries.
 */
final class Layers {
    /** Constructor signatures; the integer parameters among them become the layer's dimensions. */
    static final Map<String, Signature> CONSTRUCTORS = new LinkedHashMap<>();
    /** Defaults of optional integer parameters (stride of a pool defaults to its kernel, handled below). */
    private static final Map<String, Long> DEFAULTS = Map.of("stride", 1L, "padding", 0L, "dilation", 1L,
            "layers", 1L, "count", 1L, "bias", 1L, "from", 1L);
    /** Parameters that take a Float, not an Int. */
    static final Set<String> FLOAT_PARAMS = Set.of("p");
    static final Set<String> BOOL_PARAMS = Set.of("bias");

    static {
        sig("Linear", "in, out, bias?");
        sig("Conv2d", "inCh, outCh, kernel, stride?, padding?, dilation?, bias?");
        sig("MaxPool2d", "kernel, stride?, padding?");
        sig("AvgPool2d", "kernel, stride?, padding?");
        sig("LSTM", "input, hidden, layers?");
        sig("GRU", "input, hidden, layers?");
        sig("Embedding", "count, dim");
        sig("BatchNorm1d", "n");
        sig("BatchNorm2d", "c");
        sig("LayerNorm", "n");
        sig("Dropout", "p");
        sig("PReLU", "count?");
        sig("Flatten", "from?");
        sig("Sequential", "layers...");
    }

    private Layers() {}

    private static void sig(String name, String spec) { CONSTRUCTORS.put(name, Signature.of(name, spec)); }

    static boolean isLayer(String name) { return CONSTRUCTORS.containsKey(name); }

    static Long defaultOf(String param) { return DEFAULTS.get(param); }

    /**
     * The layer with its values, as a summary shows it: required arguments positionally, the others by
     * name where they differ from the default ({@code Conv2d(1, 16, kernel = 3, padding = 1)}).
     */
    static String describe(Type.LayerT layer) {
        if (layer.kind().equals("Sequential")) return "Sequential(" + layer.children().size() + " layers)";
        Signature sig = CONSTRUCTORS.get(layer.kind());
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < sig.params().size(); i++) {
            String p = sig.params().get(i);
            DimExpr v = layer.args().get(p);
            if (v == null) continue;
            boolean positional = sig.required().get(i) && !p.equals("kernel");
            if (positional) {
                parts.add(v.toString());
                continue;
            }
            boolean isDefault = p.equals("stride") && layer.kind().endsWith("Pool2d") ? v.equals(layer.args().get("kernel"))
                    : DEFAULTS.containsKey(p) && v.isConstant() && v.value() == DEFAULTS.get(p);
            if (p.equals("kernel") && layer.kind().endsWith("Pool2d")) parts.add(v.toString());
            else if (!isDefault) parts.add(p + " = " + (BOOL_PARAMS.contains(p) ? (v.value() != 0) : v));
        }
        return layer.kind() + "(" + String.join(", ", parts) + ")";
    }

    /** Fills defaults into a layer's dimension arguments. */
    static Map<String, DimExpr> withDefaults(String kind, Map<String, DimExpr> given) {
        Map<String, DimExpr> out = new LinkedHashMap<>(given);
        for (String p : CONSTRUCTORS.get(kind).params()) {
            if (out.containsKey(p) || FLOAT_PARAMS.contains(p) || p.equals("layers") && kind.equals("Sequential")) continue;
            if (p.equals("stride") && kind.endsWith("Pool2d")) {
                out.put("stride", out.get("kernel"));
            } else if (DEFAULTS.containsKey(p)) {
                out.put(p, DimExpr.of(DEFAULTS.get(p)));
            }
        }
        return out;
    }

    private static String need(String kind, String what, Shape x) {
        return kind + " expects " + what + ", found " + x;
    }

    /** The output of applying {@code layer} to a tensor of shape {@code x}. */
    static Outcome apply(Type.LayerT layer, Type.TensorT input, Set<String> def) {
        Shape x = input.shape();
        Map<String, DimExpr> a = layer.args();
        String kind = layer.kind();
        if (kind.equals("Embedding")) {
            if (input.elem() != Type.Elem.INT) {
                return Outcome.fail(Problem.of("Embedding expects integer indices (Tensor<Int>), found " + input.show()));
            }
            if (x.unknown()) return Outcome.ok(Shape.UNKNOWN);
            List<SDim> out = new ArrayList<>(x.dims());
            out.add(SDim.of(a.get("dim")));
            return Outcome.ok(new Shape(x.spread(), out, false));
        }
        if (x.unknown()) return Outcome.ok(Shape.UNKNOWN);
        return switch (kind) {
            case "Linear" -> {
                if (x.rank() == 0) yield Outcome.fail(need(kind, "at least one dimension", x));
                SDim last = x.dim(-1);
                if (ShapeRules.compare(last.value(), a.get("in"), def) == ShapeRules.Verdict.UNEQUAL) {
                    yield Outcome.fail(Problem.of("Linear expects last dimension " + a.get("in") + ", found " + last.explain())
                            .help("Linear(" + last.value() + ", " + a.get("out") + ") would accept this input"));
                }
                yield Outcome.ok(x.withDims(replaceLast(x.dims(), SDim.of(a.get("out")))));
            }
            case "Conv2d" -> {
                if (x.rank() != 4 || x.spread() != null) yield Outcome.fail(need(kind, "a 4-D input [B, C, H, W]", x));
                SDim c = x.dims().get(1);
                if (ShapeRules.compare(c.value(), a.get("inCh"), def) == ShapeRules.Verdict.UNEQUAL) {
                    yield Outcome.fail(Problem.of("Conv2d expects " + a.get("inCh") + " input channels, found " + c.explain())
                            .help("Conv2d(" + c.value() + ", " + a.get("outCh") + ", …) would accept this input"));
                }
                yield spatial(kind, x, SDim.of(a.get("outCh")), a, true);
            }
            case "MaxPool2d", "AvgPool2d" -> {
                if (x.rank() != 4 || x.spread() != null) yield Outcome.fail(need(kind, "a 4-D input [B, C, H, W]", x));
                yield spatial(kind, x, x.dims().get(1), a, false);
            }
            case "LSTM", "GRU" -> {
                if (x.rank() != 3 || x.spread() != null) yield Outcome.fail(need(kind, "a 3-D input [B, T, features] (batch first)", x));
                SDim f = x.dim(-1);
                if (ShapeRules.compare(f.value(), a.get("input"), def) == ShapeRules.Verdict.UNEQUAL) {
                    yield Outcome.fail(Problem.of(kind + " expects " + a.get("input") + " input features, found " + f.explain())
                            .help(kind + "(" + f.value() + ", " + a.get("hidden") + ") would accept this input"));
                }
                yield Outcome.ok(x.withDims(replaceLast(x.dims(), SDim.of(a.get("hidden")))));
            }
            case "BatchNorm1d" -> {
                if ((x.rank() != 2 && x.rank() != 3) || x.spread() != null) {
                    yield Outcome.fail(need(kind, "a 2-D [B, n] or 3-D [B, n, L] input", x));
                }
                yield channel(kind, x, a.get("n"), 1, def);
            }
            case "BatchNorm2d" -> {
                if (x.rank() != 4 || x.spread() != null) yield Outcome.fail(need(kind, "a 4-D input [B, C, H, W]", x));
                yield channel(kind, x, a.get("c"), 1, def);
            }
            case "LayerNorm" -> {
                if (x.rank() == 0) yield Outcome.fail(need(kind, "at least one dimension", x));
                yield channel(kind, x, a.get("n"), x.rank() - 1, def);
            }
            case "PReLU" -> {
                DimExpr n = a.get("count");
                if (!(n.isConstant() && n.value() == 1) && x.rank() >= 2) yield channel(kind, x, n, 1, def);
                yield Outcome.ok(x);
            }
            case "Dropout" -> Outcome.ok(x);
            case "Flatten" -> ShapeRules.flatten(x, (int) a.get("from").value(), -1);
            case "Sequential" -> {
                Shape cur = x;
                for (int i = 0; i < layer.children().size(); i++) {
                    Type child = layer.children().get(i);
                    if (!(child instanceof Type.LayerT l)) { cur = Shape.UNKNOWN; continue; }
                    Outcome o = apply(l, new Type.TensorT(input.elem(), cur), def);
                    if (o.failed()) {
                        yield Outcome.fail(new Problem("in Sequential, layer " + i + " (" + l.show() + "): " + o.problem().message(),
                                o.problem().notes(), o.problem().help()));
                    }
                    cur = o.shape();
                }
                yield Outcome.ok(cur);
            }
            default -> Outcome.ok(Shape.UNKNOWN);
        };
    }

    private static Outcome channel(String kind, Shape x, DimExpr n, int dim, Set<String> def) {
        SDim c = x.dims().get(dim);
        if (ShapeRules.compare(c.value(), n, def) == ShapeRules.Verdict.UNEQUAL) {
            return Outcome.fail(Problem.of(kind + " expects " + n + " features in dimension " + dim + ", found " + c.explain())
                    .help(kind + "(" + c.value() + ") would accept this input"));
        }
        return Outcome.ok(x);
    }

    private static List<SDim> replaceLast(List<SDim> dims, SDim last) {
        List<SDim> out = new ArrayList<>(dims);
        out.set(out.size() - 1, last);
        return out;
    }

    /** Height and width through a convolution or pooling window: (H + 2p - d(k - 1) - 1) / s + 1. */
    private static Outcome spatial(String kind, Shape x, SDim channels, Map<String, DimExpr> a, boolean conv) {
        DimExpr k = a.get("kernel"), s = a.get("stride"), p = a.get("padding");
        DimExpr d = conv ? a.get("dilation") : DimExpr.of(1);
        List<SDim> out = new ArrayList<>(List.of(x.dims().get(0), channels));
        for (int i = 2; i < 4; i++) {
            SDim h = x.dims().get(i);
            DimExpr span = d.times(k.minus(DimExpr.of(1))).plus(DimExpr.of(1));
            DimExpr num = h.value().plus(p.times(DimExpr.of(2))).minus(span);
            DimExpr q = num.floorDiv(s);
            if (q == null) return Outcome.fail(kind + " has stride 0");
            DimExpr o = q.plus(DimExpr.of(1));
            String inner = h.value() + (isZero(p) ? "" : " + 2 * " + p) + " - " + (isOne(d) ? k.toString() : d + " * (" + k + " - 1) - 1");
            String origin = isOne(s) ? inner + " + 1" : "(" + inner + ") / " + s + " + 1";
            if (o.isConstant() && o.value() < 1) {
                return Outcome.fail(Problem.of(kind + " leaves no output: " + (i == 2 ? "height" : "width") + " " + h.explain()
                        + " is smaller than the window " + span + (isZero(p) ? "" : " even with padding " + p))
                        .note("output size = " + origin + " = " + o));
            }
            out.add(new SDim(o, origin));
        }
        return Outcome.ok(Shape.of(out));
    }

    private static boolean isOne(DimExpr e) { return e.isConstant() && e.value() == 1; }

    private static boolean isZero(DimExpr e) { return e.isConstant() && e.value() == 0; }

    /** Trainable parameter count as PyTorch counts it, or null when a size is not a constant. */
    static Long paramCount(Type.LayerT layer) {
        Map<String, DimExpr> a = layer.args();
        try {
            return switch (layer.kind()) {
                case "Linear" -> v(a, "in") * v(a, "out") + (v(a, "bias") != 0 ? v(a, "out") : 0);
                case "Conv2d" -> v(a, "outCh") * v(a, "inCh") * v(a, "kernel") * v(a, "kernel") + (v(a, "bias") != 0 ? v(a, "outCh") : 0);
                case "LSTM", "GRU" -> {
                    long gates = layer.kind().equals("LSTM") ? 4 : 3;
                    long h = v(a, "hidden"), in = v(a, "input"), total = 0;
                    for (long l = 0; l < v(a, "layers"); l++) total += gates * h * ((l == 0 ? in : h) + h) + 2 * gates * h;
                    yield total;
                }
                case "Embedding" -> v(a, "count") * v(a, "dim");
                case "BatchNorm1d" -> 2 * v(a, "n");
                case "BatchNorm2d" -> 2 * v(a, "c");
                case "LayerNorm" -> 2 * v(a, "n");
                case "PReLU" -> v(a, "count");
                case "Sequential" -> {
                    long t = 0;
                    for (Type c : layer.children()) {
                        Long n = c instanceof Type.LayerT l ? paramCount(l) : null;
                        if (n == null) yield null;
                        t += n;
                    }
                    yield t;
                }
                default -> 0L;
            };
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static long v(Map<String, DimExpr> a, String key) {
        DimExpr e = a.get(key);
        if (e == null || !e.isConstant()) throw new ArithmeticException("not constant");
        return e.value();
    }
}
