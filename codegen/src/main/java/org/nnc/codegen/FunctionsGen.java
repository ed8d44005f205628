package org.nnc.codegen;

import static org.objectweb.asm.Opcodes.*;

import java.util.Map;
import org.nnc.frontend.ast.Decl;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

/** {@code Functions}: top-level constants as static fields, top-level functions as static methods; and {@code Main}. */
final class FunctionsGen {
    private final Compiler c;

    FunctionsGen(Compiler c) { this.c = c; }

    /** The JVM type of a top-level constant, or null when there is no constant of that name. */
    static JType constantType(Compiler c, String name) {
        for (Decl.Val v : c.checker.constants()) if (v.name().equals(name)) return c.jtype(c.checker.typeOf(v.init()));
        return null;
    }

    byte[] generate() {
        String cls = c.functionsClass();
        ClassWriter cw = c.writer();
        c.begin(cw, cls, "java/lang/Object");
        for (Decl.Val v : c.checker.constants()) {
            cw.visitField(ACC_PUBLIC | ACC_STATIC | ACC_FINAL, v.name(), constantType(c, v.name()).descriptor(), null, null).visitEnd();
        }
        if (!c.checker.constants().isEmpty()) {
            MethodVisitor mv = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
            mv.visitCode();
            MethodGen g = new MethodGen(c, mv, null, cls, Map.of(), true);
            for (Decl.Val v : c.checker.constants()) {
                g.line(v.span());
                JType t = constantType(c, v.name());
                g.expr(v.init(), t);
                mv.visitFieldInsn(PUTSTATIC, cls, v.name(), t.descriptor());
            }
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }
        for (Decl.Fun f : c.checker.functions().values()) {
            MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_STATIC, f.name(), ModelGen.descriptor(c, f), null, null);
            mv.visitCode();
            MethodGen g = new MethodGen(c, mv, null, cls, Map.of(), true);
            ModelGen.body(c, g, f);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** {@code Main.main(String[])}: runs {@code fun main()}, reporting a failure in one line. */
    static byte[] mainWrapper(Compiler c, String cls) {
        ClassWriter cw = c.writer();
        c.begin(cw, cls, "java/lang/Object");
        Compiler.reportingMain(cw, mv -> mv.visitMethodInsn(INVOKESTATIC, c.functionsClass(), "main", "()V", false));
        cw.visitEnd();
        return cw.toByteArray();
    }
}
