package org.nnc.frontend.check;

import org.nnc.frontend.types.Shape;

/** A shape rule's result: the output shape, or the problem that prevents it. */
record Outcome(Shape shape, Problem problem) {
    static Outcome ok(Shape s) { return new Outcome(s, null); }

    static Outcome fail(Problem p) { return new Outcome(Shape.UNKNOWN, p); }

    static Outcome fail(String message) { return fail(Problem.of(message)); }

    boolean failed() { return problem != null; }
}
