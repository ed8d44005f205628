package org.nnc.codegen;

import static org.objectweb.asm.Opcodes.*;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nnc.frontend.ast.Decl;
import org.nnc.frontend.ast.Dim;
import org.nnc.frontend.ast.TypeRef;
import org.nnc.frontend.types.Type;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

/**
 * One class per model: it extends org.nnc.nn.Module; hyperparameters are constructor parameters and
 * final fields; each {@code val} is a field, registered as a sub-module or parameter under its source
 * name so the state dict has PyTorch's keys; each {@code fun} is a method, and a one-tensor
 * {@code forward} overrides Module.forward.
 */
final class ModelGen {
    private final Compiler c;
    private final Decl.Model m;
    private final String cls;

    ModelGen(Compiler c, Decl.Model m) {
        this.c = c;
        this.m = m;
        this.cls = c.className(m.name());
    }

    static Decl.Fun fun(Decl.Model m, String name) {
        if (m == null) return null;
        for (Decl d : m.members()) if (d instanceof Decl.Fun f && f.name().equals(name)) return f;
        return null;
    }

    /** The JVM type of a written type. */
    static JType typeRef(Compiler c, TypeRef t) {
        if (t == null) return JType.OBJECT;
        return switch (t.name()) {
            case "Int" -> JType.LONG;
            case "Float" -> JType.DOUBLE;
            case "Bool" -> JType.BOOLEAN;
            case "String" -> JType.STRING;
            case "Tensor" -> JType.TENSOR;
            case "Unit" -> JType.VOID;
            case "List" -> JType.LIST;
            default -> c.checker.models().containsKey(t.name()) ? JType.obj(c.className(t.name())) : JType.OBJECT;
        };
    }

    static JType paramType(Compiler c, Decl.Param p) { return typeRef(c, p.type()); }

    static JType returnType(Compiler c, Decl.Fun f) {
        if (f.returnType() != null) return typeRef(c, f.returnType());
        JType t = c.jtype(c.checker.returnTypeOf(f));
        return t;
    }

    /** forward(x: Tensor[…]): Tensor[…] — the form Module.forward(Tensor) has. */
    static boolean isStandardForward(Compiler c, Decl.Fun f) {
        return f != null && f.name().equals("forward") && f.params().size() == 1 && paramType(c, f.params().get(0)) == JType.TENSOR
                && returnType(c, f) == JType.TENSOR;
    }

    byte[] generate() {
        ClassWriter cw = c.writer();
        c.begin(cw, cls, "org/nnc/nn/Module");
        Map<String, JType> fields = new LinkedHashMap<>();
        for (Decl.Param p : m.params()) {
            JType t = paramType(c, p);
            fields.put(p.name(), t);
            cw.visitField(ACC_PUBLIC | ACC_FINAL, p.name(), t.descriptor(), null, null).visitEnd();
        }
        for (Decl d : m.members()) {
            if (d instanceof Decl.Val v) {
                JType t = c.jtype(c.checker.typeOf(v.init()));
                fields.put(v.name(), t);
                cw.visitField(ACC_PUBLIC | (v.mutable() ? 0 : ACC_FINAL), v.name(), t.descriptor(), null, null).visitEnd();
            }
        }
        constructor(cw, fields);
        defaultsConstructor(cw);
        for (Decl d : m.members()) if (d instanceof Decl.Fun f) method(cw, f, fields);
        cw.visitEnd();
        return cw.toByteArray();
    }

    private String ctorDescriptor() {
        StringBuilder sb = new StringBuilder("(");
        for (Decl.Param p : m.params()) sb.append(paramType(c, p).descriptor());
        return sb.append(")V").toString();
    }

