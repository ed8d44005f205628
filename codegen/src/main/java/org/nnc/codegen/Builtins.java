package org.nnc.codegen;

import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.check.Signatures;
import org.nnc.frontend.types.Type;
import org.nnc.ops.OpTable;

/**
 * Code for the built-in layers and functions: a layer is a {@code new} of its runtime class; tensor
 * operations go through the op table's entry points; activations, pooling and losses call
 * {@code org.nnc.nn.Functional}; data sources, optimizers and the rest call small runtime helpers.
 */
final class Builtins {
    private static final String TD = "Lorg/nnc/tensor/Tensor;";
    private static final String F = "org/nnc/nn/Functional";
    private static final String T = "org/nnc/tensor/Tensor";

    private Builtins() {}

    /** Defaults of optional layer arguments (a pool's stride defaults to its kernel). */
    static JType layer(MethodGen g, String kind, Expr.Call call) {
        Signatures.Bound b = Signatures.bind(kind, call.args());
        String cls = "org/nnc/nn/" + kind;
        var mv = g.mv;
        mv.visitTypeInsn(NEW, cls);
        mv.visitInsn(DUP);
        StringBuilder desc = new StringBuilder("(");
        if (kind.equals("Sequential")) {
            g.iconst(b.rest().size());
            mv.visitTypeInsn(ANEWARRAY, "org/nnc/nn/Module");
            for (int i = 0; i < b.rest().size(); i++) {
                mv.visitInsn(DUP);
                g.iconst(i);
                g.expr(b.rest().get(i), JType.MODULE);
                mv.visitInsn(AASTORE);
            }
            desc.append("[Lorg/nnc/nn/Module;");
        } else {
            for (String p : Signatures.layer(kind)) {
                Expr a = b.args().get(p);
                JType t = p.equals("p") ? JType.DOUBLE : p.equals("bias") ? JType.BOOLEAN : JType.INT;
                if (a != null) {
                    g.expr(a, t);
                } else if (p.equals("stride") && kind.endsWith("Pool2d")) {
                    g.expr(b.args().get("kernel"), JType.INT);
                } else {
                    Long d = Signatures.layerDefault(p);
                    if (d == null) throw new IllegalStateException("internal: " + kind + "." + p + " has no default but no argument either");
                    if (t == JType.BOOLEAN) mv.visitInsn(d != 0 ? ICONST_1 : ICONST_0);
                    else g.iconst(d.intValue());
                }
                desc.append(t.descriptor());
            }
        }
        mv.visitMethodInsn(INVOKESPECIAL, cls, "<init>", desc.append(")V").toString(), false);
        return JType.obj(cls);
    }

