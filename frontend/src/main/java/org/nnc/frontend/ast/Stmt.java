package org.nnc.frontend.ast;

import java.util.List;
import org.nnc.frontend.source.Span;

/** Statements of function bodies, {@code main} and lambdas. */
public sealed interface Stmt permits Decl.Val, Stmt.Block, Stmt.Return, Stmt.If, Stmt.For, Stmt.While, Stmt.Assign,
        Stmt.ExprStmt {
    Span span();

    record Block(List<Stmt> stmts, Span span) implements Stmt {}

    /** {@code value} is null for a bare {@code return}. */
    record Return(Expr value, Span span) implements Stmt {}

    /** {@code otherwise} is null without {@code else}. */
    record If(Expr cond, Stmt then, Stmt otherwise, Span span) implements Stmt {}

    /** {@code for (x in e)} has one name; {@code for ((x, y) in loader)} several. */
    record For(List<String> names, List<Span> nameSpans, Expr iterable, Stmt body, Span span) implements Stmt {}

    record While(Expr cond, Stmt body, Span span) implements Stmt {}

    /** {@code target op value} with op one of = += -= *= /= */
    record Assign(Expr target, String op, Expr value, Span span) implements Stmt {}

    record ExprStmt(Expr expr, Span span) implements Stmt {}
}
