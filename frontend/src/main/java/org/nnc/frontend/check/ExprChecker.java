package org.nnc.frontend.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nnc.frontend.ast.Decl;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.ast.Stmt;
import org.nnc.frontend.diag.Diagnostic;
import org.nnc.frontend.source.Span;
import org.nnc.frontend.types.DimExpr;
import org.nnc.frontend.types.SDim;
import org.nnc.frontend.types.Shape;
import org.nnc.frontend.types.Type;

/** Types statements and expressions: one visitor over bodies, dispatching calls to the rules they name. */
final class ExprChecker {
    final Checker c;
    private final Builtins builtins;

    ExprChecker(Checker c) {
        this.c = c;
        this.builtins = new Builtins(this);
    }

    // ================================================================== functions

    Checker.FunSig checkFun(Decl.Fun f, Env env) {
        Set<String> dimVars = new LinkedHashSet<>();
        List<Type> params = new ArrayList<>();
        Env fenv0 = env.child();
        for (Decl.Param p : f.params()) {
            Type t = p.type() == null ? Type.UNKNOWN : c.typeOf(p.type(), fenv0, dimVars);
            params.add(t);
        }
        Type declared = null;
        if (f.returnType() != null) {
            Set<String> retVars = new LinkedHashSet<>();
            declared = c.typeOf(f.returnType(), fenv0, retVars);
            retVars.removeAll(dimVars);
            for (String v : retVars) {
                env.report.error(Diagnostic.error("shape", f.returnType().span(), "the return type of `" + f.name()
                        + "` uses `" + v + "`, which no parameter's shape binds")
                        .withNote("a dimension name in a return type must appear in a parameter's type, or be a hyperparameter or constant"));
            }
        }
        Env.FunCtx fc = new Env.FunCtx(f.name(), declared, dimVars);
        Env fenv = env.withFun(fc);
        for (String v : dimVars) {
            // Dimension variables are Ints in the body too: reshape(x, B, -1) reads the batch size.
            fenv.scope.define(new Scope.Local(v, new Type.IntT(DimExpr.sym(v)), f.span(), "dimension", false));
        }
        for (int i = 0; i < f.params().size(); i++) {
            Decl.Param p = f.params().get(i);
            Scope.Local prior = fenv.scope.own(p.name());
            if (prior != null && !prior.from().equals("dimension")) {
                env.report.error(Diagnostic.error("name", p.nameSpan(), "parameter `" + p.name() + "` appears twice"));
            }
            fenv.scope.define(new Scope.Local(p.name(), params.get(i), p.nameSpan(), "parameter", false));
        }
        if (f.exprBody() != null) {
            Type t = expr(f.exprBody(), fenv);
            checkReturn(t, f.exprBody().span(), fenv);
        } else {
            block(f.body(), fenv);
            if (declared != null && !(declared instanceof Type.UnitT) && fc.returns.isEmpty()) {
                env.report.error(Diagnostic.error("type", f.nameSpan(), "`" + f.name() + "` declares a return type "
                        + declared.show() + " but never returns a value"));
            }
        }
        Type ret = declared != null ? declared : fc.returns.isEmpty() ? Type.UNIT : fc.returns.get(0);
        Checker.FunSig sig = new Checker.FunSig(f, params, dimVars, ret, c.src.name());
        c.funSigs.putIfAbsent(f, sig);
        return sig;
    }

    private void checkReturn(Type t, Span at, Env env) {
        Env.FunCtx fc = env.fun;
        if (fc == null) {
            env.report.error(Diagnostic.error("type", at, "`return` outside a function"));
            return;
        }
        if (fc.declared != null) {
            Problem p = mismatch(fc.declared, t, env);
            if (p != null) {
                env.report.error(diag("return", at, "`" + fc.name + "` returns " + t.show() + ", but its declared return type is "
                        + fc.declared.show(), p));
            }
        } else if (!fc.returns.isEmpty()) {
            Problem p = mismatch(fc.returns.get(0), t, env);
            if (p != null) {
                env.report.error(diag("return", at, "`" + fc.name + "` returns " + t.show() + " here but "
                        + fc.returns.get(0).show() + " earlier", p).withHelp("write the return type to say which is meant"));
            }
        }
        fc.returns.add(t);
    }

    /** Null when a value of type {@code found} can stand where {@code expected} is written, else why not. */
    Problem mismatch(Type expected, Type found, Env env) {
        if (expected instanceof Type.UnknownT || found instanceof Type.UnknownT) return null;
        if (expected instanceof Type.TensorT e && found instanceof Type.TensorT f) {
            if (e.elem() != f.elem()) return Problem.of("expected " + e.show() + ", found " + f.show());
            Problem p = ShapeRules.same(e.shape(), f.shape(), env.deferrable);
            return p == null ? null : new Problem("expected " + e.show() + ", found " + f.show(), p.notes(), null);
        }
        if (expected instanceof Type.FloatT && found instanceof Type.IntT) return null;
        if (expected.getClass() == found.getClass()) {
            if (expected instanceof Type.ModelT em && found instanceof Type.ModelT fm && !em.name().equals(fm.name())) {
                return Problem.of("expected " + em.name() + ", found " + fm.name());
            }
            return null;
        }
        return Problem.of("expected " + expected.show() + ", found " + found.show());
    }

    Diagnostic diag(String code, Span at, String message, Problem p) {
        Diagnostic d = Diagnostic.error(code, at, message);
        for (String n : p.notes()) d = d.withNote(n);
        return p.help() == null ? d : d.withHelp(p.help());
    }

