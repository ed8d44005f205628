package org.nnc.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nnc.autograd.GradCheck;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** Every differentiable op of the table, checked against finite differences in float64. */
public class OpsGradCheckTest {

    /** One case: the op table name it covers, a label, the function, and its inputs. */
    public record Case(String op, String label, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        @Override public String toString() { return op + ": " + label; }
    }

    private static final Generator G = new Generator(7);

    /** Uniform in [-1, 1). */
    private static Tensor u(int... shape) { return Tensor.rand(G, DType.FLOAT64, shape).mul(2).add(-1).detach(); }

    /** Uniform in [0.5, 2): away from the poles of log, sqrt and division. */
    private static Tensor pos(int... shape) { return Tensor.rand(G, DType.FLOAT64, shape).mul(1.5).add(0.5).detach(); }

    private static Tensor idx(long[] values, int... shape) { return Tensor.of(values, shape); }

    private static Case c(String op, String label, Function<Tensor[], Tensor> f, Tensor... inputs) {
        return new Case(op, label, f, inputs);
    }

    public static List<Case> cases() {
        List<Case> l = new ArrayList<>();
        l.add(c("add", "[3,4] + [4]", x -> x[0].add(x[1]), u(3, 4), u(4)));
        l.add(c("add", "[2,1,4] + [3,1]", x -> x[0].add(x[1]), u(2, 1, 4), u(3, 1)));
        l.add(c("add", "[3,4] + 2.5", x -> x[0].add(2.5), u(3, 4)));
        l.add(c("sub", "[3,4] - [3,1]", x -> x[0].sub(x[1]), u(3, 4), u(3, 1)));
        l.add(c("sub", "[] - [2,3]", x -> x[0].sub(x[1]), u(), u(2, 3)));
        l.add(c("mul", "[2,3,4] * [3,4]", x -> x[0].mul(x[1]), u(2, 3, 4), u(3, 4)));
        l.add(c("mul", "[3,4] * -1.5", x -> x[0].mul(-1.5), u(3, 4)));
        l.add(c("div", "[3,4] / [4]", x -> x[0].div(x[1]), u(3, 4), pos(4)));
        l.add(c("div", "[4,1] / [1,3]", x -> x[0].div(x[1]), u(4, 1), pos(1, 3)));
        l.add(c("rdiv", "2 / x", x -> Ops.rdiv(2, x[0]), pos(3, 2)));
        l.add(c("neg", "-x", x -> x[0].neg(), u(2, 3)));
        l.add(c("exp", "exp", x -> x[0].exp(), u(2, 3)));
        l.add(c("log", "log", x -> x[0].log(), pos(2, 3)));
        l.add(c("sqrt", "sqrt", x -> x[0].sqrt(), pos(2, 3)));
        l.add(c("abs", "abs", x -> x[0].abs(), u(2, 3)));
        l.add(c("pow", "x^3", x -> x[0].pow(3), u(2, 3)));
        l.add(c("pow", "x^2.5", x -> x[0].pow(2.5), pos(2, 3)));
        l.add(c("pow", "a^b broadcast", x -> x[0].pow(x[1]), pos(2, 3), u(3)));
        l.add(c("clamp", "clamp(-0.5, 0.5)", x -> x[0].clamp(-0.5, 0.5), u(4, 5)));
        l.add(c("maximum", "[3,4] vs [4]", x -> x[0].maximum(x[1]), u(3, 4), u(4)));
        l.add(c("minimum", "[3,1] vs [1,4]", x -> x[0].minimum(x[1]), u(3, 1), u(1, 4)));
        Tensor cond = Tensor.of(new boolean[] {true, false, false, true, true, false}, 2, 3);
        l.add(c("where", "cond[2,3], a[3], b[2,1]", x -> Ops.where(cond, x[0], x[1]), u(3), u(2, 1)));
        Tensor mask = Tensor.of(new boolean[] {true, false, true}, 3);
        l.add(c("maskedFill", "[2,3] mask [3]", x -> x[0].maskedFill(mask, -7), u(2, 3)));
        l.add(c("sum", "all", x -> x[0].sum(), u(2, 3, 4)));
        l.add(c("mean", "all", x -> x[0].mean(), u(2, 3, 4)));
        l.add(c("max", "all", x -> x[0].max(), u(2, 3, 4)));
        l.add(c("min", "all", x -> x[0].min(), u(2, 3, 4)));
        for (int d = -3; d < 3; d++) {
            for (boolean keep : new boolean[] {false, true}) {
                int dim = d;
                String label = "dim " + d + (keep ? " keep" : "");
                l.add(c("sum", label, x -> x[0].sum(dim, keep), u(2, 3, 4)));
                l.add(c("mean", label, x -> x[0].mean(dim, keep), u(2, 3, 4)));
                l.add(c("max", label, x -> x[0].max(dim, keep), u(2, 3, 4)));
                l.add(c("min", label, x -> x[0].min(dim, keep), u(2, 3, 4)));
            }
        }
        l.add(c("sum", "over a transposed view", x -> x[0].t().sum(1, false), u(3, 4)));
        l.add(c("matmul", "[3,4] @ [4,5]", x -> x[0].matmul(x[1]), u(3, 4), u(4, 5)));
        l.add(c("matmul", "[2,3,4] @ [2,4,5]", x -> x[0].matmul(x[1]), u(2, 3, 4), u(2, 4, 5)));
        l.add(c("matmul", "[2,1,3,4] @ [3,4,2] broadcast batch", x -> x[0].matmul(x[1]), u(2, 1, 3, 4), u(3, 4, 2)));
        l.add(c("matmul", "[2,3,4] @ [4,5] shared right", x -> x[0].matmul(x[1]), u(2, 3, 4), u(4, 5)));
        l.add(c("matmul", "[4] @ [4,5]", x -> x[0].matmul(x[1]), u(4), u(4, 5)));
        l.add(c("matmul", "[3,4] @ [4]", x -> x[0].matmul(x[1]), u(3, 4), u(4)));
        l.add(c("matmul", "[4] @ [4]", x -> x[0].matmul(x[1]), u(4), u(4)));
        l.add(c("matmul", "[2,3,4] @ [4]", x -> x[0].matmul(x[1]), u(2, 3, 4), u(4)));
        l.add(c("matmul", "[4] @ [2,4,3]", x -> x[0].matmul(x[1]), u(4), u(2, 4, 3)));
        l.add(c("matmul", "transposed views", x -> x[0].t().matmul(x[1].t()), u(4, 3), u(5, 4)));
        l.add(c("reshape", "contiguous", x -> x[0].reshape(4, -1).mul(x[0].reshape(4, 3)), u(2, 6)));
        l.add(c("reshape", "of a transposed view (copies)", x -> x[0].t().reshape(-1), u(3, 4)));
        l.add(c("view", "view", x -> x[0].view(3, 2, 2), u(2, 6)));
        l.add(c("flatten", "1..2", x -> x[0].flatten(1, 2), u(2, 3, 4)));
        l.add(c("transpose", "0,2", x -> x[0].transpose(0, 2).mul(x[1]), u(2, 3, 4), u(4, 3, 2)));
        l.add(c("permute", "2,0,1", x -> x[0].permute(2, 0, 1).mul(x[1]), u(2, 3, 4), u(4, 2, 3)));
        l.add(c("slice", "[1:-1]", x -> x[0].slice(0, 1, -1, 1), u(5, 3)));
        l.add(c("slice", "[::2] on dim 1", x -> x[0].slice(1, Ops.NONE, Ops.NONE, 2), u(3, 5)));
        l.add(c("slice", "[::-1]", x -> x[0].slice(0, Ops.NONE, Ops.NONE, -1).mul(x[1]), u(4, 2), u(4, 2)));
        l.add(c("slice", "[-2:0:-1]", x -> x[0].slice(-1, -2, 0, -1), u(2, 6)));
        l.add(c("select", "x[:, -1]", x -> x[0].select(1, -1), u(3, 4)));
        l.add(c("select", "x[1]", x -> x[0].select(0, 1), u(3, 4)));
        l.add(c("expand", "[3,1] to [2,3,4]", x -> x[0].expand(2, 3, 4).mul(x[1]), u(3, 1), u(2, 3, 4)));
        l.add(c("squeeze", "dim 1", x -> x[0].squeeze(1), u(3, 1, 2)));
        l.add(c("unsqueeze", "dim -1", x -> x[0].unsqueeze(-1).mul(x[1]), u(3, 2), u(3, 2, 4)));
        l.add(c("contiguous", "of a permuted view", x -> x[0].permute(1, 0).contiguous(), u(3, 4)));
        l.add(c("concat", "dim 0", x -> Ops.concat(List.of(x[0], x[1]), 0), u(2, 3), u(4, 3)));
        l.add(c("concat", "dim -1 three parts", x -> Ops.concat(List.of(x[0], x[1], x[0]), -1), u(2, 3), u(2, 1)));
        l.add(c("stack", "dim 1", x -> Ops.stack(List.of(x[0], x[1]), 1), u(2, 3), u(2, 3)));
        l.add(c("gather", "dim 1 with repeats", x -> x[0].gather(1, idx(new long[] {0, 0, 2, 1, 1, 1}, 2, 3)), u(2, 4)));
        l.add(c("gather", "dim 0", x -> x[0].gather(0, idx(new long[] {2, 0, 1}, 1, 3)), u(3, 3)));
        l.add(c("indexSelect", "dim 0 with repeats", x -> x[0].indexSelect(0, idx(new long[] {2, 0, 2}, 3)), u(3, 4)));
        l.add(c("indexSelect", "dim 1", x -> x[0].indexSelect(1, idx(new long[] {1, 3}, 2)), u(3, 4)));
        l.add(c("composite", "softmax by hand", x -> {
            Tensor e = x[0].sub(x[0].max(-1, true)).exp();
            return e.div(e.sum(-1, true));
        }, u(3, 5)));
        return l;
    }

    static Stream<Case> caseStream() { return cases().stream(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseStream")
    void gradientMatchesFiniteDifferences(Case c) {
        GradCheck.Result r = GradCheck.check(c.f(), c.inputs());
        assertTrue(r.evaluations() > 0, "the check evaluated nothing");
    }

    /** Adding an op to the table without a gradient check here fails this test. */
    @Test
    void everyDifferentiableOpHasAGradientCheck() {
        Set<String> covered = new TreeSet<>();
        for (Case c : cases()) covered.add(c.op());
        Set<String> missing = new TreeSet<>();
        for (OpDef op : OpTable.all()) if (op.differentiable() && !covered.contains(op.name())) missing.add(op.name());
        assertEquals(Set.of(), missing, "ops without a gradient check");
    }
}
