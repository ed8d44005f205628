package org.nnc.frontend.source;

/**
 * Where a piece of source is: 1-based line and column of its first character, and of the character
 * just after its last one (so a one-character span has endCol = col + 1 on the same line).
 */
public record Span(int line, int col, int endLine, int endCol) {
    public static final Span NONE = new Span(0, 0, 0, 0);

    /** From the start of {@code a} to the end of {@code b}. */
    public static Span cover(Span a, Span b) {
        return new Span(a.line, a.col, b.endLine, b.endCol);
    }

    /** {@code line:col}, as notes cite places. */
    public String at() { return line + ":" + col; }
}
