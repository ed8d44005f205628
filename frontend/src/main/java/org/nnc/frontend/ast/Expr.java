package org.nnc.frontend.ast;

import java.util.List;
import org.nnc.frontend.source.Span;

/** Expressions. */
public sealed interface Expr permits Expr.IntLit, Expr.FloatLit, Expr.BoolLit, Expr.Str, Expr.Name, Expr.Binary,
        Expr.Unary, Expr.Call, Expr.Member, Expr.Index, Expr.ListLit, Expr.Tuple, Expr.Lambda, Expr.IfElse {
    Span span();

    record IntLit(long value, Span span) implements Expr {}

    record FloatLit(double value, Span span) implements Expr {}

    record BoolLit(boolean value, Span span) implements Expr {}

    /** A string; {@code parts} are literal text ({@link Text}) and interpolated expressions. */
    record Str(List<Object> parts, Span span) implements Expr {
        /** Literal text inside a string. */
        public record Text(String text) {}

        /** The string's value when it has no interpolation, else null. */
        public String constant() {
            StringBuilder sb = new StringBuilder();
            for (Object p : parts) {
                if (!(p instanceof Text t)) return null;
                sb.append(t.text());
            }
            return sb.toString();
        }
    }

    record Name(String name, Span span) implements Expr {}

    /** {@code op} is the operator as written: + - * / % @ .. < > <= >= == != && || */
    record Binary(String op, Expr left, Expr right, Span span) implements Expr {}

    /** {@code op} is - + or ! */
    record Unary(String op, Expr operand, Span span) implements Expr {}

    /** {@code callee(args) { trailing }}; {@code trailing} is null without a trailing lambda. */
    record Call(Expr callee, List<Arg> args, Lambda trailing, Span span) implements Expr {}

    /** A call argument; {@code name} is null when positional. */
    record Arg(String name, Span nameSpan, Expr value, Span span) {}

    record Member(Expr target, String name, Span nameSpan, Span span) implements Expr {}

    record Index(Expr target, List<IndexItem> items, Span span) implements Expr {}

    /** One entry between the brackets of an index: a position or a slice. */
    public sealed interface IndexItem permits At, Slice {
        Span span();
    }

    record At(Expr index, Span span) implements IndexItem {}

    /** {@code start:end:step}, each part null when omitted. */
    record Slice(Expr start, Expr end, Expr step, Span span) implements IndexItem {}

    record ListLit(List<Expr> items, Span span) implements Expr {}

    record Tuple(List<Expr> items, Span span) implements Expr {}

    record Lambda(Stmt.Block body, Span span) implements Expr {}

    record IfElse(Expr cond, Expr then, Expr otherwise, Span span) implements Expr {}
}