    /** A built-in function; {@code receiver} is the target of the method form {@code x.f(…)}. */
    static JType call(MethodGen g, String name, Expr.Call call, Expr.Arg receiver) {
        List<Expr.Arg> args = new ArrayList<>();
        if (receiver != null) args.add(receiver);
        args.addAll(call.args());
        var mv = g.mv;
        Signatures.Bound b = Signatures.isBuiltin(name) ? Signatures.bind(name, args) : null;
        if (b != null && !OpTable.lookup(name).isEmpty() && !isSpecial(name)) {
            Type first = g.typeOf(args.get(0).value());
            if (!(first instanceof Type.TensorT) && (name.equals("sqrt") || name.equals("exp") || name.equals("log") || name.equals("abs")
                    || name.equals("pow"))) {
                return math(g, name, b);
            }
            return g.op(name, args, null);
        }
        if (Signatures.isActivation(name)) return activation(g, name, b);
        if (Signatures.isLoss(name)) return loss(g, name, b);
        switch (name) {
            case "dropout" -> {
                g.expr(b.args().get("x"), JType.TENSOR);
                number(g, b, "p", 0.5);
                if (g.model != null) {
                    mv.visitVarInsn(ALOAD, 0);
                    g.invokeVirtual("org/nnc/nn/Module", "isTraining", "()Z");
                } else {
                    mv.visitInsn(ICONST_1);
                }
                g.invokeStatic("org/nnc/tensor/Generator", "global", "()Lorg/nnc/tensor/Generator;");
                g.invokeStatic(F, "dropout", "(" + TD + "DZLorg/nnc/tensor/Generator;)" + TD);
                return JType.TENSOR;
            }
            case "maxPool2d", "avgPool2d" -> {
                g.expr(b.args().get("x"), JType.TENSOR);
                g.expr(b.args().get("kernel"), JType.INT);
                g.expr(b.args().getOrDefault("stride", b.args().get("kernel")), JType.INT);
                if (b.args().containsKey("padding")) g.expr(b.args().get("padding"), JType.INT);
                else mv.visitInsn(ICONST_0);
                g.invokeStatic(F, name, "(" + TD + "III)" + TD);
                return JType.TENSOR;
            }
            case "csv" -> {
                mv.visitLdcInsn(g.c.dataFolder());
                g.expr(b.args().get("path"), JType.STRING);
                stringOrNull(g, b.args().get("target"));
                Expr features = b.args().get("features");
                if (features instanceof Expr.ListLit l) {
                    g.iconst(l.items().size());
                    mv.visitTypeInsn(ANEWARRAY, "java/lang/String");
                    for (int i = 0; i < l.items().size(); i++) {
                        mv.visitInsn(DUP);
                        g.iconst(i);
                        g.expr(l.items().get(i), JType.STRING);
                        mv.visitInsn(AASTORE);
                    }
                } else {
                    mv.visitInsn(ACONST_NULL);
                }
                shape(g, b.args().get("shape"));
                number(g, b, "scale", 1.0);
                if (b.args().containsKey("normalize")) g.expr(b.args().get("normalize"), JType.BOOLEAN);
                else mv.visitInsn(ICONST_0);
                stringOrNull(g, b.args().get("missing"));
                mv.visitLdcInsn(g.dataKind);
                g.invokeStatic("org/nnc/train/Sources", "csv", "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;[IDZ"
                        + "Ljava/lang/String;Ljava/lang/String;)Lorg/nnc/data/Dataset;");
                return JType.DATASET;
            }
            case "idx", "npy" -> {
                mv.visitLdcInsn(g.c.dataFolder());
                g.expr(b.args().get(name.equals("idx") ? "images" : "features"), JType.STRING);
                g.expr(b.args().get("labels"), JType.STRING);
                shape(g, b.args().get("shape"));
                number(g, b, "scale", name.equals("idx") ? 1.0 / 255 : 1.0);
                g.invokeStatic("org/nnc/train/Sources", name, "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;[ID)Lorg/nnc/data/Dataset;");
                return JType.DATASET;
            }
            case "DataLoader" -> {
                mv.visitTypeInsn(NEW, JType.LOADER.internalName());
                mv.visitInsn(DUP);
                g.expr(b.args().get("dataset"), JType.DATASET);
                if (b.args().containsKey("batchSize")) g.expr(b.args().get("batchSize"), JType.INT);
                else mv.visitInsn(ICONST_1);
                bool(g, b, "shuffle");
                bool(g, b, "dropLast");
                if (b.args().containsKey("workers")) g.expr(b.args().get("workers"), JType.INT);
                else mv.visitInsn(ICONST_0);
                if (b.args().containsKey("seed")) g.expr(b.args().get("seed"), JType.LONG);
                else g.lconst(0);
                mv.visitMethodInsn(INVOKESPECIAL, JType.LOADER.internalName(), "<init>", "(Lorg/nnc/data/Dataset;IZZIJ)V", false);
                return JType.LOADER;
            }
            case "SGD", "Adam", "AdamW", "RMSprop", "Adagrad" -> {
                spec(g, name, b, "org/nnc/train/OptimizerSpec", "params");
                if (b.args().containsKey("params")) {
                    g.expr(b.args().get("params"), JType.LIST);
                    g.invokeVirtual("org/nnc/train/OptimizerSpec", "apply", "(Ljava/util/List;)Lorg/nnc/optim/Optimizer;");
                    return JType.OPTIMIZER;
                }
                return JType.OPTIMIZER_SPEC;
            }
            case "StepLR", "CosineAnnealingLR" -> {
                spec(g, name, b, "org/nnc/train/SchedulerSpec", "optimizer");
                if (b.args().containsKey("optimizer")) {
                    g.expr(b.args().get("optimizer"), JType.OPTIMIZER);
                    g.invokeVirtual("org/nnc/train/SchedulerSpec", "apply", "(Lorg/nnc/optim/Optimizer;)Lorg/nnc/optim/Scheduler;");
                    return JType.SCHEDULER;
                }
                return JType.SCHEDULER_SPEC;
            }
            case "println", "print" -> {
                mv.visitFieldInsn(GETSTATIC, "java/lang/System", "out", "Ljava/io/PrintStream;");
                mv.visitTypeInsn(NEW, "java/lang/StringBuilder");
                mv.visitInsn(DUP);
                mv.visitMethodInsn(INVOKESPECIAL, "java/lang/StringBuilder", "<init>", "()V", false);
                for (int i = 0; i < b.rest().size(); i++) {
                    if (i > 0) {
                        mv.visitLdcInsn(" ");
                        g.invokeVirtual("java/lang/StringBuilder", "append", "(Ljava/lang/String;)Ljava/lang/StringBuilder;");
                    }
                    JType t = g.expr(b.rest().get(i));
                    String d = t.isPrimitive() ? t.descriptor() : t == JType.STRING ? "Ljava/lang/String;" : "Ljava/lang/Object;";
                    g.invokeVirtual("java/lang/StringBuilder", "append", "(" + d + ")Ljava/lang/StringBuilder;");
                }
                g.invokeVirtual("java/lang/StringBuilder", "toString", "()Ljava/lang/String;");
                g.invokeVirtual("java/io/PrintStream", name, "(Ljava/lang/String;)V");
                return JType.VOID;
            }
            case "listOf" -> {
                List<Expr> items = b.rest();
                g.iconst(items.size());
                mv.visitTypeInsn(ANEWARRAY, "java/lang/Object");
                for (int i = 0; i < items.size(); i++) {
                    mv.visitInsn(DUP);
                    g.iconst(i);
                    g.expr(items.get(i), JType.OBJECT);
                    mv.visitInsn(AASTORE);
                }
                g.invokeStatic("java/util/List", "of", "([Ljava/lang/Object;)Ljava/util/List;");
                return JType.LIST;
            }
            case "List" -> {
                Type elemType = ((Type.ListT) g.typeOf(call)).elem();
                boolean modules = elemType instanceof Type.LayerT || elemType instanceof Type.ModelT;
                mv.visitTypeInsn(NEW, "java/util/ArrayList");
                mv.visitInsn(DUP);
                mv.visitMethodInsn(INVOKESPECIAL, "java/util/ArrayList", "<init>", "()V", false);
                int list = g.temp(JType.OBJECT), i = g.temp(JType.LONG), n = g.temp(JType.LONG);
                mv.visitVarInsn(ASTORE, list);
                g.expr(b.args().get("size"), JType.LONG);
                mv.visitVarInsn(LSTORE, n);
                g.lconst(0);
                mv.visitVarInsn(LSTORE, i);
                var top = new org.objectweb.asm.Label();
                var done = new org.objectweb.asm.Label();
                mv.visitLabel(top);
                mv.visitVarInsn(LLOAD, i);
                mv.visitVarInsn(LLOAD, n);
                mv.visitInsn(LCMP);
                mv.visitJumpInsn(IFGE, done);
                mv.visitVarInsn(ALOAD, list);
                JType v = g.lambdaValue(call.trailing().body());
                g.coerce(v, JType.OBJECT);
                g.invokeInterface("java/util/List", "add", "(Ljava/lang/Object;)Z");
                mv.visitInsn(POP);
                mv.visitVarInsn(LLOAD, i);
                mv.visitInsn(LCONST_1);
                mv.visitInsn(LADD);
                mv.visitVarInsn(LSTORE, i);
                mv.visitJumpInsn(GOTO, top);
                mv.visitLabel(done);
                if (modules) {
                    mv.visitTypeInsn(NEW, JType.MODULE_LIST.internalName());
                    mv.visitInsn(DUP);
                    mv.visitVarInsn(ALOAD, list);
                    mv.visitMethodInsn(INVOKESPECIAL, JType.MODULE_LIST.internalName(), "<init>", "(Ljava/util/List;)V", false);
                    return JType.MODULE_LIST;
                }
                mv.visitVarInsn(ALOAD, list);
                return JType.LIST;
            }
            case "noGrad" -> {
                return g.noGrad(call.trailing().body());
            }
            case "save" -> {
                g.expr(b.args().get("model"), JType.MODULE);
                g.expr(b.args().get("path"), JType.STRING);
                g.invokeStatic("org/nnc/train/Checkpoints", "save", "(Lorg/nnc/nn/Module;Ljava/lang/String;)V");
                return JType.VOID;
            }
            case "load" -> {
                g.expr(b.args().get("model"), JType.MODULE);
                mv.visitLdcInsn(g.c.dataFolder());
                g.expr(b.args().get("path"), JType.STRING);
                g.invokeStatic("org/nnc/train/Checkpoints", "load", "(Lorg/nnc/nn/Module;Ljava/lang/String;Ljava/lang/String;)V");
                return JType.VOID;
            }
            case "manualSeed" -> {
                g.invokeStatic("org/nnc/tensor/Generator", "global", "()Lorg/nnc/tensor/Generator;");
                g.expr(b.args().get("seed"), JType.LONG);
                g.invokeVirtual("org/nnc/tensor/Generator", "manualSeed", "(J)V");
                return JType.VOID;
            }
            case "zeros", "ones", "rand", "randn" -> {
                List<Expr> dims = b.rest();
                if (dims.size() == 1 && dims.get(0) instanceof Expr.ListLit l) dims = l.items();
                g.intArray(dims);
                g.invokeStatic(T, name, "([I)" + TD);
                if (g.model != null) {
                    // Inside a model, on the model's device, so that a model trained on a GPU can make its own
                    // tensors (random ones are drawn on the host, so a seed gives the same values everywhere).
                    mv.visitVarInsn(ALOAD, 0);
                    g.invokeVirtual("org/nnc/nn/Module", "device", "()Lorg/nnc/tensor/Device;");
                    g.invokeVirtual(T, "to", "(Lorg/nnc/tensor/Device;)" + TD);
                }
                return JType.TENSOR;
            }
            case "item" -> {
                g.expr(b.args().get("x"), JType.TENSOR);
                g.invokeVirtual(T, "item", "()D");
                return JType.DOUBLE;
            }
            case "backward" -> {
                g.expr(b.args().get("x"), JType.TENSOR);
                if (b.args().containsKey("gradient")) {
                    g.expr(b.args().get("gradient"), JType.TENSOR);
                    g.invokeVirtual(T, "backward", "(" + TD + ")V");
                } else {
                    g.invokeVirtual(T, "backward", "()V");
                }
                return JType.VOID;
            }
            case "detach", "t" -> {
                g.expr(b.args().get("x"), JType.TENSOR);
                g.invokeVirtual(T, name, "()" + TD);
                return JType.TENSOR;
            }
            case "numel" -> {
                g.expr(b.args().get("x"), JType.TENSOR);
                g.invokeVirtual(T, "numel", "()I");
                mv.visitInsn(I2L);
                return JType.LONG;
            }
            case "size" -> {
                g.expr(b.args().get("x"), JType.TENSOR);
                g.expr(b.args().get("dim"), JType.INT);
                g.invokeVirtual(T, "size", "(I)I");
                mv.visitInsn(I2L);
                return JType.LONG;
            }
            default -> throw new IllegalStateException("internal: no code for built-in " + name);
        }
    }