    private void constructor(ClassWriter cw, Map<String, JType> fields) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", ctorDescriptor(), null, null);
        mv.visitCode();
        MethodGen g = new MethodGen(c, mv, m, cls, fields, false);
        g.line(m.span());
        mv.visitVarInsn(ALOAD, 0);
        mv.visitMethodInsn(INVOKESPECIAL, "org/nnc/nn/Module", "<init>", "()V", false);
        for (Decl.Param p : m.params()) {
            JType t = paramType(c, p);
            MethodGen.Local l = g.declare(p.name(), t);
            mv.visitVarInsn(ALOAD, 0);
            mv.visitVarInsn(t.load(), l.slot());
            mv.visitFieldInsn(PUTFIELD, cls, p.name(), t.descriptor());
        }
        for (Decl d : m.members()) {
            if (!(d instanceof Decl.Val v)) continue;
            g.line(v.span());
            JType t = fields.get(v.name());
            Type checked = c.checker.typeOf(v.init());
            mv.visitVarInsn(ALOAD, 0);
            boolean module = checked instanceof Type.LayerT || checked instanceof Type.ModelT
                    || (checked instanceof Type.ListT l && (l.elem() instanceof Type.LayerT || l.elem() instanceof Type.ModelT));
            if (module || t == JType.TENSOR) {
                mv.visitInsn(DUP);
                mv.visitLdcInsn(v.name());
                g.expr(v.init(), module ? JType.MODULE : JType.TENSOR);
                if (module) {
                    mv.visitMethodInsn(INVOKEVIRTUAL, cls, "registerModule", "(Ljava/lang/String;Lorg/nnc/nn/Module;)Lorg/nnc/nn/Module;", false);
                    mv.visitTypeInsn(CHECKCAST, t.internalName());
                } else {
                    mv.visitMethodInsn(INVOKEVIRTUAL, cls, "registerParameter",
                            "(Ljava/lang/String;Lorg/nnc/tensor/Tensor;)Lorg/nnc/tensor/Tensor;", false);
                }
            } else {
                g.expr(v.init(), t);
            }
            mv.visitFieldInsn(PUTFIELD, cls, v.name(), t.descriptor());
            // Later members and hyperparameter-free expressions read the field through `this`.
        }
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** {@code new Model()} for Java users, when every hyperparameter has a default. */
    private void defaultsConstructor(ClassWriter cw) {
        if (m.params().isEmpty() || m.params().stream().anyMatch(p -> p.defaultValue() == null)) return;
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        mv.visitCode();
        MethodGen g = new MethodGen(c, mv, null, cls, Map.of(), false);
        g.line(m.span());
        mv.visitVarInsn(ALOAD, 0);
        for (Decl.Param p : m.params()) g.expr(p.defaultValue(), paramType(c, p));
        mv.visitMethodInsn(INVOKESPECIAL, cls, "<init>", ctorDescriptor(), false);
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private void method(ClassWriter cw, Decl.Fun f, Map<String, JType> fields) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, f.name(), descriptor(c, f), null, null);
        mv.visitCode();
        MethodGen g = new MethodGen(c, mv, m, cls, fields, false);
        body(c, g, f);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    static String descriptor(Compiler c, Decl.Fun f) {
        StringBuilder sb = new StringBuilder("(");
        for (Decl.Param p : f.params()) sb.append(paramType(c, p).descriptor());
        return sb.append(')').append(returnType(c, f).descriptor()).toString();
    }

    /**
     * A function body: parameters in their slots, each dimension variable the body uses read from the first
     * parameter shape that names it ({@code B = x.size(0)}), then the statements or the expression.
     */
    static void body(Compiler c, MethodGen g, Decl.Fun f) {
        g.returnType = returnType(c, f);
        g.line(f.span());
        for (Decl.Param p : f.params()) g.declare(p.name(), paramType(c, p));
        java.util.Set<String> bound = new java.util.HashSet<>();
        for (Decl.Param p : f.params()) {
            if (p.type() == null || !p.type().name().equals("Tensor") || p.type().dims() == null) continue;
            java.util.List<Dim> dims = p.type().dims();
            boolean spread = !dims.isEmpty() && dims.get(0) instanceof Dim.Spread;
            int count = spread ? dims.size() - 1 : dims.size();
            for (int k = 0; k < count; k++) {
                Dim d = dims.get(spread ? k + 1 : k);
                if (!(d instanceof Dim.Name n) || g.fields.containsKey(n.name()) || FunctionsGen.constantType(c, n.name()) != null) continue;
                if (f.params().stream().anyMatch(q -> q.name().equals(n.name())) || !Mentions.of(f, n.name()) || !bound.add(n.name())) continue;
                g.name(p.name());
                g.iconst(spread ? k - count : k);
                g.invokeVirtual("org/nnc/tensor/Tensor", "size", "(I)I");
                g.mv.visitInsn(I2L);
                g.mv.visitVarInsn(LSTORE, g.declare(n.name(), JType.LONG).slot());
            }
        }
        if (f.exprBody() != null) {
            g.line(f.exprBody().span());
            JType t = g.expr(f.exprBody());
            if (g.returnType == JType.VOID) g.pop(t);
            else g.coerce(t, g.returnType);
            g.mv.visitInsn(g.returnType.ret());
            return;
        }
        g.block(f.body());
        if (g.returnType == JType.VOID) {
            g.mv.visitInsn(RETURN);
        } else {
            g.mv.visitTypeInsn(NEW, "java/lang/IllegalStateException");
            g.mv.visitInsn(DUP);
            g.mv.visitLdcInsn(f.name() + " ended without returning a value");
            g.mv.visitMethodInsn(INVOKESPECIAL, "java/lang/IllegalStateException", "<init>", "(Ljava/lang/String;)V", false);
            g.mv.visitInsn(ATHROW);
        }
    }
}
