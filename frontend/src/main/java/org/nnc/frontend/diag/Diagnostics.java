package org.nnc.frontend.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.nnc.frontend.source.SourceFile;

/** Collects what every phase reports about one file, in source order when read back. */
public final class Diagnostics {
    private final SourceFile source;
    private final List<Diagnostic> items = new ArrayList<>();

    public Diagnostics(SourceFile source) { this.source = source; }

    public SourceFile source() { return source; }

    public void report(Diagnostic d) { items.add(d); }

    public boolean hasErrors() {
        return items.stream().anyMatch(d -> d.severity() == Severity.ERROR);
    }

    public int errorCount() {
        return (int) items.stream().filter(d -> d.severity() == Severity.ERROR).count();
    }

    /** Sorted by position; reports at the same place keep the order they were made in. */
    public List<Diagnostic> all() {
        List<Diagnostic> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingInt((Diagnostic d) -> d.span().line()).thenComparingInt(d -> d.span().col()));
        return sorted;
    }
}