    /** Names handled here although the op table lists them (they take plain numbers too). */
    private static boolean isSpecial(String name) { return false; }

    private static JType math(MethodGen g, String name, Signatures.Bound b) {
        g.expr(b.args().get("x"), JType.DOUBLE);
        if (name.equals("pow")) {
            g.expr(b.args().get("p"), JType.DOUBLE);
            g.invokeStatic("java/lang/Math", "pow", "(DD)D");
        } else {
            g.invokeStatic("java/lang/Math", name, "(D)D");
        }
        return JType.DOUBLE;
    }

    private static JType activation(MethodGen g, String name, Signatures.Bound b) {
        g.expr(b.args().get("x"), JType.TENSOR);
        switch (name) {
            case "elu" -> {
                number(g, b, "alpha", 1.0);
                g.invokeStatic(F, name, "(" + TD + "D)" + TD);
            }
            case "leakyRelu" -> {
                number(g, b, "slope", 0.01);
                g.invokeStatic(F, name, "(" + TD + "D)" + TD);
            }
            case "softmax", "logSoftmax" -> {
                if (b.args().containsKey("dim")) g.expr(b.args().get("dim"), JType.INT);
                else g.iconst(-1);
                g.invokeStatic(F, name, "(" + TD + "I)" + TD);
            }
            default -> g.invokeStatic(F, name, "(" + TD + ")" + TD);
        }
        return JType.TENSOR;
    }

