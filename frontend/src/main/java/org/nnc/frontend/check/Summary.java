package org.nnc.frontend.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code nnc check --shapes} prints: every layer applied in a forward pass, with its input and
 * output shapes and parameter count, like torchinfo's summary.
 */
public final class Summary {
    /** One applied layer (or sub-model, or shape-changing function). */
    public record Row(String name, String layer, String input, String output, Long params, int depth) {}

    private final List<Row> rows = new ArrayList<>();
    private int depth;

    void add(String name, String layer, String input, String output, Long params) {
        rows.add(new Row(name, layer, input, output, params, depth));
    }

    void enter() { depth++; }

    void exit() { depth--; }

    public List<Row> rows() { return rows; }

    /** The table, with total parameters counted once per layer declaration. */
    public String render(String title, long totalParams) {
        int w0 = "layer".length(), w1 = "type".length(), w2 = "input".length(), w3 = "output".length();
        for (Row r : rows) {
            w0 = Math.max(w0, r.name().length() + 2 * r.depth());
            w1 = Math.max(w1, r.layer().length());
            w2 = Math.max(w2, r.input().length());
            w3 = Math.max(w3, r.output().length());
        }
        String fmt = "%-" + w0 + "s  %-" + w1 + "s  %-" + w2 + "s  %-" + w3 + "s  %s%n";
        StringBuilder sb = new StringBuilder(title).append('\n');
        sb.append(String.format(Locale.ROOT, fmt, "layer", "type", "input", "output", "params"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, "  ".repeat(r.depth()) + r.name(), r.layer(), r.input(), r.output(),
                    r.params() == null ? "-" : String.format(Locale.ROOT, "%,d", r.params())));
        }
        sb.append(String.format(Locale.ROOT, "total parameters: %,d%n", totalParams));
        return sb.toString();
    }
}