    /** Hyperparameter defaults of a model as dimensions (an Int default must be a constant expression). */
    Map<String, DimExpr> defaults(Decl.Model m, Env env) {
        Map<String, DimExpr> out = new LinkedHashMap<>();
        for (String p : c.intParams(m)) {
            for (Decl.Param dp : m.params()) {
                if (dp.name().equals(p) && dp.defaultValue() != null && expr(dp.defaultValue(), env) instanceof Type.IntT i) {
                    out.put(p, i.value() == null ? DimExpr.sym(p) : i.value());
                }
            }
        }
        return out;
    }

    // ================================================================== statements

    void block(Stmt.Block b, Env env) {
        for (Stmt s : b.stmts()) stmt(s, env);
    }

    private void stmt(Stmt s, Env env) {
        switch (s) {
            case Decl.Val v -> {
                Type t = expr(v.init(), env);
                if (v.type() != null) {
                    Type want = c.typeOf(v.type(), env, new LinkedHashSet<>(env.fun == null ? Set.of() : env.fun.dimVars));
                    Problem p = mismatch(want, t, env);
                    if (p != null) {
                        env.report.error(diag("type", v.init().span(), "`" + v.name() + "` is declared " + want.show()
                                + " but its value is " + t.show(), p));
                    }
                    t = want;
                }
                Scope.Local prev = env.scope.own(v.name());
                if (prev != null) {
                    env.report.error(Diagnostic.error("name", v.nameSpan(), "`" + v.name() + "` is already defined at " + prev.span().at()));
                }
                env.scope.define(new Scope.Local(v.name(), t, v.init().span(), origin(v.init()), v.mutable()));
            }
            case Stmt.Assign a -> assign(a, env);
            case Stmt.Return r -> checkReturn(r.value() == null ? Type.UNIT : expr(r.value(), env),
                    r.value() == null ? r.span() : r.value().span(), env);
            case Stmt.If i -> {
                expectBool(i.cond(), env);
                stmt(i.then(), env.child());
                if (i.otherwise() != null) stmt(i.otherwise(), env.child());
            }
            case Stmt.While w -> {
                expectBool(w.cond(), env);
                stmt(w.body(), env.child());
            }
            case Stmt.For f -> forLoop(f, env);
            case Stmt.Block b -> block(b, env.child());
            case Stmt.ExprStmt e -> expr(e.expr(), env);
        }
    }

    private void expectBool(Expr cond, Env env) {
        Type t = expr(cond, env);
        if (!(t instanceof Type.BoolT) && !(t instanceof Type.UnknownT)) {
            env.report.error(Diagnostic.error("type", cond.span(), "a condition must be a Bool, found " + t.show()));
        }
    }

    private void assign(Stmt.Assign a, Env env) {
        Type value = expr(a.value(), env);
        if (!(a.target() instanceof Expr.Name n)) {
            expr(a.target(), env);
            env.report.error(Diagnostic.error("type", a.target().span(), "only a `var` can be assigned to"));
            return;
        }
        Scope.Local l = env.scope.lookup(n.name());
        if (l == null) {
            name(n, env);
            return;
        }
        c.types.putIfAbsent(a.target(), l.type());
        if (!l.mutable()) {
            env.report.error(Diagnostic.error("type", a.target().span(), "`" + n.name() + "` is a `val` and cannot be reassigned")
                    .withNote("`" + n.name() + "` is defined at " + l.span().at())
                    .withHelp("declare it with `var` to reassign it"));
            return;
        }
        Type result = value;
        if (!a.op().equals("=")) result = arithmetic(a.op().substring(0, 1), l.type(), value, a.span(), env, n, a.value());
        Problem p = mismatch(l.type(), result, env);
        if (p != null) {
            env.report.error(diag("shape", a.span(), "`" + n.name() + "` is " + l.type().show() + " but would become " + result.show(), p)
                    .withNote("a `var` keeps its shape, so a loop over layers must map each shape to itself"));
        }
    }

    private void forLoop(Stmt.For f, Env env) {
        Type it = expr(f.iterable(), env);
        Env body = env.child();
        List<Type> elems = new ArrayList<>();
        switch (it) {
            case Type.ListT l -> elems.add(l.elem());
            case Type.LoaderT l -> {
                elems.add(new Type.TensorT(Type.Elem.FLOAT, batched(l.data().sample())));
                elems.add(batchedTarget(l.data()));
            }
            case Type.RuntimeT r when r.name().equals("Range") -> elems.add(new Type.IntT(null));
            case Type.UnknownT u -> { }
            default -> env.report.error(Diagnostic.error("type", f.iterable().span(), "cannot loop over " + it.show()
                    + "; loop over a range (1..n), a list or a DataLoader"));
        }
        if (!elems.isEmpty() && f.names().size() != elems.size() && !(f.names().size() == 1 && elems.size() == 2)) {
            env.report.error(Diagnostic.error("type", f.nameSpans().get(0), "a " + it.show() + " gives " + elems.size()
                    + " value" + (elems.size() == 1 ? "" : "s") + " per step, but the loop names " + f.names().size()));
        }
        for (int i = 0; i < f.names().size(); i++) {
            Type t = f.names().size() == 1 && elems.size() == 2 ? new Type.TupleT(elems)
                    : i < elems.size() ? elems.get(i) : Type.UNKNOWN;
            body.scope.define(new Scope.Local(f.names().get(i), t, f.nameSpans().get(i), "the loop", false));
        }
        stmt(f.body(), body);
    }

    static Shape batched(Shape sample) {
        if (sample.unknown()) return Shape.UNKNOWN;
        List<SDim> dims = new ArrayList<>();
        dims.add(SDim.of(DimExpr.sym("B")));
        dims.addAll(sample.dims());
        return Shape.of(dims);
    }

