package org.nnc.frontend.types;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A tensor dimension as an integer polynomial over symbols (hyperparameters, dimension variables), in a
 * normal form: a sum of distinct monomials with non-zero coefficients, each monomial a sorted product of
 * atoms. Floor division is exact when every coefficient divides; otherwise the quotient is kept as an
 * opaque atom {@code ⌊num / den⌋} over normalized operands. Two dimensions are equal when their normal
 * forms are, which is what makes {@code channels * 4 * 4} and {@code 16 * channels} the same.
 */
public final class DimExpr {
    /** A factor of a monomial: a symbol, or a floor division that did not simplify. */
    sealed interface Atom extends Comparable<Atom> permits Sym, Div {
        String key();

        default int compareTo(Atom o) { return key().compareTo(o.key()); }
    }

    record Sym(String name) implements Atom {
        public String key() { return name; }
    }

    record Div(DimExpr num, DimExpr den) implements Atom {
        public String key() { return "⌊" + num.key() + "/" + den.key() + "⌋"; }
    }

    /** A product of atoms (empty for the constant term), compared by its canonical key. */
    record Mono(List<Atom> factors) implements Comparable<Mono> {
        String key() {
            StringBuilder sb = new StringBuilder();
            for (Atom a : factors) sb.append(a.key()).append('·');
            return sb.toString();
        }

        public int compareTo(Mono o) {
            int c = Integer.compare(o.factors.size(), factors.size());
            return c != 0 ? c : key().compareTo(o.key());
        }

        Mono times(Mono o) {
            List<Atom> f = new ArrayList<>(factors);
            f.addAll(o.factors);
            Collections.sort(f);
            return new Mono(List.copyOf(f));
        }
    }

    private static final Mono ONE = new Mono(List.of());
    private final TreeMap<Mono, Long> terms;

    private DimExpr(TreeMap<Mono, Long> terms) {
        terms.values().removeIf(c -> c == 0);
        this.terms = terms;
    }

    public static DimExpr of(long value) {
        TreeMap<Mono, Long> t = new TreeMap<>();
        t.put(ONE, value);
        return new DimExpr(t);
    }

    public static DimExpr sym(String name) {
        TreeMap<Mono, Long> t = new TreeMap<>();
        t.put(new Mono(List.of(new Sym(name))), 1L);
        return new DimExpr(t);
    }

    public boolean isConstant() { return terms.isEmpty() || (terms.size() == 1 && terms.containsKey(ONE)); }

    /** The value of a constant dimension; check {@link #isConstant()} first. */
    public long value() { return terms.getOrDefault(ONE, 0L); }

    /** The symbol when this is exactly one symbol, else null. */
    public String symbolName() {
        if (terms.size() != 1) return null;
        Map.Entry<Mono, Long> e = terms.firstEntry();
        if (e.getValue() != 1 || e.getKey().factors.size() != 1) return null;
        return e.getKey().factors.get(0) instanceof Sym s ? s.name() : null;
    }

    public DimExpr plus(DimExpr o) {
        TreeMap<Mono, Long> t = new TreeMap<>(terms);
        o.terms.forEach((m, c) -> t.merge(m, c, Long::sum));
        return new DimExpr(t);
    }

    public DimExpr negate() {
        TreeMap<Mono, Long> t = new TreeMap<>();
        terms.forEach((m, c) -> t.put(m, -c));
        return new DimExpr(t);
    }

    public DimExpr minus(DimExpr o) { return plus(o.negate()); }

    public DimExpr times(DimExpr o) {
        TreeMap<Mono, Long> t = new TreeMap<>();
        terms.forEach((m1, c1) -> o.terms.forEach((m2, c2) -> t.merge(m1.times(m2), c1 * c2, Long::sum)));
        return new DimExpr(t);
    }

    /**
     * Integer floor division. Null when the divisor is the constant 0 (the caller reports it).
     */
    public DimExpr floorDiv(DimExpr d) {
        if (d.isConstant()) {
            long c = d.value();
            if (c == 0) return null;
            if (isConstant()) return of(Math.floorDiv(value(), c));
            if (terms.values().stream().allMatch(v -> v % c == 0)) {
                TreeMap<Mono, Long> t = new TreeMap<>();
                terms.forEach((m, v) -> t.put(m, v / c));
                return new DimExpr(t);
            }
            if (c == 1) return this;
        } else if (equals(d)) {
            return of(1);
        } else if (d.terms.size() == 1) {
            DimExpr q = divideByMonomial(d.terms.firstKey(), d.terms.firstEntry().getValue());
            if (q != null) return q;
        }
        TreeMap<Mono, Long> t = new TreeMap<>();
        t.put(new Mono(List.of(new Div(this, d))), 1L);
        return new DimExpr(t);
    }

