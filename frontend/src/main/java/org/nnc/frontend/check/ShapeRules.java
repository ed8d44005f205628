package org.nnc.frontend.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nnc.frontend.types.DimExpr;
import org.nnc.frontend.types.SDim;
import org.nnc.frontend.types.Shape;

/**
 * The shape rules of tensor operations over symbolic shapes (LANGUAGE.md §5). Each compares dimensions
 * with {@link #compare}: equal normal forms agree; a difference that depends on a hyperparameter of a
 * model being checked generically is left undecided (it is decided again at each instantiation, with
 * concrete values); any other difference is a mismatch.
 */
final class ShapeRules {
    enum Verdict { EQUAL, UNEQUAL, UNKNOWN }

    private ShapeRules() {}

    static Verdict compare(DimExpr a, DimExpr b, Set<String> deferrable) {
        DimExpr d = a.minus(b);
        if (d.isConstant()) return d.value() == 0 ? Verdict.EQUAL : Verdict.UNEQUAL;
        if (d.neverZero()) return Verdict.UNEQUAL;
        for (String s : d.symbols()) if (deferrable.contains(s)) return Verdict.UNKNOWN;
        return Verdict.UNEQUAL;
    }

    static boolean isOne(SDim d) { return d.value().isConstant() && d.value().value() == 1; }

    /** {@code [*S, n]} style text of a shape with each dimension's arithmetic, for notes. */
    static String explain(Shape s) {
        List<String> parts = new ArrayList<>();
        for (SDim d : s.dims()) if (d.origin() != null && !d.origin().equals(d.value().toString())) parts.add(d.value() + " = " + d.origin());
        return String.join(", ", parts);
    }

    /** A note with the arithmetic behind a shape's dimensions, or null when there is none to show. */
    static String arithmetic(String what, Shape s) {
        String e = explain(s);
        return e.isEmpty() ? null : what + ": " + e;
    }

    // ------------------------------------------------------------------ element-wise

    static Outcome broadcast(Shape a, Shape b, Set<String> def) {
        if (a.unknown() || b.unknown()) return Outcome.ok(Shape.UNKNOWN);
        if (!java.util.Objects.equals(a.spread(), b.spread())) {
            if (a.spread() != null && b.spread() == null && b.rank() <= a.rank()) return broadcastTail(a, b, def);
            if (b.spread() != null && a.spread() == null && a.rank() <= b.rank()) return broadcastTail(b, a, def);
            return Outcome.ok(Shape.UNKNOWN);
        }
        return broadcastTail(a, b, def);
    }

