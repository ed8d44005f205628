package org.nnc.frontend.check;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nnc.frontend.source.Span;
import org.nnc.frontend.types.Type;

/** Nested lexical scopes of locals, parameters and members. */
final class Scope {
    /**
     * A name in scope: its type, where it was defined, what produced it (for notes such as
     * "h is Tensor[B, 128], from fc1 at 11:17"), and whether it may be reassigned.
     */
    record Local(String name, Type type, Span span, String from, boolean mutable) {}

    private final Scope parent;
    private final Map<String, Local> names = new LinkedHashMap<>();

    Scope(Scope parent) { this.parent = parent; }

    Scope child() { return new Scope(this); }

    Local lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Local l = s.names.get(name);
            if (l != null) return l;
        }
        return null;
    }

    /** The local of this very scope, not of enclosing ones. */
    Local own(String name) { return names.get(name); }

    void define(Local l) { names.put(l.name(), l); }

    void update(String name, Type type) {
        for (Scope s = this; s != null; s = s.parent) {
            Local l = s.names.get(name);
            if (l != null) {
                s.names.put(name, new Local(name, type, l.span(), l.from(), l.mutable()));
                return;
            }
        }
    }

    /** The locals of this very scope, in definition order. */
    java.util.Collection<Local> ownLocals() { return names.values(); }

    Set<String> allNames() {
        Set<String> out = new TreeSet<>();
        for (Scope s = this; s != null; s = s.parent) out.addAll(s.names.keySet());
        return out;
    }
}