    static Type batchedTarget(Type.DatasetT d) {
        if (d.target() instanceof Type.TensorT t) return new Type.TensorT(t.elem(), batched(t.shape()));
        return new Type.TensorT(Type.Elem.INT, Shape.UNKNOWN);
    }

    /** Where a local's value came from, for notes: the layer or function that made it. */
    private String origin(Expr init) {
        if (init instanceof Expr.Call call) {
            if (call.callee() instanceof Expr.Name n) return n.name();
            if (call.callee() instanceof Expr.Member m) return c.src.text(m.span());
        }
        String t = c.src.text(init.span());
        return t.length() > 40 ? t.substring(0, 37) + "..." : t;
    }

    // ================================================================== expressions

    Type member(Decl.Val v, Env env) {
        Type t = expr(v.init(), env);
        if (v.type() != null) {
            Type want = c.typeOf(v.type(), env, new LinkedHashSet<>());
            Problem p = mismatch(want, t, env);
            if (p != null) {
                env.report.error(diag("type", v.init().span(), "`" + v.name() + "` is declared " + want.show() + " but its value is "
                        + t.show(), p));
            }
        }
        return t;
    }

    Type expr(Expr e, Env env) {
        Type t = exprType(e, env);
        c.types.putIfAbsent(e, t);
        return t;
    }

    private Type exprType(Expr e, Env env) {
        return switch (e) {
            case Expr.IntLit i -> new Type.IntT(DimExpr.of(i.value()));
            case Expr.FloatLit f -> Type.FLOAT;
            case Expr.BoolLit b -> Type.BOOL;
            case Expr.Str s -> {
                for (Object p : s.parts()) if (p instanceof Expr x) expr(x, env);
                yield new Type.StrT(s.constant());
            }
            case Expr.Name n -> name(n, env);
            case Expr.Unary u -> unary(u, env);
            case Expr.Binary b -> binary(b, env);
            case Expr.Call call -> call(call, env);
            case Expr.Member m -> memberAccess(m, env);
            case Expr.Index i -> index(i, env);
            case Expr.ListLit l -> {
                Type elem = Type.UNKNOWN;
                for (Expr x : l.items()) {
                    Type t = expr(x, env);
                    if (elem instanceof Type.UnknownT) elem = t;
                }
                yield new Type.ListT(elem instanceof Type.IntT ? new Type.IntT(null) : elem, DimExpr.of(l.items().size()));
            }
            case Expr.Tuple t -> new Type.TupleT(t.items().stream().map(x -> expr(x, env)).toList());
            case Expr.Lambda l -> lambda(l, env);
            case Expr.IfElse i -> {
                expectBool(i.cond(), env);
                Type a = expr(i.then(), env), b = expr(i.otherwise(), env);
                Problem p = mismatch(a, b, env);
                if (p != null) env.report.error(diag("type", i.span(), "the branches of `if` differ: " + a.show() + " and " + b.show(), p));
                yield a;
            }
        };
    }

    Type lambda(Expr.Lambda l, Env env) {
        Env inner = env.child();
        Type last = Type.UNIT;
        for (Stmt s : l.body().stmts()) {
            if (s instanceof Stmt.ExprStmt x) last = expr(x.expr(), inner);
            else {
                stmt(s, inner);
                last = Type.UNIT;
            }
        }
        return last;
    }

    /** Every name visible at this point, for suggestions. */
    Set<String> visibleNames(Env env) {
        Set<String> out = new TreeSet<>(env.scope.allNames());
        if (env.instance != null) {
            for (Decl d : env.instance.decl.members()) if (d instanceof Decl.Fun f) out.add(f.name());
        }
        out.addAll(c.models.keySet());
        out.addAll(c.funs.keySet());
        out.addAll(Builtins.NAMES);
        return out;
    }

    Type name(Expr.Name n, Env env) {
        Scope.Local l = env.scope.lookup(n.name());
        if (env.fun != null) env.fun.used.add(n.name());
        if (l != null) return l.type();
        if (env.instance != null && env.instance.fun(n.name()) != null) {
            env.report.error(Diagnostic.error("type", n.span(), "`" + n.name() + "` is a function; call it: " + n.name() + "(…)"));
            return Type.UNKNOWN;
        }
        if (c.models.containsKey(n.name())) {
            env.report.error(Diagnostic.error("type", n.span(), "`" + n.name() + "` is a model; create one with " + n.name() + "(…)"));
            return Type.UNKNOWN;
        }
        if (Builtins.FUNCTION_VALUES.contains(n.name())) return new Type.FnT(n.name());
        if (Layers.isLayer(n.name()) || Builtins.NAMES.contains(n.name()) || c.funs.containsKey(n.name())) {
            env.report.error(Diagnostic.error("type", n.span(), "`" + n.name() + "` must be called: " + n.name() + "(…)"));
            return Type.UNKNOWN;
        }
        env.report.error(Diagnostic.error("name", n.span(), "unknown name `" + n.name() + "`" + Suggest.hint(n.name(), candidates(env))));
        return Type.UNKNOWN;
    }

    /** Names to suggest, those not used yet in this function first (a typo usually means the one still missing). */
    private List<String> candidates(Env env) {
        List<String> fresh = new ArrayList<>(), used = new ArrayList<>();
        for (String n : visibleNames(env)) {
            Scope.Local l = env.scope.lookup(n);
            if (l != null && l.from().equals("dimension")) continue;
            (env.fun != null && env.fun.used.contains(n) ? used : fresh).add(n);
        }
        fresh.addAll(used);
        return fresh;
    }