    private static Outcome broadcastTail(Shape a, Shape b, Set<String> def) {
        int n = Math.max(a.rank(), b.rank());
        List<SDim> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int ia = i - (n - a.rank()), ib = i - (n - b.rank());
            SDim da = ia < 0 ? null : a.dims().get(ia), db = ib < 0 ? null : b.dims().get(ib);
            if (da == null) { out.add(db); continue; }
            if (db == null || isOne(db)) { out.add(da); continue; }
            if (isOne(da)) { out.add(db); continue; }
            if (compare(da.value(), db.value(), def) == Verdict.UNEQUAL) {
                return Outcome.fail(Problem.of("cannot broadcast " + a + " with " + b + ": dimension " + (i - n)
                        + " is " + da.explain() + " on the left and " + db.explain() + " on the right")
                        .note("broadcasting aligns shapes from the right; each pair of dimensions must be equal, or one of them 1"));
            }
            out.add(da);
        }
        return Outcome.ok(new Shape(a.spread(), out, false));
    }

    // ------------------------------------------------------------------ matmul

    static Outcome matmul(Shape a, Shape b, Set<String> def) {
        if (a.unknown() || b.unknown()) return Outcome.ok(Shape.UNKNOWN);
        if (a.rank() == 0 || b.rank() == 0) {
            return Outcome.fail("`@` needs tensors with at least one dimension, found " + a + " @ " + b);
        }
        boolean aVec = a.rank() == 1 && a.spread() == null, bVec = b.rank() == 1 && b.spread() == null;
        SDim k1 = a.dim(-1), k2 = bVec ? b.dim(0) : b.dim(-2);
        if (!bVec && b.rank() < 2) return Outcome.fail("`@` needs a matrix on the right, found " + b);
        if (compare(k1.value(), k2.value(), def) == Verdict.UNEQUAL) {
            Problem p = Problem.of("cannot multiply " + a + " by " + b + ": the left side has " + k1.explain()
                    + " columns but the right side has " + k2.explain() + " rows");
            if (!bVec && b.rank() >= 2 && compare(k1.value(), b.dim(-1).value(), def) == Verdict.EQUAL) {
                p = p.help("the right side has " + k1 + " columns: did you mean to transpose it, b.transpose(-1, -2)?");
            }
            return Outcome.fail(p);
        }
        List<SDim> batchA = aVec ? List.of() : a.dims().subList(0, a.rank() - 2);
        List<SDim> batchB = bVec ? List.of() : b.dims().subList(0, b.rank() - 2);
        Outcome batch = broadcast(new Shape(a.spread(), batchA, false), new Shape(b.spread(), batchB, false), def);
        if (batch.failed()) {
            return Outcome.fail(Problem.of("cannot multiply " + a + " by " + b + ": the batch dimensions do not broadcast")
                    .note(batch.problem().message()));
        }
        if (batch.shape().unknown()) return Outcome.ok(Shape.UNKNOWN);
        List<SDim> out = new ArrayList<>(batch.shape().dims());
        if (!aVec) out.add(a.dim(-2));
        if (!bVec) out.add(b.dim(-1));
        return Outcome.ok(new Shape(batch.shape().spread(), out, false));
    }

    // ------------------------------------------------------------------ reshaping

    /** {@code dims} entries are null where the user wrote -1. */
    static Outcome reshape(Shape x, List<SDim> dims, Set<String> def) {
        if (x.unknown()) return Outcome.ok(Shape.UNKNOWN);
        if (x.spread() != null) return Outcome.ok(Shape.UNKNOWN);
        int infer = -1;
        DimExpr known = DimExpr.of(1);
        for (int i = 0; i < dims.size(); i++) {
            if (dims.get(i) == null) {
                if (infer >= 0) return Outcome.fail("reshape can infer only one dimension, but -1 appears twice");
                infer = i;
            } else {
                known = known.times(dims.get(i).value());
            }
        }
        DimExpr total = numel(x);
        List<SDim> out = new ArrayList<>(dims);
        if (infer >= 0) {
            DimExpr q = total.floorDiv(known);
            if (q == null || compare(q.times(known), total, def) == Verdict.UNEQUAL) {
                return Outcome.fail(Problem.of("cannot reshape " + x + " (" + total + " elements) to " + shapeText(dims)
                        + ": " + total + " is not a multiple of " + known));
            }
            out.set(infer, new SDim(q, "(" + total + ") / (" + known + ")"));
        } else if (compare(known, total, def) == Verdict.UNEQUAL) {
            return Outcome.fail(Problem.of("cannot reshape " + x + " to " + shapeText(dims) + ": it has " + total
                    + " elements, the new shape " + known));
        }
        return Outcome.ok(Shape.of(out));
    }

    private static String shapeText(List<SDim> dims) {
        return "[" + String.join(", ", dims.stream().map(d -> d == null ? "-1" : d.toString()).toList()) + "]";
    }

    static DimExpr numel(Shape s) {
        DimExpr n = DimExpr.of(1);
        for (SDim d : s.dims()) n = n.times(d.value());
        return n;
    }

    static Outcome flatten(Shape x, int from, int to) {
        if (x.unknown() || x.spread() != null) return Outcome.ok(Shape.UNKNOWN);
        if (x.rank() == 0) return Outcome.ok(Shape.of(1));
        Integer f = wrap(from, x.rank()), t = wrap(to, x.rank());
        if (f == null || t == null) {
            return Outcome.fail("flatten range " + from + ".." + to + " is out of range for " + x + " (rank " + x.rank() + ")");
        }
        if (f > t) return Outcome.fail("flatten: start dimension " + from + " comes after end dimension " + to);
        List<SDim> out = new ArrayList<>(x.dims().subList(0, f));
        DimExpr p = DimExpr.of(1);
        List<String> factors = new ArrayList<>();
        for (int i = f; i <= t; i++) {
            p = p.times(x.dims().get(i).value());
            factors.add(x.dims().get(i).toString());
        }
        out.add(new SDim(p, String.join(" * ", factors)));
        out.addAll(x.dims().subList(t + 1, x.rank()));
        return Outcome.ok(Shape.of(out));
    }

    static Integer wrap(int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) return null;
        return dim < 0 ? dim + r : dim;
    }

    static Outcome dimOutOfRange(String op, int dim, Shape x) {
        return Outcome.fail(Problem.of(op + ": dimension " + dim + " is out of range for " + x + " (rank " + x.rank()
                + "; valid: " + (-Math.max(x.rank(), 1)) + " to " + (Math.max(x.rank(), 1) - 1) + ")"));
    }

    static Outcome reduce(String op, Shape x, int dim, boolean keep) {
        if (x.unknown() || x.spread() != null) return Outcome.ok(Shape.UNKNOWN);
        Integer d = wrap(dim, x.rank());
        if (d == null || x.rank() == 0) return dimOutOfRange(op, dim, x);
        List<SDim> out = new ArrayList<>(x.dims());
        if (keep) out.set(d, SDim.of(1));
        else out.remove((int) d);
        return Outcome.ok(Shape.of(out));
    }

    static Outcome transpose(Shape x, int i, int j) {
        if (x.unknown() || x.spread() != null) return Outcome.ok(Shape.UNKNOWN);
        Integer a = wrap(i, x.rank()), b = wrap(j, x.rank());
        if (a == null) return dimOutOfRange("transpose", i, x);
        if (b == null) return dimOutOfRange("transpose", j, x);
        List<SDim> out = new ArrayList<>(x.dims());
        out.set(a, x.dims().get(b));
        out.set(b, x.dims().get(a));
        return Outcome.ok(Shape.of(out));
    }

    static Outcome permute(Shape x, int[] perm) {
        if (x.unknown() || x.spread() != null) return Outcome.ok(Shape.UNKNOWN);
        if (perm.length != x.rank()) {
            return Outcome.fail("permute needs " + x.rank() + " dimensions for " + x + ", got " + perm.length);
        }
        boolean[] seen = new boolean[perm.length];
        List<SDim> out = new ArrayList<>();
        for (int p : perm) {
            Integer d = wrap(p, x.rank());
            if (d == null) return dimOutOfRange("permute", p, x);
            if (seen[d]) return Outcome.fail("permute: dimension " + p + " appears twice");
            seen[d] = true;
            out.add(x.dims().get(d));
        }
        return Outcome.ok(Shape.of(out));
    }

    static Outcome squeeze(Shape x, int dim) {
        if (x.unknown() || x.spread() != null) return Outcome.ok(Shape.UNKNOWN);
        Integer d = wrap(dim, x.rank());
        if (d == null) return dimOutOfRange("squeeze", dim, x);
        if (!isOne(x.dims().get(d))) return Outcome.ok(x);
        List<SDim> out = new ArrayList<>(x.dims());
        out.remove((int) d);
        return Outcome.ok(Shape.of(out));
    }

    static Outcome unsqueeze(Shape x, int dim) {
        if (x.unknown() || x.spread() != null) return Outcome.ok(Shape.UNKNOWN);
        Integer d = wrap(dim, x.rank() + 1);
        if (d == null) return dimOutOfRange("unsqueeze", dim, new Shape(null, x.dims(), false));
        List<SDim> out = new ArrayList<>(x.dims());
        out.add(d, SDim.of(1));
        return Outcome.ok(Shape.of(out));
    }

    static Outcome concat(List<Shape> parts, int dim, Set<String> def) {
        if (parts.isEmpty()) return Outcome.fail("concat needs at least one tensor");
        for (Shape s : parts) if (s.unknown() || s.spread() != null) return Outcome.ok(Shape.UNKNOWN);
        Shape first = parts.get(0);
        Integer d = wrap(dim, first.rank());
        if (d == null) return dimOutOfRange("concat", dim, first);
        List<SDim> out = new ArrayList<>(first.dims());
        DimExpr total = first.dims().get(d).value();
        List<String> sizes = new ArrayList<>(List.of(first.dims().get(d).toString()));
        for (int i = 1; i < parts.size(); i++) {
            Shape s = parts.get(i);
            if (s.rank() != first.rank()) {
                return Outcome.fail("concat: tensor " + i + " is " + s + " but tensor 0 is " + first + "; they need the same rank");
            }
            for (int k = 0; k < s.rank(); k++) {
                if (k == d) continue;
                if (compare(s.dims().get(k).value(), first.dims().get(k).value(), def) == Verdict.UNEQUAL) {
                    return Outcome.fail(Problem.of("concat along dimension " + dim + ": tensor " + i + " is " + s + " but tensor 0 is "
                            + first + "; dimension " + k + " differs (" + s.dims().get(k).explain() + " vs "
                            + first.dims().get(k).explain() + ")").note("all dimensions but the one joined must agree"));
                }
            }
            total = total.plus(s.dims().get(d).value());
            sizes.add(s.dims().get(d).toString());
        }
        out.set(d, new SDim(total, String.join(" + ", sizes)));
        return Outcome.ok(Shape.of(out));
    }

    static Outcome stack(List<Shape> parts, int dim, Set<String> def) {
        if (parts.isEmpty()) return Outcome.fail("stack needs at least one tensor");
        for (Shape s : parts) if (s.unknown() || s.spread() != null) return Outcome.ok(Shape.UNKNOWN);
        Shape first = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            Problem p = same(first, parts.get(i), def);
            if (p != null) {
                return Outcome.fail(Problem.of("stack: tensor " + i + " is " + parts.get(i) + " but tensor 0 is " + first
                        + "; stacked tensors need the same shape"));
            }
        }
        Integer d = wrap(dim, first.rank() + 1);
        if (d == null) return dimOutOfRange("stack", dim, first);
        List<SDim> out = new ArrayList<>(first.dims());
        out.add(d, SDim.of(parts.size()));
        return Outcome.ok(Shape.of(out));
    }

    // ------------------------------------------------------------------ comparing and unifying

    /** Null when {@code found} has the shape {@code expected} (up to undecided dimensions), else the per-dimension story. */
    static Problem same(Shape expected, Shape found, Set<String> def) {
        if (expected.unknown() || found.unknown()) return null;
        if (expected.spread() != null || found.spread() != null) {
            if (!java.util.Objects.equals(expected.spread(), found.spread()) || expected.rank() != found.rank()) return null;
        }
        if (expected.rank() != found.rank()) {
            return Problem.of("expected " + expected.rank() + " dimensions " + expected + ", found " + found.rank() + " " + found);
        }
        Problem p = null;
        for (int i = 0; i < expected.rank(); i++) {
            SDim e = expected.dims().get(i), f = found.dims().get(i);
            if (compare(e.value(), f.value(), def) == Verdict.UNEQUAL) {
                if (p == null) p = Problem.of("expected " + expected + ", found " + found);
                p = p.note("dimension " + i + ": expected " + e.explain() + ", found " + f.explain());
            }
        }
        return p;
    }

    /**
     * Matches an argument's shape against a parameter's written shape, binding the parameter's dimension
     * variables ({@code vars}) on first sight; null when it fits.
     */
    static Problem unify(Shape pattern, Shape actual, Set<String> vars, Map<String, DimExpr> bindings,
                         Map<String, Shape> spreads, Set<String> def) {
        if (pattern.unknown() || actual.unknown()) return null;
        List<SDim> tail = actual.dims();
        if (pattern.spread() != null) {
            if (actual.spread() == null && actual.rank() < pattern.rank()) {
                return Problem.of("expected at least " + pattern.rank() + " dimensions " + pattern + ", found " + actual);
            }
            int lead = Math.max(0, actual.rank() - pattern.rank());
            tail = actual.dims().subList(lead, actual.rank());
            Shape prefix = new Shape(actual.spread(), actual.dims().subList(0, lead), false);
            Shape bound = spreads.putIfAbsent(pattern.spread(), prefix);
            if (bound != null && same(bound, prefix, def) != null) {
                return Problem.of("`*" + pattern.spread() + "` stands for " + bound + " in an earlier argument, but for " + prefix + " here");
            }
        } else if (actual.spread() != null) {
            return null;
        } else if (actual.rank() != pattern.rank()) {
            return Problem.of("expected " + pattern.rank() + " dimensions " + pattern + ", found " + actual.rank() + " " + actual);
        }
        Problem p = null;
        int offset = actual.rank() - tail.size();
        for (int i = 0; i < pattern.rank(); i++) {
            DimExpr want = pattern.dims().get(i).value();
            SDim got = tail.get(i);
            String v = want.symbolName();
            if (v != null && vars.contains(v) && !bindings.containsKey(v)) {
                bindings.put(v, got.value());
                continue;
            }
            DimExpr w = want.substitute(bindings);
            if (compare(w, got.value(), def) == Verdict.UNEQUAL) {
                if (p == null) p = Problem.of("expected " + pattern.substitute(bindings) + ", found " + actual);
                p = p.note("dimension " + (i + offset) + ": expected " + new SDim(w, pattern.dims().get(i).toString()).explain()
                        + ", found " + got.explain());
            }
        }
        return p;
    }
}
