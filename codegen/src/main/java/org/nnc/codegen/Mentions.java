package org.nnc.codegen;

import org.nnc.frontend.ast.Decl;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.ast.Stmt;

/** Whether a function body refers to a name (so a dimension variable is read only when it is used). */
final class Mentions {
    private Mentions() {}

    static boolean of(Decl.Fun f, String name) {
        return f.exprBody() != null ? expr(f.exprBody(), name) : stmt(f.body(), name);
    }

    private static boolean stmt(Stmt s, String n) {
        return switch (s) {
            case Decl.Val v -> expr(v.init(), n);
            case Stmt.Block b -> b.stmts().stream().anyMatch(x -> stmt(x, n));
            case Stmt.Return r -> r.value() != null && expr(r.value(), n);
            case Stmt.If i -> expr(i.cond(), n) || stmt(i.then(), n) || (i.otherwise() != null && stmt(i.otherwise(), n));
            case Stmt.For f -> expr(f.iterable(), n) || stmt(f.body(), n);
            case Stmt.While w -> expr(w.cond(), n) || stmt(w.body(), n);
            case Stmt.Assign a -> expr(a.target(), n) || expr(a.value(), n);
            case Stmt.ExprStmt e -> expr(e.expr(), n);
        };
    }

    private static boolean expr(Expr e, String n) {
        return switch (e) {
            case Expr.Name x -> x.name().equals(n);
            case Expr.Str s -> s.parts().stream().anyMatch(p -> p instanceof Expr x && expr(x, n));
            case Expr.Binary b -> expr(b.left(), n) || expr(b.right(), n);
            case Expr.Unary u -> expr(u.operand(), n);
            case Expr.Call c -> expr(c.callee(), n) || c.args().stream().anyMatch(a -> expr(a.value(), n))
                    || (c.trailing() != null && stmt(c.trailing().body(), n));
            case Expr.Member m -> expr(m.target(), n);
            case Expr.Index i -> expr(i.target(), n) || i.items().stream().anyMatch(it -> switch (it) {
                case Expr.At at -> expr(at.index(), n);
                case Expr.Slice sl -> (sl.start() != null && expr(sl.start(), n)) || (sl.end() != null && expr(sl.end(), n))
                        || (sl.step() != null && expr(sl.step(), n));
            });
            case Expr.ListLit l -> l.items().stream().anyMatch(x -> expr(x, n));
            case Expr.Tuple t -> t.items().stream().anyMatch(x -> expr(x, n));
            case Expr.Lambda l -> stmt(l.body(), n);
            case Expr.IfElse i -> expr(i.cond(), n) || expr(i.then(), n) || expr(i.otherwise(), n);
            default -> false;
        };
    }
}
