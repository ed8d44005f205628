package org.nnc.frontend.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.nnc.frontend.ast.Decl;
import org.nnc.frontend.ast.Dim;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.ast.Program;
import org.nnc.frontend.ast.Stmt;
import org.nnc.frontend.diag.Diagnostics;
import org.nnc.frontend.diag.TextRenderer;
import org.nnc.frontend.source.SourceFile;

class ParseTest {
    static final String DIGITS = """
            // samples/digits_cnn.nnet
            /** A small CNN for 8×8 grayscale digits. */
            model DigitsCnn(channels: Int = 16, classes: Int = 10) {
                val conv = Conv2d(1, channels, kernel = 3, padding = 1)
                val pool = MaxPool2d(2)
                val fc   = Linear(channels * 4 * 4, classes)

                fun forward(x: Tensor[B, 1, 8, 8]): Tensor[B, classes] {
                    val h = pool(relu(conv(x)))          // Tensor[B, channels, 4, 4]
                    return fc(flatten(h))
                }
            }

            train(DigitsCnn()) {
                data       = csv("data/digits.csv", target = "label", shape = [1, 8, 8], scale = 1.0 / 16)
                validation = split(0.2)
                loss       = crossEntropy
                optimizer  = Adam(lr = 1e-3)
                epochs     = 20
                batchSize  = 32
                seed       = 0
                save       = "digits_cnn.safetensors"
            }
            """;

    private static Program parse(String text, Diagnostics d) {
        return Parse.file(SourceFile.of("t.nnet", text), d);
    }

    private static Program ok(String text) {
        Diagnostics d = new Diagnostics(SourceFile.of("t.nnet", text));
        Program p = parse(text, d);
        assertFalse(d.hasErrors(), TextRenderer.render(d));
        assertNotNull(p);
        return p;
    }

    @Test
    void theLanguageReferenceSampleParses() {
        Program p = ok(DIGITS);
        assertEquals(2, p.decls().size());
        Decl.Model m = assertInstanceOf(Decl.Model.class, p.decls().get(0));
        assertEquals("DigitsCnn", m.name());
        assertEquals("A small CNN for 8×8 grayscale digits.", m.doc());
        assertEquals(2, m.params().size());
        assertEquals(4, m.members().size());
        Decl.Fun fwd = assertInstanceOf(Decl.Fun.class, m.members().get(3));
        assertEquals(4, fwd.params().get(0).type().dims().size());
        assertInstanceOf(Dim.Name.class, fwd.returnType().dims().get(1));
        Decl.Train t = assertInstanceOf(Decl.Train.class, p.decls().get(1));
        assertEquals(8, t.entries().size());
        assertEquals("data", t.entries().get(0).key());
        assertEquals(15, t.entries().get(0).span().line());
    }

    @Test
    void newlinesContinueInsideParensAndAfterOperatorsAndBeforeDots() {
        Program p = ok("""
                fun f(x: Tensor[B, 4],
                      y: Tensor[B, 4]): Tensor[B, 4] {
                    val z = x +
                        y
                    return z
                        .transpose(0, 1)
                        .transpose(0, 1)
                }
                """);
        Decl.Fun f = (Decl.Fun) p.decls().get(0);
        assertEquals(2, f.body().stmts().size());
        Stmt.Return r = (Stmt.Return) f.body().stmts().get(1);
        assertInstanceOf(Expr.Call.class, r.value());
    }

    @Test
    void stringTemplatesSlicesLambdasAndLoops() {
        Program p = ok("""
                fun main() {
                    val blocks = List(3) { Linear(4, 4) }
                    var total = 0.0
                    for (i in 1..10) { total += i }
                    for ((x, y) in loader) {
                        println("loss ${total / 2} at $i")
                    }
                    while (total > 1) total = total / 2
                    val last = h[:, -1]
                    val every = h[::2, 1:3]
                    if (total < 3) { println("small") } else println("big")
                    noGrad { opt.step() }
                }
                """);
        Decl.Fun f = (Decl.Fun) p.decls().get(0);
        assertEquals(9, f.body().stmts().size());
        Stmt.ExprStmt print = (Stmt.ExprStmt) ((Stmt.Block) ((Stmt.For) f.body().stmts().get(3)).body()).stmts().get(0);
        Expr.Str s = (Expr.Str) ((Expr.Call) print.expr()).args().get(0).value();
        assertEquals(4, s.parts().size());
        assertNull(s.constant());
    }

    @Test
    void operatorPrecedence() {
        Program p = ok("val x = -a @ b * c + d[1] .. e == f && g || h\n");
        Expr e = ((Decl.Val) p.decls().get(0)).init();
        Expr.Binary or = (Expr.Binary) e;
        assertEquals("||", or.op());
        Expr.Binary and = (Expr.Binary) or.left();
        assertEquals("&&", and.op());
        Expr.Binary eq = (Expr.Binary) and.left();
        Expr.Binary range = (Expr.Binary) eq.left();
        assertEquals("..", range.op());
        Expr.Binary plus = (Expr.Binary) range.left();
        Expr.Binary times = (Expr.Binary) plus.left();
        assertEquals("*", times.op());
        Expr.Binary mm = (Expr.Binary) times.left();
        assertEquals("@", mm.op());
        assertInstanceOf(Expr.Unary.class, mm.left());
    }
}