    private Type unary(Expr.Unary u, Env env) {
        Type t = expr(u.operand(), env);
        if (u.op().equals("!")) {
            if (!(t instanceof Type.BoolT) && !(t instanceof Type.UnknownT)) {
                env.report.error(Diagnostic.error("type", u.span(), "`!` needs a Bool, found " + t.show()));
            }
            return Type.BOOL;
        }
        return switch (t) {
            case Type.IntT i -> new Type.IntT(i.value() == null ? null : u.op().equals("-") ? i.value().negate() : i.value());
            case Type.FloatT f -> t;
            case Type.TensorT x -> t;
            case Type.UnknownT x -> t;
            default -> {
                env.report.error(Diagnostic.error("type", u.span(), "`" + u.op() + "` needs a number or a tensor, found " + t.show()));
                yield Type.UNKNOWN;
            }
        };
    }

    private Type binary(Expr.Binary b, Env env) {
        Type l = expr(b.left(), env), r = expr(b.right(), env);
        String op = b.op();
        if (l instanceof Type.UnknownT || r instanceof Type.UnknownT) {
            return switch (op) {
                case "&&", "||" -> Type.BOOL;
                default -> Type.UNKNOWN;
            };
        }
        switch (op) {
            case "&&", "||":
                if (!(l instanceof Type.BoolT) || !(r instanceof Type.BoolT)) {
                    env.report.error(Diagnostic.error("type", b.span(), "`" + op + "` needs Bools, found " + l.show() + " and " + r.show()));
                }
                return Type.BOOL;
            case "..":
                if (!(l instanceof Type.IntT) || !(r instanceof Type.IntT)) {
                    env.report.error(Diagnostic.error("type", b.span(), "a range needs Ints, found " + l.show() + ".." + r.show()));
                }
                return new Type.RuntimeT("Range");
            case "@":
                return matmul(l, r, b, env);
            case "==", "!=", "<", ">", "<=", ">=":
                if (l instanceof Type.TensorT || r instanceof Type.TensorT) {
                    Type t = arithmetic("+", l, r, b.span(), env, b.left(), b.right());
                    return t instanceof Type.TensorT x ? new Type.TensorT(Type.Elem.BOOL, x.shape()) : Type.UNKNOWN;
                }
                if (isNumber(l) && isNumber(r) || l.getClass() == r.getClass()) return Type.BOOL;
                env.report.error(Diagnostic.error("type", b.span(), "cannot compare " + l.show() + " with " + r.show()));
                return Type.BOOL;
            default:
                return arithmetic(op, l, r, b.span(), env, b.left(), b.right());
        }
    }

    static boolean isNumber(Type t) { return t instanceof Type.IntT || t instanceof Type.FloatT; }

    /** + - * / % on numbers and tensors; tensors broadcast (§5 rule 2). */
    Type arithmetic(String op, Type l, Type r, Span at, Env env, Expr le, Expr re) {
        if (l instanceof Type.UnknownT || r instanceof Type.UnknownT) return Type.UNKNOWN;
        if (l instanceof Type.IntT a && r instanceof Type.IntT b) {
            if (a.value() == null || b.value() == null) return new Type.IntT(null);
            return new Type.IntT(switch (op) {
                case "+" -> a.value().plus(b.value());
                case "-" -> a.value().minus(b.value());
                case "*" -> a.value().times(b.value());
                case "/" -> {
                    DimExpr q = a.value().floorDiv(b.value());
                    if (q == null) env.report.error(Diagnostic.error("type", at, "division by zero"));
                    yield q;
                }
                default -> null;
            });
        }
        if (op.equals("+") && (l instanceof Type.StrT || r instanceof Type.StrT)) return new Type.StrT(null);
        if (isNumber(l) && isNumber(r)) return Type.FLOAT;
        if (l instanceof Type.TensorT x && isNumber(r)) return x;
        if (r instanceof Type.TensorT x && isNumber(l)) return x;
        if (l instanceof Type.TensorT x && r instanceof Type.TensorT y) {
            if (x.elem() == Type.Elem.BOOL || y.elem() == Type.Elem.BOOL) {
                env.report.error(Diagnostic.error("type", at, "arithmetic on a mask (Tensor<Bool>); use where(mask, a, b)"));
                return Type.UNKNOWN;
            }
            Outcome o = ShapeRules.broadcast(x.shape(), y.shape(), env.deferrable);
            if (o.failed()) {
                Diagnostic d = diag("shape", at, "`" + op + "` " + o.problem().message(), o.problem());
                d = noteOperand(d, le, l, env);
                d = noteOperand(d, re, r, env);
                env.report.error(d);
                return Type.UNKNOWN;
            }
            return new Type.TensorT(x.elem() == Type.Elem.FLOAT || y.elem() == Type.Elem.FLOAT ? Type.Elem.FLOAT : Type.Elem.INT, o.shape());
        }
        env.report.error(Diagnostic.error("type", at, "`" + op + "` is not defined for " + l.show() + " and " + r.show()));
        return Type.UNKNOWN;
    }

    private Type matmul(Type l, Type r, Expr.Binary b, Env env) {
        if (!(l instanceof Type.TensorT x) || !(r instanceof Type.TensorT y)) {
            env.report.error(Diagnostic.error("type", b.span(), "`@` multiplies tensors, found " + l.show() + " @ " + r.show()));
            return Type.UNKNOWN;
        }
        return matmulTensors(x, y, b.span(), env, b.left(), b.right());
    }

    Type matmulTensors(Type.TensorT x, Type.TensorT y, Span at, Env env, Expr le, Expr re) {
        Outcome o = ShapeRules.matmul(x.shape(), y.shape(), env.deferrable);
        if (o.failed()) {
            Diagnostic d = diag("shape", at, o.problem().message(), o.problem());
            d = noteOperand(d, le, x, env);
            d = noteOperand(d, re, y, env);
            env.report.error(d);
            return Type.UNKNOWN;
        }
        return new Type.TensorT(Type.Elem.FLOAT, o.shape());
    }

