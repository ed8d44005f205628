package org.nnc.frontend.diag;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nnc.io.Json;
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
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("file", file);
        o.put("line", s.line());
        o.put("column", s.col());
        o.put("endLine", s.endLine());
        o.put("endColumn", s.endCol());
        o.put("severity", d.severity().toString());
        o.put("code", d.code());
        o.put("message", d.message());
        o.put("notes", d.notes());
        o.put("help", d.help());
        return Json.write(o);
    }
}