    private static JType loss(MethodGen g, String name, Signatures.Bound b) {
        List<String> ps = List.copyOf(b.args().keySet());
        String first = switch (name) {
            case "crossEntropy", "bceWithLogits" -> "logits";
            case "nll" -> "logProbs";
            case "bce" -> "probs";
            default -> "input";
        };
        g.expr(b.args().get(first), JType.TENSOR);
        g.expr(b.args().get("target"), JType.TENSOR);
        boolean extra = ps.contains("labelSmoothing") || ps.contains("ignoreIndex");
        if (name.equals("crossEntropy") && extra) {
            number(g, b, "labelSmoothing", 0);
            if (b.args().containsKey("ignoreIndex")) g.expr(b.args().get("ignoreIndex"), JType.LONG);
            else g.lconst(-100);
            g.mv.visitFieldInsn(GETSTATIC, F + "$Reduction", "MEAN", "L" + F + "$Reduction;");
            g.invokeStatic(F, name, "(" + TD + TD + "DJL" + F + "$Reduction;)" + TD);
        } else if (name.equals("nll") && ps.contains("ignoreIndex")) {
            g.expr(b.args().get("ignoreIndex"), JType.LONG);
            g.mv.visitFieldInsn(GETSTATIC, F + "$Reduction", "MEAN", "L" + F + "$Reduction;");
            g.invokeStatic(F, name, "(" + TD + TD + "JL" + F + "$Reduction;)" + TD);
        } else {
            g.invokeStatic(F, name, "(" + TD + TD + ")" + TD);
        }
        return JType.TENSOR;
    }

