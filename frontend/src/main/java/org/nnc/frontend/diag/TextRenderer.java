package org.nnc.frontend.diag;

import org.nnc.frontend.source.SourceFile;
import org.nnc.frontend.source.Span;

/**
 * Renders diagnostics as LANGUAGE.md §11 shows: {@code file:line:col: severity[code]: message}, the
 * source line with a caret span under the offending text, then {@code = note:} and {@code = help:} lines.
 */
public final class TextRenderer {
    private static final int TAB = 4;

    private TextRenderer() {}

    public static String render(Diagnostics diags) {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : diags.all()) sb.append(render(diags.source(), d)).append('\n');
        int errors = diags.errorCount();
        if (errors > 0) {
            sb.append(errors == 1 ? "1 error" : errors + " errors").append(" in ").append(diags.source().name()).append('\n');
        }
        return sb.toString();
    }

    public static String render(SourceFile src, Diagnostic d) {
        Span s = d.span();
        StringBuilder sb = new StringBuilder();
        sb.append(src.name()).append(':').append(s.line()).append(':').append(s.col()).append(": ")
                .append(d.severity()).append('[').append(d.code()).append("]: ").append(d.message()).append('\n');
        String gutter = " ".repeat(String.valueOf(s.line()).length() + 1);
        if (s.line() > 0) {
            String raw = src.line(s.line());
            String shown = expandTabs(raw);
            int from = visualColumn(raw, s.col() - 1);
            int to = s.endLine() == s.line() ? visualColumn(raw, s.endCol() - 1) : shown.length();
            int width = Math.max(1, to - from);
            sb.append(gutter).append("|\n");
            sb.append(s.line()).append(" | ").append(shown).append('\n');
            sb.append(gutter).append("| ").append(" ".repeat(from)).append("^".repeat(width)).append('\n');
        }
        for (String note : d.notes()) sb.append(gutter).append("= note: ").append(note).append('\n');
        if (d.help() != null) sb.append(gutter).append("= help: ").append(d.help()).append('\n');
        return sb.toString();
    }

    private static String expandTabs(String line) {
        StringBuilder sb = new StringBuilder();
        for (char c : line.toCharArray()) {
            if (c == '\t') sb.append(" ".repeat(TAB - sb.length() % TAB));
            else sb.append(c);
        }
        return sb.toString();
    }

    /** The display column of character index {@code i}, counting tabs as they are expanded. */
    private static int visualColumn(String line, int i) {
        int col = 0;
        for (int k = 0; k < Math.min(i, line.length()); k++) col += line.charAt(k) == '\t' ? TAB - col % TAB : 1;
        return col + Math.max(0, i - line.length());
    }
}
