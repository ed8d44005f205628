package org.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;
import org.nnc.ops.OpDef;
import org.nnc.ops.OpTable;
import org.nnc.tensor.Tensor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/** Bytecode built from op table entries runs, verifies, and calls the runtime's ops directly. */
class OpCallsTest {

    /** Generates {@code static Tensor f(Tensor a, Tensor b) { return exp(a @ b + b); }} in a hidden class. */
    private static Method generate() throws Exception {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
        String name = "org/nnc/codegen/Generated";
        cw.visit(Opcodes.V21, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, name, null, "java/lang/Object", null);
        cw.visitSource("sample.nnet", null);
        String t = Type.getDescriptor(Tensor.class);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "f", "(" + t + t + ")" + t, null, null);
        mv.visitCode();
        org.objectweb.asm.Label line = new org.objectweb.asm.Label();
        mv.visitLabel(line);
        mv.visitLineNumber(3, line);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        OpCalls.emit(mv, OpCalls.resolve("matmul", Tensor.class, Tensor.class));
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        OpCalls.emit(mv, OpCalls.resolve("add", Tensor.class, Tensor.class));
        OpCalls.emit(mv, OpCalls.resolve("exp", Tensor.class));
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        Class<?> c = MethodHandles.lookup().defineClass(cw.toByteArray());
        return c.getMethod("f", Tensor.class, Tensor.class);
    }

    @Test
    void generatedBytecodeCallsTheOpsAndDifferentiates() throws Exception {
        Method f = generate();
        Tensor a = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {0.5f, -1, 0, 0.25f}, 2, 2).requiresGrad(true);
        Tensor y = (Tensor) f.invoke(null, a, b);
        Tensor expected = a.matmul(b).add(b).exp();
        assertArrayEquals(expected.toFloatArray(), y.toFloatArray(), 1e-6f);
        y.sum().backward();
        assertEquals(4, a.grad().numel());
    }

    @Test
    void everyOpTableEntryHasADescriptorTheJvmAccepts() {
        for (OpDef op : OpTable.all()) {
            Type m = Type.getMethodType(op.descriptor());
            assertEquals(op.entryPoint().getParameterCount(), m.getArgumentTypes().length, op.name());
            assertEquals(Type.getMethodDescriptor(op.entryPoint()), op.descriptor(), op.name());
        }
    }

    @Test
    void anUnknownOverloadIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpCalls.resolve("exp", double.class));
        assertEquals(true, e.getMessage().contains("it takes"), e.getMessage());
    }
}
