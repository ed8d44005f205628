package org.nnc.codegen;

import static org.objectweb.asm.Opcodes.*;

import java.util.HashMap;
import java.util.Map;
import org.nnc.frontend.ast.Decl;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.types.Type;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

/**
 * One class per train block: {@code train(String[] args)} seeds the generator, builds the model and a
 * TrainConfig from the block's keys (command-line flags override them) and runs the Trainer, returning
 * the trained model; {@code main} calls it and reports a failure in one line.
 */
final class TrainGen {
    private static final String CFG = "org/nnc/train/TrainConfig";
    private static final String CFGD = "L" + CFG + ";";
    private final Compiler c;
    private final Decl.Train t;
    private final String cls;

    TrainGen(Compiler c, Decl.Train t, String cls) {
        this.c = c;
        this.t = t;
        this.cls = cls;
    }

    byte[] generate() {
        ClassWriter cw = c.writer();
        c.begin(cw, cls, "java/lang/Object");
        train(cw);
        main(cw);
        cw.visitEnd();
        return cw.toByteArray();
    }

    private void main(ClassWriter cw) {
        Compiler.reportingMain(cw, mv -> {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitMethodInsn(INVOKESTATIC, cls, "train", "([Ljava/lang/String;)Lorg/nnc/nn/Module;", false);
            mv.visitInsn(POP);
        });
    }

    private void train(ClassWriter cw) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, "train", "([Ljava/lang/String;)Lorg/nnc/nn/Module;", null, null);
        mv.visitCode();
        MethodGen g = new MethodGen(c, mv, null, cls, Map.of(), true);
        int args = g.temp(JType.OBJECT);
        Map<String, Decl.Entry> e = new HashMap<>();
        for (Decl.Entry en : t.entries()) e.put(en.key(), en);
        String loss = ((Type.FnT) c.checker.typeOf(e.get("loss").value())).name();
        g.dataKind = switch (loss) {
            case "crossEntropy", "nll", "bce", "bceWithLogits" -> "classes";
            default -> "values";
        };
        g.line(t.span());
        mv.visitVarInsn(ALOAD, args);
        g.invokeStatic("org/nnc/train/RunOptions", "parse", "([Ljava/lang/String;)Lorg/nnc/train/RunOptions;");
        int opts = g.temp(JType.OBJECT);
        mv.visitVarInsn(ASTORE, opts);
        // The seed comes first: it decides the model's initial weights.
        mv.visitVarInsn(ALOAD, opts);
        if (e.containsKey("seed")) g.expr(e.get("seed").value(), JType.LONG);
        else g.lconst(0);
        g.invokeVirtual("org/nnc/train/RunOptions", "seedOr", "(J)J");
        int seed = g.temp(JType.LONG);
        mv.visitVarInsn(LSTORE, seed);
        g.invokeStatic("org/nnc/tensor/Generator", "global", "()Lorg/nnc/tensor/Generator;");
        mv.visitVarInsn(LLOAD, seed);
        g.invokeVirtual("org/nnc/tensor/Generator", "manualSeed", "(J)V");
        g.line(t.model().span());
        g.expr(t.model(), JType.MODULE);
        int model = g.temp(JType.OBJECT);
        mv.visitVarInsn(ASTORE, model);
        g.line(e.get("data").span());
        g.expr(e.get("data").value(), JType.DATASET);
        mv.visitLdcInsn(loss);
        g.invokeStatic("org/nnc/train/Loss", "named", "(Ljava/lang/String;)Lorg/nnc/train/Loss;");
        g.invokeStatic(CFG, "of", "(Lorg/nnc/data/Dataset;Lorg/nnc/train/Loss;)" + CFGD);
        for (Decl.Entry en : t.entries()) {
            g.line(en.span());
            Expr v = en.value();
            switch (en.key()) {
                case "validation" -> {
                    if (v instanceof Expr.Call call && call.callee() instanceof Expr.Name n && n.name().equals("split")) {
                        g.expr(call.args().get(0).value(), JType.DOUBLE);
                        g.invokeVirtual(CFG, "withValidationSplit", "(D)" + CFGD);
                    } else {
                        g.expr(v, JType.DATASET);
                        g.invokeVirtual(CFG, "withValidation", "(Lorg/nnc/data/Dataset;)" + CFGD);
                    }
                }
                case "optimizer" -> {
                    g.expr(v, JType.OPTIMIZER_SPEC);
                    g.invokeVirtual(CFG, "withOptimizer", "(Ljava/util/function/Function;)" + CFGD);
                }
                case "scheduler" -> {
                    g.expr(v, JType.SCHEDULER_SPEC);
                    g.invokeVirtual(CFG, "withScheduler", "(Ljava/util/function/Function;)" + CFGD);
                }
                case "epochs", "batchSize", "workers" -> {
                    g.expr(v, JType.INT);
                    g.invokeVirtual(CFG, "with" + Character.toUpperCase(en.key().charAt(0)) + en.key().substring(1), "(I)" + CFGD);
                }
                case "shuffle" -> {
                    g.expr(v, JType.BOOLEAN);
                    g.invokeVirtual(CFG, "withShuffle", "(Z)" + CFGD);
                }
                case "init" -> {
                    mv.visitLdcInsn(c.dataFolder());
                    g.expr(v, JType.STRING);
                    g.invokeStatic("org/nnc/train/Launch", "input", "(Ljava/lang/String;Ljava/lang/String;)Ljava/nio/file/Path;");
                    g.invokeVirtual(CFG, "withInit", "(Ljava/nio/file/Path;)" + CFGD);
                }
                case "save", "log", "checkpoint" -> {
                    g.expr(v, JType.STRING);
                    g.invokeStatic("org/nnc/train/Launch", "output", "(Ljava/lang/String;)Ljava/nio/file/Path;");
                    String with = switch (en.key()) {
                        case "save" -> "withSave";
                        case "log" -> "withLog";
                        default -> "withCheckpoint";
                    };
                    g.invokeVirtual(CFG, with, "(Ljava/nio/file/Path;)" + CFGD);
                }
                case "device" -> {
                    if (v instanceof Expr.Name n) mv.visitLdcInsn(n.name());
                    else g.expr(v, JType.STRING);
                    g.invokeVirtual(CFG, "withDevice", "(Ljava/lang/String;)" + CFGD);
                }
                default -> { }
            }
        }
        mv.visitVarInsn(LLOAD, seed);
        g.invokeVirtual(CFG, "withSeed", "(J)" + CFGD);
        int cfg = g.temp(JType.OBJECT);
        mv.visitVarInsn(ASTORE, cfg);
        mv.visitVarInsn(ALOAD, opts);
        mv.visitVarInsn(ALOAD, cfg);
        g.invokeVirtual("org/nnc/train/RunOptions", "apply", "(" + CFGD + ")" + CFGD);
        mv.visitVarInsn(ASTORE, cfg);
        mv.visitVarInsn(ALOAD, model);
        mv.visitVarInsn(ALOAD, cfg);
        mv.visitFieldInsn(GETSTATIC, "java/lang/System", "out", "Ljava/io/PrintStream;");
        g.invokeStatic("org/nnc/train/Trainer", "fit", "(Lorg/nnc/nn/Module;" + CFGD + "Ljava/io/PrintStream;)Lorg/nnc/train/Trainer$Result;");
        mv.visitInsn(POP);
        mv.visitVarInsn(ALOAD, model);
        mv.visitInsn(ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }
}