    private static void number(MethodGen g, Signatures.Bound b, String p, double dflt) {
        if (b.args().containsKey(p)) g.expr(b.args().get(p), JType.DOUBLE);
        else g.dconst(dflt);
    }

    private static void bool(MethodGen g, Signatures.Bound b, String p) {
        if (b.args().containsKey(p)) g.expr(b.args().get(p), JType.BOOLEAN);
        else g.mv.visitInsn(ICONST_0);
    }

    private static void stringOrNull(MethodGen g, Expr e) {
        if (e == null) g.mv.visitInsn(ACONST_NULL);
        else g.expr(e, JType.STRING);
    }

    private static void shape(MethodGen g, Expr e) {
        if (e instanceof Expr.ListLit l) g.intArray(l.items());
        else g.mv.visitInsn(ACONST_NULL);
    }

    /** An optimizer or scheduler spec: its name and its numeric options (a betas tuple becomes beta1, beta2). */
    private static void spec(MethodGen g, String name, Signatures.Bound b, String cls, String skip) {
        List<String> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        for (Map.Entry<String, Expr> e : b.args().entrySet()) {
            if (e.getKey().equals(skip)) continue;
            if (e.getValue() instanceof Expr.Tuple t && e.getKey().equals("betas")) {
                keys.add("beta1");
                values.add(t.items().get(0));
                keys.add("beta2");
                values.add(t.items().get(1));
            } else {
                keys.add(e.getKey());
                values.add(e.getValue());
            }
        }
        var mv = g.mv;
        mv.visitLdcInsn(name);
        g.iconst(keys.size());
        mv.visitTypeInsn(ANEWARRAY, "java/lang/String");
        for (int i = 0; i < keys.size(); i++) {
            mv.visitInsn(DUP);
            g.iconst(i);
            mv.visitLdcInsn(keys.get(i));
            mv.visitInsn(AASTORE);
        }
        g.iconst(values.size());
        mv.visitIntInsn(NEWARRAY, T_DOUBLE);
        for (int i = 0; i < values.size(); i++) {
            mv.visitInsn(DUP);
            g.iconst(i);
            Type t = g.typeOf(values.get(i));
            if (t instanceof Type.BoolT) {
                g.expr(values.get(i), JType.BOOLEAN);
                mv.visitInsn(I2D);
            } else {
                g.expr(values.get(i), JType.DOUBLE);
            }
            mv.visitInsn(DASTORE);
        }
        g.invokeStatic(cls, "of", "(Ljava/lang/String;[Ljava/lang/String;[D)L" + cls + ";");
    }
}