    /** "h is Tensor[B, 128], from fc1 at 11:17" for a named operand, plus the arithmetic of its dimensions. */
    Diagnostic noteOperand(Diagnostic d, Expr e, Type t, Env env) {
        d = noteName(d, e, t, env);
        if (t instanceof Type.TensorT x) {
            String a = ShapeRules.arithmetic(e instanceof Expr.Name n ? n.name() : c.src.text(e.span()), x.shape());
            if (a != null && !d.message().contains(a.substring(a.indexOf(": ") + 2).replace(" = ", " (= ") + ")")) d = d.withNote(a);
        }
        return d;
    }

    /** "h is Tensor[B, 128], from fc1 at 11:17" when the operand is a name. */
    Diagnostic noteName(Diagnostic d, Expr e, Type t, Env env) {
        if (e instanceof Expr.Name n) {
            Scope.Local l = env.scope.lookup(n.name());
            if (l != null) {
                String where = l.from().equals("parameter") || l.from().equals("hyperparameter")
                        ? "a " + l.from() + " declared at " + l.span().at()
                        : "from " + l.from() + " at " + l.span().at();
                d = d.withNote(n.name() + " is " + t.show() + ", " + where);
            }
        }
        return d;
    }

    private Type memberAccess(Expr.Member m, Env env) {
        Type t = expr(m.target(), env);
        if (t instanceof Type.UnknownT) return t;
        if (t instanceof Type.ModelT mt) {
            Checker.Instance inst = c.instance(mt.name(), mt.args(), env.deferrable);
            if (inst != null && inst.members().containsKey(m.name())) return inst.members().get(m.name());
        }
        if (m.name().equals("size") && (t instanceof Type.ListT || t instanceof Type.DatasetT || t instanceof Type.LoaderT)) {
            return new Type.IntT(t instanceof Type.ListT l ? l.length() : null);
        }
        env.report.error(Diagnostic.error("name", m.nameSpan(), t.show() + " has no member `" + m.name() + "`"));
        return Type.UNKNOWN;
    }

    // ================================================================== indexing

    private Type index(Expr.Index ix, Env env) {
        Type t = expr(ix.target(), env);
        if (t instanceof Type.UnknownT) {
            for (Expr.IndexItem it : ix.items()) indexParts(it, env);
            return t;
        }
        if (t instanceof Type.ListT l) {
            if (ix.items().size() != 1 || !(ix.items().get(0) instanceof Expr.At at) || !(expr(at.index(), env) instanceof Type.IntT)) {
                env.report.error(Diagnostic.error("type", ix.span(), "a list takes one Int index"));
            }
            return l.elem();
        }
        if (!(t instanceof Type.TensorT x)) {
            env.report.error(Diagnostic.error("type", ix.span(), t.show() + " cannot be indexed"));
            return Type.UNKNOWN;
        }
        Shape s = x.shape();
        if (s.unknown() || s.spread() != null) {
            for (Expr.IndexItem it : ix.items()) indexParts(it, env);
            return new Type.TensorT(x.elem(), Shape.UNKNOWN);
        }
        if (ix.items().size() > s.rank()) {
            env.report.error(Diagnostic.error("shape", ix.span(), "too many indices for " + x.show() + ": " + ix.items().size()
                    + " given, it has " + s.rank() + " dimension" + (s.rank() == 1 ? "" : "s")));
            return Type.UNKNOWN;
        }
        List<SDim> out = new ArrayList<>();
        for (int d = 0; d < s.rank(); d++) {
            SDim dim = s.dims().get(d);
            if (d >= ix.items().size()) {
                out.add(dim);
                continue;
            }
            Expr.IndexItem it = ix.items().get(d);
            DimExpr[] parts = indexParts(it, env);
            if (it instanceof Expr.At) {
                DimExpr i = parts[0];
                if (i != null && i.isConstant() && dim.value().isConstant()) {
                    long n = dim.value().value(), v = i.value();
                    if (v < -n || v >= n) {
                        env.report.error(Diagnostic.error("shape", it.span(), "index " + v + " is out of range for dimension " + d
                                + " of " + x.show() + " (size " + n + ")"));
                        return Type.UNKNOWN;
                    }
                }
                continue;
            }
            out.add(sliceLength(dim, parts[0], parts[1], parts[2]));
        }
        return new Type.TensorT(x.elem(), Shape.of(out));
    }

    /** Values of an index item's parts (null where omitted or not a known Int). */
    private DimExpr[] indexParts(Expr.IndexItem it, Env env) {
        if (it instanceof Expr.At at) return new DimExpr[] {intArg(at.index(), env, "an index")};
        Expr.Slice sl = (Expr.Slice) it;
        return new DimExpr[] {
            sl.start() == null ? null : intArg(sl.start(), env, "a slice bound"),
            sl.end() == null ? null : intArg(sl.end(), env, "a slice bound"),
            sl.step() == null ? null : intArg(sl.step(), env, "a slice step")};
    }

    private DimExpr intArg(Expr e, Env env, String what) {
        Type t = expr(e, env);
        if (t instanceof Type.IntT i) return i.value();
        if (!(t instanceof Type.UnknownT)) env.report.error(Diagnostic.error("type", e.span(), what + " must be an Int, found " + t.show()));
        return null;
    }

