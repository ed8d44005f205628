package org.nnc.frontend.types;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tensor shape: its dimensions, optionally preceded by a spread variable {@code *S} standing for any
 * number of leading dimensions. {@code unknown} marks a shape the checker could not infer (after an
 * error, or from a value it cannot see into); nothing is reported against it, so one error never
 * cascades into others.
 */
public record Shape(String spread, List<SDim> dims, boolean unknown) {
    public static final Shape UNKNOWN = new Shape(null, List.of(), true);

    public static Shape of(List<SDim> dims) { return new Shape(null, List.copyOf(dims), false); }

    public static Shape of(long... dims) {
        List<SDim> l = new ArrayList<>();
        for (long d : dims) l.add(SDim.of(d));
        return of(l);
    }

    public int rank() { return dims.size(); }

    public SDim dim(int i) { return dims.get(i < 0 ? dims.size() + i : i); }

    public Shape withDims(List<SDim> newDims) { return new Shape(spread, List.copyOf(newDims), unknown); }

    public Shape substitute(Map<String, DimExpr> bindings) {
        if (unknown) return this;
        List<SDim> out = new ArrayList<>();
        for (SDim d : dims) out.add(new SDim(d.value().substitute(bindings), d.origin()));
        return new Shape(spread, out, false);
    }

    /** {@code [B, 128]}, {@code [*S, 10]}, {@code []} for a scalar. */
    @Override
    public String toString() {
        if (unknown) return "[?]";
        List<String> parts = new ArrayList<>();
        if (spread != null) parts.add("*" + spread);
        for (SDim d : dims) parts.add(d.toString());
        return "[" + String.join(", ", parts) + "]";
    }
}
