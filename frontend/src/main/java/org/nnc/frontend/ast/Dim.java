package org.nnc.frontend.ast;

import org.nnc.frontend.source.Span;

/** A dimension as written in a tensor type. */
public sealed interface Dim permits Dim.Num, Dim.Name, Dim.Bin, Dim.Spread {
    Span span();

    record Num(long value, Span span) implements Dim {}

    /** A hyperparameter, constant or dimension variable. */
    record Name(String name, Span span) implements Dim {}

    /** {@code l op r} with op one of + - * / (floor division). */
    record Bin(char op, Dim left, Dim right, Span span) implements Dim {}

    /** {@code *S}: any number of leading dimensions. */
    record Spread(String name, Span span) implements Dim {}
}
