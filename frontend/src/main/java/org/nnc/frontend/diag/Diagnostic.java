package org.nnc.frontend.diag;

import java.util.List;
import org.nnc.frontend.source.Span;

/**
 * One message for the user: where, what, and the notes that explain it (where each shape came from, the
 * bindings in force, the arithmetic per dimension), with a {@code help} line when a fix is likely.
 *
 * @param code a short stable category: syntax, name, type, arity, shape, data, …
 */
public record Diagnostic(Severity severity, String code, String message, Span span, List<String> notes, String help) {

    public static Diagnostic error(String code, Span span, String message) {
        return new Diagnostic(Severity.ERROR, code, message, span, List.of(), null);
    }

    public Diagnostic withNote(String note) {
        List<String> n = new java.util.ArrayList<>(notes);
        n.add(note);
        return new Diagnostic(severity, code, message, span, List.copyOf(n), help);
    }

    public Diagnostic withHelp(String text) {
        return new Diagnostic(severity, code, message, span, notes, text);
    }
}