    /** Length of dim[start:end:step] with Python's clipping, symbolic where the bounds are. */
    private SDim sliceLength(SDim dim, DimExpr start, DimExpr end, DimExpr step) {
        long st = step == null ? 1 : step.isConstant() ? step.value() : 0;
        if (st == 0 && step != null && step.isConstant()) return SDim.of(0);
        if (dim.value().isConstant() && (start == null || start.isConstant()) && (end == null || end.isConstant()) && st != 0) {
            long n = dim.value().value();
            long lo, hi, len;
            if (st > 0) {
                lo = start == null ? 0 : clip(start.value() < 0 ? start.value() + n : start.value(), 0, n);
                hi = end == null ? n : clip(end.value() < 0 ? end.value() + n : end.value(), 0, n);
                len = hi > lo ? (hi - lo + st - 1) / st : 0;
            } else {
                lo = start == null ? n - 1 : clip(start.value() < 0 ? start.value() + n : start.value(), -1, n - 1);
                hi = end == null ? -1 : clip(end.value() < 0 ? end.value() + n : end.value(), -1, n - 1);
                len = lo > hi ? (lo - hi - st - 1) / -st : 0;
            }
            return SDim.of(len);
        }
        if (start == null && end == null && st == 1) return dim;
        if (st == 1 && (start == null || start.isConstant() && start.value() >= 0) && (end == null || end.isConstant() && end.value() < 0)) {
            DimExpr lo = start == null ? DimExpr.of(0) : start;
            DimExpr hi = end == null ? dim.value() : dim.value().plus(end);
            return SDim.of(hi.minus(lo));
        }
        return SDim.of(DimExpr.sym("slice(" + dim + ")"));
    }

    private static long clip(long v, long lo, long hi) { return Math.max(lo, Math.min(hi, v)); }

    // ================================================================== calls

    private Type call(Expr.Call call, Env env) {
        if (call.callee() instanceof Expr.Name n) {
            String name = n.name();
            Scope.Local l = env.scope.lookup(name);
            if (env.fun != null) env.fun.used.add(name);
            if (l != null) return applyValue(l.type(), call, env, name);
            if (env.instance != null && env.instance.fun(name) != null) {
                Checker.FunSig sig = env.instance.sig(name);
                return sig == null ? evalArgs(call, env) : callSig(sig, call, env, "`" + name + "`");
            }
            if (c.models.containsKey(name)) return construct(name, call, env);
            if (c.funs.containsKey(name)) {
                Checker.FunSig sig = c.topSig(name);
                return sig == null ? evalArgs(call, env) : callSig(sig, call, env, "`" + name + "`");
            }
            if (Layers.isLayer(name)) return builtins.layer(name, call, env);
            if (Builtins.NAMES.contains(name)) return builtins.call(name, call, null, env);
            evalArgs(call, env);
            env.report.error(Diagnostic.error("name", n.span(), "unknown name `" + name + "`" + Suggest.hint(name, candidates(env))));
            return Type.UNKNOWN;
        }
        if (call.callee() instanceof Expr.Member m) return method(m, call, env);
        Type f = expr(call.callee(), env);
        return applyValue(f, call, env, c.src.text(call.callee().span()));
    }

    Type evalArgs(Expr.Call call, Env env) {
        for (Expr.Arg a : call.args()) expr(a.value(), env);
        if (call.trailing() != null) lambda(call.trailing(), env);
        return Type.UNKNOWN;
    }

    /** Calling a value: a layer, a model instance, a function value. */
    Type applyValue(Type f, Expr.Call call, Env env, String calleeText) {
        switch (f) {
            case Type.LayerT layer -> {
                if (call.args().size() != 1 || call.args().get(0).name() != null) {
                    evalArgs(call, env);
                    env.report.error(Diagnostic.error("arity", call.span(), layer.kind() + " takes one tensor, given "
                            + call.args().size() + " argument" + (call.args().size() == 1 ? "" : "s")));
                    return Type.UNKNOWN;
                }
                Expr argE = call.args().get(0).value();
                Type arg = expr(argE, env);
                if (arg instanceof Type.UnknownT) return Type.UNKNOWN;
                if (!(arg instanceof Type.TensorT x)) {
                    env.report.error(Diagnostic.error("type", argE.span(), layer.kind() + " takes a tensor, found " + arg.show()));
                    return Type.UNKNOWN;
                }
                Outcome o = Layers.apply(layer, x, env.deferrable);
                if (o.failed()) {
                    Diagnostic d = diag("shape", call.span(), o.problem().message(), Problem.of(""));
                    d = noteName(d, argE, x, env);
                    if (layer.declSpan() != null) d = d.withNote(calleeText + " = " + layer.declText() + " declared at " + layer.declSpan().at());
                    for (String n : o.problem().notes()) d = d.withNote(n);
                    if (o.problem().help() != null) d = d.withHelp(o.problem().help());
                    env.report.error(d);
                    return Type.UNKNOWN;
                }
                Type out = new Type.TensorT(layer.kind().equals("Embedding") ? Type.Elem.FLOAT : x.elem(), o.shape());
                if (env.recorder != null) {
                    env.recorder.add(calleeText, Layers.describe(layer), x.shape().toString(), o.shape().toString(), Layers.paramCount(layer));
                }
                return out;
            }
            case Type.ModelT mt -> {
                Checker.Instance inst = c.instance(mt.name(), mt.args(), env.deferrable);
                Checker.FunSig fwd = inst == null ? null : inst.funs().get("forward");
                if (fwd == null) return evalArgs(call, env);
                Type out = callSig(fwd, call, env, mt.name() + ".forward");
                if (env.recorder != null && out instanceof Type.TensorT o) {
                    List<Type> args = call.args().stream().map(a -> expr(a.value(), env.withReporter(d -> { }))).toList();
                    env.recorder.add(calleeText, mt.name() + c.hyperText(c.models.get(mt.name()), mt.args()),
                            args.isEmpty() ? "" : args.get(0) instanceof Type.TensorT t ? t.shape().toString() : "?",
                            o.shape().toString(), inst.params());
                    env.recorder.enter();
                    c.ownerOf(mt.name()).exprs.recordForward(c.models.get(mt.name()), mt.args(), args, env.recorder, call.span());
                    env.recorder.exit();
                }
                return out;
            }
            case Type.FnT fn -> {
                return builtins.call(fn.name(), call, null, env);
            }
            case Type.UnknownT u -> {
                return evalArgs(call, env);
            }
            default -> {
                evalArgs(call, env);
                env.report.error(Diagnostic.error("type", call.callee().span(), "`" + calleeText + "` is " + f.show()
                        + ", which cannot be called"));
                return Type.UNKNOWN;
            }
        }
    }

