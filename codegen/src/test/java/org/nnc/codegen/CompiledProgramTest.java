package org.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnc.frontend.Frontend;
import org.nnc.frontend.source.SourceFile;
import org.nnc.io.SafeTensors;
import org.nnc.nn.Module;
import org.nnc.tensor.Tensor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** What compiled programs are: plain classes calling the runtime, usable from Java, with .nnet line numbers. */
class CompiledProgramTest {
    @TempDir
    Path dir;

    private static Compiler.Output compile(Path p) throws Exception {
        Frontend.Result r = Frontend.check(SourceFile.read(p.toAbsolutePath()));
        assertTrue(r.ok(), org.nnc.frontend.diag.TextRenderer.render(r.diagnostics()));
        return Compiler.compile(r);
    }

    private static Compiler.Output compile(Path dir, String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return compile(p);
    }

    @Test
    void aTrainBlockFromPyTorchsInitialWeightsEndsAtPyTorchsWeights() throws Exception {
        Path nnet = Path.of("src/test/resources/fixtures/sgd_iris.nnet");
        Compiler.Output out = compile(nnet);
        GeneratedClassLoader loader = new GeneratedClassLoader(out.classes(), getClass().getClassLoader());
        System.setProperty("nnc.output.dir", dir.toString());
        PrintStream saved = System.out;
        Module trained;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream()));
            trained = (Module) loader.loadClass(out.trainClasses().get(0)).getMethod("train", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(saved);
            System.clearProperty("nnc.output.dir");
        }
        Map<String, Tensor> expected = SafeTensors.read(nnet.resolveSibling("train_final.safetensors")).tensors();
        assertEquals(expected.keySet(), trained.stateDict().keySet());
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            float[] want = e.getValue().toFloatArray(), got = trained.stateDict().get(e.getKey()).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), e.getKey() + "[" + i + "]");
            }
        }
        Map<String, Tensor> saved2 = SafeTensors.read(dir.resolve("trained.safetensors")).tensors();
        assertArrayEquals(trained.stateDict().get("fc2.bias").toFloatArray(), saved2.get("fc2.bias").toFloatArray());
    }

    @Test
    void aJavaProgramLoadsTrainedWeightsAndCallsForward() throws Exception {
        Compiler.Output out = compile(Path.of("../samples/iris_mlp.nnet"));
        GeneratedClassLoader loader = new GeneratedClassLoader(out.classes(), getClass().getClassLoader());
        Class<?> cls = loader.loadClass("iris_mlp.IrisMlp");
        Module trained = (Module) cls.getConstructor(long.class).newInstance(16L);
        Path weights = dir.resolve("iris.safetensors");
        SafeTensors.write(trained.stateDict(), weights);
        Module fresh = (Module) cls.getConstructor().newInstance();
        fresh.loadStateDict(SafeTensors.read(weights).tensors());
        fresh.eval();
        Tensor x = Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0.4f, 1, 1, 1, 1}, 2, 4);
        assertArrayEquals(trained.forward(x).toFloatArray(), fresh.forward(x).toFloatArray());
        assertArrayEquals(new int[] {2, 3}, fresh.forward(x).shape());
    }

    /** Every class and method a compiled class refers to, from its constant pool and method bodies. */
    private static List<String> references(byte[] bytes) {
        List<String> refs = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int v, int a, String n, String s, String superName, String[] i) { refs.add(superName); }

            @Override
            public MethodVisitor visitMethod(int a, String n, String d, String s, String[] e) {
                refs.add(d);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String name, String desc, boolean itf) {
                        refs.add(owner + "." + name + desc);
                    }

                    @Override
                    public void visitTypeInsn(int op, String type) { refs.add(type); }

                    @Override
                    public void visitFieldInsn(int op, String owner, String name, String desc) { refs.add(owner + "." + name + desc); }
                };
            }
        }, 0);
        return refs;
    }

    @Test
    void compiledClassesCallTheRuntimeAndNeverTheCompiler() throws Exception {
        for (String sample : List.of("digits_cnn", "iris_main", "sequence_lstm")) {
            Compiler.Output out = compile(Path.of("../samples/" + sample + ".nnet"));
            for (Map.Entry<String, byte[]> e : out.classes().entrySet()) {
                for (String ref : references(e.getValue())) {
                    assertFalse(ref.contains("org/nnc/frontend") || ref.contains("org/nnc/codegen") || ref.contains("org/antlr")
                            || ref.contains("org/objectweb"), e.getKey() + " refers to " + ref);
                }
            }
        }
        List<String> forward = new ArrayList<>();
        byte[] model = compile(Path.of("../samples/digits_cnn.nnet")).classes().get("digits_cnn/DigitsCnn");
        new ClassReader(model).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int a, String n, String d, String s, String[] e) {
                if (!n.equals("forward")) return null;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String name, String desc, boolean itf) {
                        forward.add(owner + "." + name);
                    }
                };
            }
        }, 0);
        assertEquals(List.of("org/nnc/nn/Module.forwardRelu", "org/nnc/nn/Module.forward", "org/nnc/ops/Ops.flatten",
                "org/nnc/nn/Module.forward"), forward, "pool(relu(conv(x))) with the ReLU fused into conv, then fc(flatten(h))");
    }

    @Test
    void tensorsAModelMakesGoToTheModelsDevice() throws Exception {
        Compiler.Output out = compile(dir, "noise.nnet", """
                model Noisy {
                    val fc = Linear(4, 2)

                    fun forward(x: Tensor[B, 4]): Tensor[B, 2] = fc(x + randn(B, 4) * 0.0) + zeros(B, 2)
                }
                """);
        byte[] cls = out.classes().get("noise/Noisy");
        List<String> refs = references(cls);
        assertTrue(refs.contains("org/nnc/nn/Module.device()Lorg/nnc/tensor/Device;"), refs.toString());
        assertTrue(refs.contains("org/nnc/tensor/Tensor.to(Lorg/nnc/tensor/Device;)Lorg/nnc/tensor/Tensor;"), refs.toString());
        GeneratedClassLoader loader = new GeneratedClassLoader(out.classes(), getClass().getClassLoader());
        Module m = (Module) loader.loadClass("noise.Noisy").getConstructor().newInstance();
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4);
        assertArrayEquals(m.stateDict().get("fc.weight").matmul(x.t()).t().add(m.stateDict().get("fc.bias")).toFloatArray(),
                m.forward(x).toFloatArray(), 1e-6f);
    }

    @Test
    void aRuntimeErrorsStackTraceNamesTheNnetLine() throws Exception {
        Compiler.Output out = compile(dir, "broken.nnet", """
                model Net {
                    val fc = Linear(4, 2)

                    fun forward(x: Tensor[B, 4]): Tensor[B, 2] {
                        val h = x.reshape(B, 2, 2)
                        return fc(h.reshape(B, 4) * 2.0)
                    }
                }
                """);
        GeneratedClassLoader loader = new GeneratedClassLoader(out.classes(), getClass().getClassLoader());
        Module m = (Module) loader.loadClass("broken.Net").getConstructor().newInstance();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.forward(Tensor.zeros(3, 5)));
        StackTraceElement frame = java.util.Arrays.stream(e.getStackTrace()).filter(f -> "broken.nnet".equals(f.getFileName()))
                .findFirst().orElseThrow(() -> new AssertionError("no broken.nnet frame in " + java.util.Arrays.toString(e.getStackTrace())));
        assertEquals(5, frame.getLineNumber());
        assertEquals("broken.Net", frame.getClassName());
    }
}
