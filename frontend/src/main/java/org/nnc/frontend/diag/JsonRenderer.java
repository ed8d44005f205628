package org.nnc.frontend.diag;

import java.util.List;
import org.nnc.frontend.source.Span;

/** The same diagnostics as JSON lines, one object per diagnostic, for editors and tools. */
public final class JsonRenderer {
    private JsonRenderer() {}

    public static String render(Diagnostics diags) {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : diags.all()) sb.append(render(diags.source().name(), d)).append('\n');
        return sb.toString();
    }

    public static String render(String file, Diagnostic d) {
        Span s = d.span();
        StringBuilder sb = new StringBuilder("{");
        field(sb, "file", file).append(',');
        sb.append("\"line\":").append(s.line()).append(",\"column\":").append(s.col())
                .append(",\"endLine\":").append(s.endLine()).append(",\"endColumn\":").append(s.endCol()).append(',');
        field(sb, "severity", d.severity().toString()).append(',');
        field(sb, "code", d.code()).append(',');
        field(sb, "message", d.message()).append(',');
        sb.append("\"notes\":");
        list(sb, d.notes());
        sb.append(",\"help\":");
        if (d.help() == null) sb.append("null");
        else string(sb, d.help());
        return sb.append('}').toString();
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        string(sb, name);
        sb.append(':');
        string(sb, value);
        return sb;
    }

    private static void list(StringBuilder sb, List<String> values) {
        sb.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) sb.append(',');
            string(sb, values.get(i));
        }
        sb.append(']');
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