    /** Re-checks a model's forward with concrete argument types, recording each layer for a summary. */
    Type recordForward(Decl.Model m, Map<String, DimExpr> hyper, List<Type> args, Summary rec, Span site) {
        Checker.Instance inst = c.instance(m.name(), hyper, Set.of());
        if (inst == null) return null;
        Checker.FunSig fwd = inst.funs().get("forward");
        if (fwd == null) return null;
        Scope scope = c.globals.child();
        Checker.InstanceBuilder b = c.new InstanceBuilder(m, hyper);
        Env env = new Env(d -> { }, scope, Set.of(), b, null, rec);
        b.env = env;
        b.members.putAll(inst.members());
        b.sigs.putAll(inst.funs());
        for (Decl.Param p : m.params()) {
            DimExpr v = hyper.get(p.name());
            scope.define(new Scope.Local(p.name(), v == null ? Type.UNKNOWN : new Type.IntT(v), p.nameSpan(), "hyperparameter", false));
        }
        for (Map.Entry<String, Type> e : inst.members().entrySet()) {
            Span sp = inst.memberSpans().get(e.getKey());
            scope.define(new Scope.Local(e.getKey(), e.getValue(), sp, "member", false));
        }
        Decl.Fun f = fwd.decl();
        Env.FunCtx fc = new Env.FunCtx(f.name(), null, fwd.dimVars());
        Env fenv = env.withFun(fc);
        for (int i = 0; i < f.params().size(); i++) {
            Type t = i < args.size() ? args.get(i) : fwd.params().get(i);
            fenv.scope.define(new Scope.Local(f.params().get(i).name(), t, f.params().get(i).nameSpan(), "parameter", false));
        }
        if (f.exprBody() != null) return expr(f.exprBody(), fenv);
        block(f.body(), fenv);
        return fc.returns.isEmpty() ? Type.UNIT : fc.returns.get(0);
    }

    /** A call to a user function or method: arguments bound by name, shapes unified with the parameters'. */
    Type callSig(Checker.FunSig sig, Expr.Call call, Env env, String what) {
        Decl.Fun f = sig.decl();
        StringBuilder spec = new StringBuilder();
        for (Decl.Param p : f.params()) spec.append(p.name()).append(p.defaultValue() == null ? "" : "?").append(',');
        Signature s = Signature.of(what.replace("`", ""), spec.toString());
        Map<Expr.Arg, Type> types = new HashMap<>();
        for (Expr.Arg a : call.args()) types.put(a, expr(a.value(), env));
        if (call.trailing() != null) lambda(call.trailing(), env);
        Signature.Bound bound = s.bind(call.args(), call.span(), env.report);
        if (bound == null) return Type.UNKNOWN;
        Map<String, DimExpr> bindings = new HashMap<>();
        Map<String, Shape> spreads = new HashMap<>();
        boolean ok = true;
        for (int i = 0; i < f.params().size(); i++) {
            Expr.Arg a = bound.get(f.params().get(i).name());
            if (a == null) continue;
            Type want = sig.params().get(i), got = types.get(a);
            Problem p = unifyType(want, got, sig.dimVars(), bindings, spreads, env);
            if (p != null) {
                Diagnostic d = diag("shape", a.value().span(), what + " expects " + f.params().get(i).name() + ": "
                        + want.show() + ", found " + got.show(), p);
                d = noteOperand(d, a.value(), got, env);
                d = d.withNote(what + " is declared at " + (sig.file().equals(c.src.name()) ? "" : sig.file() + ":") + f.nameSpan().at());
                env.report.error(d);
                ok = false;
            }
        }
        if (!ok) return Type.UNKNOWN;
        return substitute(sig.ret(), bindings, spreads);
    }

    /** A written type with its dimension variables and spreads replaced by what a call bound them to. */
    static Type substitute(Type t, Map<String, DimExpr> bindings, Map<String, Shape> spreads) {
        if (!(t instanceof Type.TensorT x)) return t;
        Shape s = x.shape().substitute(bindings);
        Shape prefix = s.spread() == null ? null : spreads.get(s.spread());
        if (prefix != null) {
            List<SDim> dims = new ArrayList<>(prefix.dims());
            dims.addAll(s.dims());
            s = new Shape(prefix.spread(), dims, false);
        }
        return new Type.TensorT(x.elem(), s);
    }

    /** Matches an argument against a parameter's written type; null when it fits. */
    Problem unifyType(Type want, Type got, Set<String> vars, Map<String, DimExpr> bindings, Map<String, Shape> spreads, Env env) {
        if (want instanceof Type.UnknownT || got instanceof Type.UnknownT) return null;
        if (want instanceof Type.TensorT w && got instanceof Type.TensorT g) {
            if (w.elem() != g.elem()) return Problem.of("expected " + w.show() + ", found " + g.show());
            return ShapeRules.unify(w.shape(), g.shape(), vars, bindings, spreads, env.deferrable);
        }
        return mismatch(want, got, env);
    }