    /**
     * True when this cannot be zero for any positive values of its symbols: a polynomial in plain symbols
     * whose coefficients all have the same sign (dimensions and hyperparameters are at least 1).
     */
    public boolean neverZero() {
        if (terms.isEmpty()) return false;
        boolean pos = true, neg = true;
        for (Map.Entry<Mono, Long> e : terms.entrySet()) {
            for (Atom a : e.getKey().factors) if (!(a instanceof Sym)) return false;
            pos &= e.getValue() > 0;
            neg &= e.getValue() < 0;
        }
        return pos || neg;
    }

    /** This divided exactly by {@code coef · mono}, or null when some term does not divide. */
    private DimExpr divideByMonomial(Mono mono, long coef) {
        TreeMap<Mono, Long> t = new TreeMap<>();
        for (Map.Entry<Mono, Long> e : terms.entrySet()) {
            if (e.getValue() % coef != 0) return null;
            List<Atom> rest = new ArrayList<>(e.getKey().factors);
            for (Atom a : mono.factors) if (!rest.remove(a)) return null;
            t.merge(new Mono(List.copyOf(rest)), e.getValue() / coef, Long::sum);
        }
        return new DimExpr(t);
    }

    /** Replaces symbols by dimensions (hyperparameters by the values of an instantiation, say). */
    public DimExpr substitute(Map<String, DimExpr> bindings) {
        DimExpr sum = of(0);
        for (Map.Entry<Mono, Long> e : terms.entrySet()) {
            DimExpr prod = of(e.getValue());
            for (Atom a : e.getKey().factors) {
                DimExpr f = switch (a) {
                    case Sym s -> bindings.getOrDefault(s.name(), sym(s.name()));
                    case Div dv -> {
                        DimExpr q = dv.num().substitute(bindings).floorDiv(dv.den().substitute(bindings));
                        yield q == null ? sym(a.key()) : q;
                    }
                };
                prod = prod.times(f);
            }
            sum = sum.plus(prod);
        }
        return sum;
    }

    /** The symbols this dimension depends on. */
    public Set<String> symbols() {
        Set<String> out = new TreeSet<>();
        for (Mono m : terms.keySet()) {
            for (Atom a : m.factors) {
                switch (a) {
                    case Sym s -> out.add(s.name());
                    case Div d -> {
                        out.addAll(d.num().symbols());
                        out.addAll(d.den().symbols());
                    }
                }
            }
        }
        return out;
    }

    String key() {
        StringBuilder sb = new StringBuilder();
        terms.forEach((m, c) -> sb.append(c).append('*').append(m.key()).append('+'));
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) { return o instanceof DimExpr d && key().equals(d.key()); }

    @Override
    public int hashCode() { return Objects.hash(key()); }

    /** As a user would write it: {@code 16 * channels + 1}, {@code (H - 1) / 2 + 1}. */
    @Override
    public String toString() {
        if (terms.isEmpty()) return "0";
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Map.Entry<Mono, Long> e : terms.entrySet()) {
            long c = e.getValue();
            List<Atom> f = e.getKey().factors;
            long mag = Math.abs(c);
            String body = f.size() == 1 && mag == 1 && f.get(0) instanceof Div d
                    ? wrap(d.num()) + " / " + wrap(d.den())
                    : f.stream().map(DimExpr::show).reduce((a, b) -> a + " * " + b).orElse("");
            String term = f.isEmpty() ? String.valueOf(mag) : (mag == 1 ? body : mag + " * " + body);
            if (first) {
                sb.append(c < 0 ? "-" : "").append(term);
            } else {
                sb.append(c < 0 ? " - " : " + ").append(term);
            }
            first = false;
        }
        return sb.toString();
    }

    private static String show(Atom a) {
        return switch (a) {
            case Sym s -> s.name();
            case Div d -> "(" + wrap(d.num()) + " / " + wrap(d.den()) + ")";
        };
    }

    private static String wrap(DimExpr e) {
        String s = e.toString();
        return e.terms.size() > 1 ? "(" + s + ")" : s;
    }
}
