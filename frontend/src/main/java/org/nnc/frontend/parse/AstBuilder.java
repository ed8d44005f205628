package org.nnc.frontend.parse;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BufferedTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.nnc.frontend.ast.Decl;
import org.nnc.frontend.ast.Dim;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.ast.Program;
import org.nnc.frontend.ast.Stmt;
import org.nnc.frontend.ast.TypeRef;
import org.nnc.frontend.diag.Diagnostic;
import org.nnc.frontend.diag.Diagnostics;
import org.nnc.frontend.source.Span;
import org.nnc.grammar.NNetParser;
import org.nnc.grammar.NNetParser.*;
import org.nnc.grammar.NNetParserBaseVisitor;

/** Parse tree to AST, in one visitor. Runs only on trees without syntax errors. */
final class AstBuilder extends NNetParserBaseVisitor<Object> {
    private static final int DOC_CHANNEL = 2;
    private final BufferedTokenStream tokens;
    private final Diagnostics diags;

    AstBuilder(BufferedTokenStream tokens, Diagnostics diags) {
        this.tokens = tokens;
        this.diags = diags;
    }

    // ------------------------------------------------------------------ spans and docs

    static Span span(ParserRuleContext ctx) {
        Token a = ctx.getStart(), b = ctx.getStop() == null ? ctx.getStart() : ctx.getStop();
        return new Span(a.getLine(), a.getCharPositionInLine() + 1, b.getLine(), endCol(b));
    }

    static Span span(Token t) {
        return new Span(t.getLine(), t.getCharPositionInLine() + 1, t.getLine(), endCol(t));
    }

    private static int endCol(Token t) {
        String text = t.getText();
        return t.getCharPositionInLine() + 1 + (t.getType() == Token.EOF || text == null ? 0 : text.length());
    }