    /** {@code Model(args)}: binds hyperparameters and re-checks the model with them (§5 rule 1). */
    Type construct(String name, Expr.Call call, Env env) {
        Decl.Model m = c.models.get(name);
        StringBuilder spec = new StringBuilder();
        for (Decl.Param p : m.params()) spec.append(p.name()).append(p.defaultValue() == null ? "" : "?").append(',');
        Map<Expr.Arg, Type> types = new HashMap<>();
        for (Expr.Arg a : call.args()) types.put(a, expr(a.value(), env));
        Signature.Bound bound = Signature.of(name, spec.toString()).bind(call.args(), call.span(), env.report);
        if (bound == null) return Type.UNKNOWN;
        Map<String, DimExpr> hyper = new LinkedHashMap<>(defaults(m, c.globalEnv(d -> { })));
        Set<String> deferrable = new java.util.HashSet<>(env.deferrable);
        for (Decl.Param p : m.params()) {
            Expr.Arg a = bound.get(p.name());
            if (a == null || p.type() == null) continue;
            Type want = c.typeOf(p.type(), c.globalEnv(d -> { }), new LinkedHashSet<>());
            Type got = types.get(a);
            Problem prob = mismatch(want, got, env);
            if (prob != null) {
                env.report.error(diag("type", a.value().span(), name + "'s `" + p.name() + "` is " + want.show() + ", found " + got.show(), prob));
                continue;
            }
            if (got instanceof Type.IntT i && want instanceof Type.IntT) {
                if (i.value() != null) {
                    hyper.put(p.name(), i.value());
                } else {
                    String sym = "?" + name + "." + p.name();
                    hyper.put(p.name(), DimExpr.sym(sym));
                    deferrable.add(sym);
                }
            }
        }
        Checker.Instance inst = c.instance(name, hyper, deferrable);
        if (inst != null && !hyper.equals(c.defaultsIfComplete(m))) {
            for (Diagnostic d : c.newProblems(inst)) {
                String site = d.span().at();
                Diagnostic moved = new Diagnostic(d.severity(), d.code(), name + c.hyperText(m, hyper) + ": " + d.message(),
                        call.span(), List.of(), d.help());
                Checker owner = c.ownerOf(name);
                String where = owner == c ? site : owner.src.name() + ":" + site;
                moved = moved.withNote("at " + where + " in model " + name + ": " + owner.src.text(d.span()));
                for (String n : d.notes()) moved = moved.withNote(n);
                env.report.error(moved);
            }
        }
        return new Type.ModelT(name, hyper);
    }

    private Type method(Expr.Member m, Expr.Call call, Env env) {
        Type t = expr(m.target(), env);
        String name = m.name();
        switch (t) {
            case Type.UnknownT u -> {
                return evalArgs(call, env);
            }
            case Type.TensorT x -> {
                return builtins.call(name, call, new Expr.Arg(null, null, m.target(), m.target().span()), env);
            }
            case Type.ModelT mt -> {
                Checker.Instance inst = c.instance(mt.name(), mt.args(), env.deferrable);
                if (inst == null) return evalArgs(call, env);
                if (inst.funs().containsKey(name)) return callSig(inst.funs().get(name), call, env, mt.name() + "." + name);
                Type common = moduleMethod(name, call, env);
                if (common != null) return common;
                if (inst.members().containsKey(name)) return applyValue(inst.members().get(name), call, env, name);
                return noMethod(t, m, call, env, inst.funs().keySet());
            }
            case Type.LayerT l -> {
                if ((l.kind().equals("LSTM") || l.kind().equals("GRU")) && name.equals("last")) {
                    Type out = applyValue(l, call, env, c.src.text(m.target().span()));
                    if (out instanceof Type.TensorT o && !o.shape().unknown() && o.shape().rank() == 3) {
                        return new Type.TensorT(o.elem(), Shape.of(List.of(o.shape().dims().get(0), o.shape().dims().get(2))));
                    }
                    return out instanceof Type.TensorT ? new Type.TensorT(Type.Elem.FLOAT, Shape.UNKNOWN) : out;
                }
                if (name.equals("forward")) return applyValue(l, call, env, c.src.text(m.target().span()));
                Type common = moduleMethod(name, call, env);
                return common != null ? common : noMethod(t, m, call, env, List.of("forward", "parameters", "train", "eval"));
            }
            case Type.RuntimeT r when r.name().equals("Optimizer") || r.name().equals("Scheduler") -> {
                evalArgs(call, env);
                List<String> known = r.name().equals("Optimizer") ? List.of("zeroGrad", "step") : List.of("step");
                if (!known.contains(name)) return noMethod(t, m, call, env, known);
                return Type.UNIT;
            }
            default -> {
                return noMethod(t, m, call, env, List.of());
            }
        }
    }

    /** Methods every module has (PyTorch's nn.Module). */
    private Type moduleMethod(String name, Expr.Call call, Env env) {
        return switch (name) {
            case "parameters" -> {
                evalArgs(call, env);
                yield new Type.RuntimeT("Parameters");
            }
            case "train", "eval", "zeroGrad" -> {
                evalArgs(call, env);
                yield Type.UNIT;
            }
            default -> null;
        };
    }

    private Type noMethod(Type t, Expr.Member m, Expr.Call call, Env env, java.util.Collection<String> known) {
        evalArgs(call, env);
        env.report.error(Diagnostic.error("name", m.nameSpan(), t.show() + " has no method `" + m.name() + "`" + Suggest.hint(m.name(), known)));
        return Type.UNKNOWN;
    }
}
