package org.nnc.ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nnc.tensor.Tensor;

/**
 * The one list of tensor operations. The checker reads each entry's {@link ShapeRule}, the code
 * generator calls its {@link OpDef#entryPoint()}, and the runtime implements it there; adding an op
 * means adding its method to {@link Ops} and one line here. Entry points are resolved when this class
 * loads, so a line naming a method that does not exist fails at once, not in generated code.
 */
public final class OpTable {
    private static final Class<?> T = Tensor.class;
    private static final Map<String, List<OpDef>> BY_NAME = new LinkedHashMap<>();
    private static final List<OpDef> ALL = new ArrayList<>();

    static {
        op("add", "+", ShapeRule.BROADCAST, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor[broadcast(A, B)]", "add", true, T, T);
        op("add", "+", ShapeRule.SAME, "(a: Tensor[*S], b: Float) -> Tensor[*S]", "add", true, T, double.class);
        op("sub", "-", ShapeRule.BROADCAST, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor[broadcast(A, B)]", "sub", true, T, T);
        op("mul", "*", ShapeRule.BROADCAST, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor[broadcast(A, B)]", "mul", true, T, T);
        op("mul", "*", ShapeRule.SAME, "(a: Tensor[*S], b: Float) -> Tensor[*S]", "mul", true, T, double.class);
        op("div", "/", ShapeRule.BROADCAST, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor[broadcast(A, B)]", "div", true, T, T);
        op("rdiv", "/", ShapeRule.SAME, "(a: Float, b: Tensor[*S]) -> Tensor[*S]", "rdiv", true, double.class, T);
        op("neg", "-", ShapeRule.SAME, "(x: Tensor[*S]) -> Tensor[*S]", "neg", true, T);
        op("exp", null, ShapeRule.SAME, "(x: Tensor[*S]) -> Tensor[*S]", "exp", true, T);
        op("log", null, ShapeRule.SAME, "(x: Tensor[*S]) -> Tensor[*S]", "log", true, T);
        op("sqrt", null, ShapeRule.SAME, "(x: Tensor[*S]) -> Tensor[*S]", "sqrt", true, T);
        op("abs", null, ShapeRule.SAME, "(x: Tensor[*S]) -> Tensor[*S]", "abs", true, T);
        op("pow", null, ShapeRule.SAME, "(x: Tensor[*S], p: Float) -> Tensor[*S]", "pow", true, T, double.class);
        op("pow", null, ShapeRule.BROADCAST, "(x: Tensor[*A], p: Tensor[*B]) -> Tensor[broadcast(A, B)]", "pow", true, T, T);
        op("clamp", null, ShapeRule.SAME, "(x: Tensor[*S], min: Float, max: Float) -> Tensor[*S]", "clamp", true, T, double.class, double.class);
        op("maximum", null, ShapeRule.BROADCAST, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor[broadcast(A, B)]", "maximum", true, T, T);
        op("minimum", null, ShapeRule.BROADCAST, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor[broadcast(A, B)]", "minimum", true, T, T);
        op("eq", "==", ShapeRule.COMPARE, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor<Bool>[broadcast(A, B)]", "eq", false, T, T);
        op("ne", "!=", ShapeRule.COMPARE, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor<Bool>[broadcast(A, B)]", "ne", false, T, T);
        op("lt", "<", ShapeRule.COMPARE, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor<Bool>[broadcast(A, B)]", "lt", false, T, T);
        op("le", "<=", ShapeRule.COMPARE, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor<Bool>[broadcast(A, B)]", "le", false, T, T);
        op("gt", ">", ShapeRule.COMPARE, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor<Bool>[broadcast(A, B)]", "gt", false, T, T);
        op("ge", ">=", ShapeRule.COMPARE, "(a: Tensor[*A], b: Tensor[*B]) -> Tensor<Bool>[broadcast(A, B)]", "ge", false, T, T);
        op("where", null, ShapeRule.WHERE, "(cond: Tensor<Bool>[*C], a: Tensor[*A], b: Tensor[*B]) -> Tensor[broadcast(C, A, B)]", "where", true, T, T, T);
        op("maskedFill", null, ShapeRule.SAME, "(x: Tensor[*S], mask: Tensor<Bool>[*M], value: Float) -> Tensor[*S]", "maskedFill", true, T, T, double.class);
        op("sum", null, ShapeRule.REDUCE_ALL, "(x: Tensor[*S]) -> Tensor[]", "sum", true, T);
        op("sum", null, ShapeRule.REDUCE_DIM, "(x: Tensor[*S], dim: Int, keep: Bool = false) -> Tensor[..]", "sum", true, T, int.class, boolean.class);
        op("mean", null, ShapeRule.REDUCE_ALL, "(x: Tensor[*S]) -> Tensor[]", "mean", true, T);
        op("mean", null, ShapeRule.REDUCE_DIM, "(x: Tensor[*S], dim: Int, keep: Bool = false) -> Tensor[..]", "mean", true, T, int.class, boolean.class);
        op("max", null, ShapeRule.REDUCE_ALL, "(x: Tensor[*S]) -> Tensor[]", "max", true, T);
        op("max", null, ShapeRule.REDUCE_DIM, "(x: Tensor[*S], dim: Int, keep: Bool = false) -> Tensor[..]", "max", true, T, int.class, boolean.class);
        op("min", null, ShapeRule.REDUCE_ALL, "(x: Tensor[*S]) -> Tensor[]", "min", true, T);
        op("min", null, ShapeRule.REDUCE_DIM, "(x: Tensor[*S], dim: Int, keep: Bool = false) -> Tensor[..]", "min", true, T, int.class, boolean.class);
        op("argmax", null, ShapeRule.REDUCE_ALL, "(x: Tensor[*S]) -> Tensor<Int>[]", "argmax", false, T);
        op("argmax", null, ShapeRule.REDUCE_DIM, "(x: Tensor[*S], dim: Int, keep: Bool = false) -> Tensor<Int>[..]", "argmax", false, T, int.class, boolean.class);
        op("matmul", "@", ShapeRule.MATMUL, "(a: Tensor[*S, n, k], b: Tensor[*S, k, m]) -> Tensor[*S, n, m]", "matmul", true, T, T);
        op("reshape", null, ShapeRule.RESHAPE, "(x: Tensor[*S], dims: Int...) -> Tensor[dims]", "reshape", true, T, int[].class);
        op("view", null, ShapeRule.RESHAPE, "(x: Tensor[*S], dims: Int...) -> Tensor[dims]", "view", true, T, int[].class);
        op("flatten", null, ShapeRule.FLATTEN, "(x: Tensor[*S], from: Int = 1, to: Int = -1) -> Tensor[..]", "flatten", true, T, int.class, int.class);
        op("transpose", null, ShapeRule.TRANSPOSE, "(x: Tensor[*S], i: Int, j: Int) -> Tensor[..]", "transpose", true, T, int.class, int.class);
        op("permute", null, ShapeRule.PERMUTE, "(x: Tensor[*S], dims: Int...) -> Tensor[..]", "permute", true, T, int[].class);
        op("squeeze", null, ShapeRule.SQUEEZE, "(x: Tensor[*S], dim: Int) -> Tensor[..]", "squeeze", true, T, int.class);
        op("unsqueeze", null, ShapeRule.UNSQUEEZE, "(x: Tensor[*S], dim: Int) -> Tensor[..]", "unsqueeze", true, T, int.class);
        op("expand", null, ShapeRule.EXPAND, "(x: Tensor[*S], dims: Int...) -> Tensor[dims]", "expand", true, T, int[].class);
        op("slice", ":", ShapeRule.SLICE, "(x: Tensor[*S], dim: Int, start: Int, end: Int, step: Int) -> Tensor[..]", "slice", true, T, int.class, int.class, int.class, int.class);
        op("select", "[]", ShapeRule.SELECT, "(x: Tensor[*S], dim: Int, index: Int) -> Tensor[..]", "select", true, T, int.class, int.class);
        op("contiguous", null, ShapeRule.SAME, "(x: Tensor[*S]) -> Tensor[*S]", "contiguous", true, T);
        op("concat", null, ShapeRule.CONCAT, "(xs: List<Tensor>, dim: Int) -> Tensor[..]", "concat", true, List.class, int.class);
        op("stack", null, ShapeRule.STACK, "(xs: List<Tensor>, dim: Int) -> Tensor[..]", "stack", true, List.class, int.class);
        op("gather", null, ShapeRule.GATHER, "(x: Tensor[*S], dim: Int, index: Tensor<Int>[*I]) -> Tensor[*I]", "gather", true, T, int.class, T);
        op("indexSelect", null, ShapeRule.INDEX_SELECT, "(x: Tensor[*S], dim: Int, index: Tensor<Int>[n]) -> Tensor[..]", "indexSelect", true, T, int.class, T);
    }

    private OpTable() {}

    private static void op(String name, String operator, ShapeRule rule, String signature, String method,
                           boolean differentiable, Class<?>... params) {
        try {
            OpDef def = new OpDef(name, operator, rule, signature, Ops.class.getMethod(method, params), differentiable);
            ALL.add(def);
            BY_NAME.computeIfAbsent(name, k -> new ArrayList<>()).add(def);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError("op table entry '" + name + "' names a missing method Ops." + method);
        }
    }

    /** Every op, in declaration order. */
    public static List<OpDef> all() { return Collections.unmodifiableList(ALL); }

    /** The overloads of one language name (empty when there are none). */
    public static List<OpDef> lookup(String name) { return BY_NAME.getOrDefault(name, List.of()); }
}