    private String doc(ParserRuleContext ctx) {
        List<Token> hidden = tokens.getHiddenTokensToLeft(ctx.getStart().getTokenIndex(), DOC_CHANNEL);
        if (hidden == null || hidden.isEmpty()) return null;
        String raw = hidden.get(hidden.size() - 1).getText();
        String body = raw.substring(3, raw.length() - 2);
        StringBuilder sb = new StringBuilder();
        for (String line : body.split("\n")) {
            String l = line.strip();
            if (l.startsWith("*")) l = l.substring(1).strip();
            if (!l.isEmpty()) sb.append(sb.length() > 0 ? " " : "").append(l);
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ declarations

    Program program(FileContext ctx) {
        List<Decl> decls = new ArrayList<>();
        for (DeclContext d : ctx.decl()) decls.add((Decl) visit(d.getChild(0)));
        return new Program(decls);
    }

    @Override
    public Decl visitImportDecl(ImportDeclContext ctx) {
        Expr.Str s = string(ctx.string());
        String path = s.constant();
        if (path == null) {
            diags.report(Diagnostic.error("syntax", s.span(), "an import path cannot contain ${…} or $name"));
            path = "";
        }
        return new Decl.Import(path, span(ctx));
    }

    @Override
    public Decl visitModelDecl(ModelDeclContext ctx) {
        List<Decl> members = new ArrayList<>();
        for (MemberContext m : ctx.member()) members.add((Decl) visit(m.getChild(0)));
        return new Decl.Model(ctx.name.getText(), span(ctx.name), params(ctx.params()), members, doc(ctx), span(ctx));
    }

    @Override
    public Decl visitFunDecl(FunDeclContext ctx) {
        TypeRef ret = ctx.type() == null ? null : type(ctx.type());
        Stmt.Block body = ctx.block() == null ? null : block(ctx.block());
        Expr exprBody = ctx.expr() == null ? null : expr(ctx.expr());
        return new Decl.Fun(ctx.name.getText(), span(ctx.name), params(ctx.params()), ret, body, exprBody, doc(ctx), span(ctx));
    }

    private List<Decl.Param> params(ParamsContext ctx) {
        List<Decl.Param> out = new ArrayList<>();
        if (ctx == null) return out;
        for (ParamContext p : ctx.param()) {
            out.add(new Decl.Param(p.name.getText(), span(p.name), type(p.type()),
                    p.expr() == null ? null : expr(p.expr()), span(p)));
        }
        return out;
    }

    @Override
    public Decl.Val visitValDecl(ValDeclContext ctx) {
        return new Decl.Val(ctx.VAR() != null, ctx.name.getText(), span(ctx.name),
                ctx.type() == null ? null : type(ctx.type()), expr(ctx.expr()), doc(ctx), span(ctx));
    }

    @Override
    public Decl visitTrainDecl(TrainDeclContext ctx) {
        List<Decl.Entry> entries = new ArrayList<>();
        for (TrainEntryContext e : ctx.trainEntry()) {
            entries.add(new Decl.Entry(e.key.getText(), span(e.key), expr(e.expr()), span(e)));
        }
        return new Decl.Train(expr(ctx.expr()), entries, span(ctx));
    }

    // ------------------------------------------------------------------ types

    TypeRef type(TypeContext ctx) {
        List<TypeRef> args = new ArrayList<>();
        for (TypeContext a : ctx.type()) args.add(type(a));
        List<Dim> dims = null;
        if (ctx.LBRACK() != null) {
            dims = new ArrayList<>();
            if (ctx.dims() != null) for (DimContext d : ctx.dims().dim()) dims.add(dim(d));
        }
        return new TypeRef(ctx.name.getText(), args, dims, span(ctx));
    }

    private Dim dim(DimContext ctx) {
        if (ctx instanceof SpreadDimContext s) return new Dim.Spread(s.ID().getText(), span(ctx));
        return dimExpr(((ExprDimContext) ctx).dimExpr());
    }

    private Dim dimExpr(DimExprContext ctx) {
        return switch (ctx) {
            case ParenDimContext p -> dimExpr(p.dimExpr());
            case MulDimContext m -> new Dim.Bin(m.op.getText().charAt(0), dimExpr(m.dimExpr(0)), dimExpr(m.dimExpr(1)), span(ctx));
            case AddDimContext a -> new Dim.Bin(a.op.getText().charAt(0), dimExpr(a.dimExpr(0)), dimExpr(a.dimExpr(1)), span(ctx));
            case IntDimContext i -> new Dim.Num(integer(i.INT().getSymbol()), span(ctx));
            case NameDimContext n -> new Dim.Name(n.ID().getText(), span(ctx));
            default -> throw new IllegalStateException("unhandled dimension " + ctx.getClass().getSimpleName());
        };
    }

    // ------------------------------------------------------------------ statements

    Stmt.Block block(BlockContext ctx) {
        List<Stmt> stmts = new ArrayList<>();
        for (StatementContext s : ctx.statement()) stmts.add(stmt(s));
        return new Stmt.Block(stmts, span(ctx));
    }

    private Stmt body(BodyContext ctx) {
        return ctx.block() != null ? block(ctx.block()) : stmt(ctx.statement());
    }

    private Stmt stmt(StatementContext ctx) {
        return switch (ctx) {
            case ValStmtContext v -> visitValDecl(v.valDecl());
            case ReturnStmtContext r -> new Stmt.Return(r.expr() == null ? null : expr(r.expr()), span(ctx));
            case IfStmtContext i -> new Stmt.If(expr(i.expr()), body(i.body(0)), i.body().size() > 1 ? body(i.body(1)) : null, span(ctx));
            case ForStmtContext f -> {
                List<String> names = new ArrayList<>();
                List<Span> spans = new ArrayList<>();
                List<IdentContext> ids = f.forTarget() instanceof ForTupleContext t ? t.ident() : List.of(((ForNameContext) f.forTarget()).ident());
                for (IdentContext id : ids) {
                    names.add(id.getText());
                    spans.add(span(id));
                }
                yield new Stmt.For(names, spans, expr(f.expr()), body(f.body()), span(ctx));
            }
            case WhileStmtContext w -> new Stmt.While(expr(w.expr()), body(w.body()), span(ctx));
            case AssignStmtContext a -> new Stmt.Assign(expr(a.target), a.op.getText(), expr(a.expr(1)), span(ctx));
            case ExprStmtContext e -> new Stmt.ExprStmt(expr(e.expr()), span(ctx));
            default -> throw new IllegalStateException("unhandled statement " + ctx.getClass().getSimpleName());
        };
    }

    // ------------------------------------------------------------------ expressions

    Expr expr(ExprContext ctx) {
        Span sp = span(ctx);
        return switch (ctx) {
            case PrimaryExprContext p -> primary(p.primary());
            case MemberExprContext m -> new Expr.Member(expr(m.expr()), m.name.getText(), span(m.name), sp);
            case CallExprContext c -> new Expr.Call(expr(c.expr()), args(c.args()),
                    c.lambda() == null ? null : lambda(c.lambda()), sp);
            case TrailingLambdaExprContext t -> new Expr.Call(expr(t.expr()), List.of(), lambda(t.lambda()), sp);
            case IndexExprContext i -> {
                List<Expr.IndexItem> items = new ArrayList<>();
                for (IndexItemContext it : i.indexItem()) items.add(indexItem(it));
                yield new Expr.Index(expr(i.expr()), items, sp);
            }
            case UnaryExprContext u -> new Expr.Unary(u.op.getText(), expr(u.expr()), sp);
            case BinaryExprContext b -> new Expr.Binary(b.op.getText(), expr(b.expr(0)), expr(b.expr(1)), sp);
            case IfExprContext i -> new Expr.IfElse(expr(i.expr(0)), expr(i.expr(1)), expr(i.expr(2)), sp);
            default -> throw new IllegalStateException("unhandled expression " + ctx.getClass().getSimpleName());
        };
    }

    private Expr primary(PrimaryContext ctx) {
        Span sp = span(ctx);
        return switch (ctx) {
            case IntLitContext i -> new Expr.IntLit(integer(i.INT().getSymbol()), sp);
            case FloatLitContext f -> new Expr.FloatLit(Double.parseDouble(f.FLOAT().getText()), sp);
            case BoolLitContext b -> new Expr.BoolLit(b.TRUE() != null, sp);
            case StringLitContext s -> string(s.string());
            case NameRefContext n -> new Expr.Name(n.ident().getText(), sp);
            case ParenExprContext p -> expr(p.expr());
            case TupleLitContext t -> new Expr.Tuple(t.expr().stream().map(this::expr).toList(), sp);
            case ListLitContext l -> new Expr.ListLit(l.expr().stream().map(this::expr).toList(), sp);
            default -> throw new IllegalStateException("unhandled primary " + ctx.getClass().getSimpleName());
        };
    }

    private Expr.Lambda lambda(LambdaContext ctx) {
        return new Expr.Lambda(block(ctx.block()), span(ctx));
    }

    private List<Expr.Arg> args(ArgsContext ctx) {
        List<Expr.Arg> out = new ArrayList<>();
        if (ctx == null) return out;
        for (ArgContext a : ctx.arg()) {
            out.add(new Expr.Arg(a.name == null ? null : a.name.getText(), a.name == null ? null : span(a.name),
                    expr(a.expr()), span(a)));
        }
        return out;
    }

    private Expr.IndexItem indexItem(IndexItemContext ctx) {
        if (ctx instanceof AtItemContext a) return new Expr.At(expr(a.expr()), span(ctx));
        SliceItemContext s = (SliceItemContext) ctx;
        return new Expr.Slice(s.start == null ? null : expr(s.start), s.end == null ? null : expr(s.end),
                s.step == null ? null : expr(s.step), span(ctx));
    }

    private Expr.Str string(StringContext ctx) {
        List<Object> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (StringPartContext p : ctx.stringPart()) {
            switch (p) {
                case StrTextContext t -> text.append(t.getText());
                case StrEscapeContext e -> text.append(unescape(e.getText().charAt(1)));
                case StrRefContext r -> {
                    flush(parts, text);
                    Token tok = r.STR_REF().getSymbol();
                    Span sp = span(tok);
                    parts.add(new Expr.Name(tok.getText().substring(1), new Span(sp.line(), sp.col() + 1, sp.endLine(), sp.endCol())));
                }
                case StrExprContext x -> {
                    flush(parts, text);
                    parts.add(expr(x.expr()));
                }
                default -> throw new IllegalStateException("unhandled string part");
            }
        }
        flush(parts, text);
        return new Expr.Str(parts, span(ctx));
    }

    private static void flush(List<Object> parts, StringBuilder text) {
        if (text.length() > 0) {
            parts.add(new Expr.Str.Text(text.toString()));
            text.setLength(0);
        }
    }

    private static char unescape(char c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            default -> c;
        };
    }

    private long integer(Token t) {
        try {
            return Long.parseLong(t.getText());
        } catch (NumberFormatException e) {
            diags.report(Diagnostic.error("syntax", span(t), "integer literal " + t.getText() + " is too large (the largest Int is "
                    + Long.MAX_VALUE + ")"));
            return 0;
        }
    }

    @SuppressWarnings("unused")
    private static final Class<?> PARSER = NNetParser.class;
}
