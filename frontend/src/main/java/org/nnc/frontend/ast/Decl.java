package org.nnc.frontend.ast;

import java.util.List;
import org.nnc.frontend.source.Span;

/** Top-level declarations (and, for {@link Val} and {@link Fun}, model members). */
public sealed interface Decl permits Decl.Import, Decl.Model, Decl.Fun, Decl.Val, Decl.Train {
    Span span();

    /** {@code import "other.nnet"} */
    record Import(String path, Span span) implements Decl {}

    /** {@code model Name(params) { members }}; {@code doc} is the attached {@code /** … *}{@code /} text or null. */
    record Model(String name, Span nameSpan, List<Param> params, List<Decl> members, String doc, Span span) implements Decl {}

    /** {@code fun name(params): Type { … }} or {@code = expr}; exactly one of body and exprBody is set. */
    record Fun(String name, Span nameSpan, List<Param> params, TypeRef returnType, Stmt.Block body, Expr exprBody,
               String doc, Span span) implements Decl {}

    /** {@code val}/{@code var} at top level, in a model, or as a statement. */
    record Val(boolean mutable, String name, Span nameSpan, TypeRef type, Expr init, String doc, Span span)
            implements Decl, Stmt {}

    /** {@code train(model) { key = value … }} */
    record Train(Expr model, List<Entry> entries, Span span) implements Decl {}

    record Entry(String key, Span keySpan, Expr value, Span span) {}

    /** A function parameter or model hyperparameter; {@code type} is null only after a syntax error. */
    record Param(String name, Span nameSpan, TypeRef type, Expr defaultValue, Span span) {}
}
