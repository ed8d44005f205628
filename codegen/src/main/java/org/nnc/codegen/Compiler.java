package org.nnc.codegen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nnc.frontend.Frontend;
import org.nnc.frontend.ast.Decl;
import org.nnc.frontend.check.Checker;
import org.nnc.frontend.source.SourceFile;
import org.nnc.frontend.types.Type;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * The last phase: a checked program to JVM classes (LANGUAGE.md §10). For {@code digits_cnn.nnet} it
 * makes, in package {@code digits_cnn}: one class per model (extending {@code org.nnc.nn.Module}, its
 * hyperparameters the constructor's parameters, its {@code val}s registered fields, its functions
 * methods), {@code Functions} for top-level constants and functions, {@code Train0}, {@code Train1} …
 * for the train blocks and {@code Main} for {@code fun main}, each with {@code main(String[])}. Method
 * bodies call the runtime's operations directly; the compiler is not needed at run time.
 */
public final class Compiler {
    /** The classes by internal name, and which of them have a main method. */
    public record Output(String packageName, Map<String, byte[]> classes, List<String> trainClasses, String mainClass) {}

    final Checker checker;
    final SourceFile src;
    final String pkg;
    private final Map<String, byte[]> classes = new LinkedHashMap<>();

    private Compiler(Frontend.Result r) {
        if (!r.ok()) throw new IllegalArgumentException("only a program without errors can be compiled");
        this.checker = r.checker();
        this.src = r.diagnostics().source();
        this.pkg = packageFor(src.name());
    }

    public static Output compile(Frontend.Result r) {
        Compiler c = new Compiler(r);
        return c.run();
    }

    private Output run() {
        for (Decl.Model m : checker.models().values()) classes.put(className(m.name()), new ModelGen(this, m).generate());
        classes.put(functionsClass(), new FunctionsGen(this).generate());
        List<String> trains = new ArrayList<>();
        List<Decl.Train> blocks = checker.trainBlocks();
        for (int i = 0; i < blocks.size(); i++) {
            String name = pkg + "/Train" + i;
            classes.put(name, new TrainGen(this, blocks.get(i), name).generate());
            trains.add(name.replace('/', '.'));
        }
        String main = null;
        Decl.Fun mainFun = checker.functions().get("main");
        if (mainFun != null && mainFun.params().isEmpty()) {
            main = pkg + "/Main";
            classes.put(main, FunctionsGen.mainWrapper(this, main));
            main = main.replace('/', '.');
        }
        return new Output(pkg, classes, trains, main);
    }

    /** A Java package name from the file name: {@code digits_cnn.nnet} → {@code digits_cnn}. */
    static String packageFor(String fileName) {
        String base = java.nio.file.Path.of(fileName).getFileName().toString().replaceFirst("\\.nnet$", "");
        StringBuilder sb = new StringBuilder();
        for (char ch : base.toLowerCase(Locale.ROOT).toCharArray()) sb.append(Character.isLetterOrDigit(ch) ? ch : '_');
        if (sb.length() == 0 || !Character.isJavaIdentifierStart(sb.charAt(0))) sb.insert(0, "nnet_");
        return sb.toString();
    }

    String className(String model) { return pkg + "/" + model; }

    String functionsClass() { return pkg + "/Functions"; }

    /** The folder relative data paths start from, compiled into data-reading calls. */
    String dataFolder() { return checker.folder().toAbsolutePath().normalize().toString(); }

    /** The JVM type that holds values of a checked type. */
    JType jtype(Type t) {
        return switch (t) {
            case null -> JType.OBJECT;
            case Type.IntT i -> JType.LONG;
            case Type.FloatT f -> JType.DOUBLE;
            case Type.BoolT b -> JType.BOOLEAN;
            case Type.StrT s -> JType.STRING;
            case Type.TensorT x -> JType.TENSOR;
            case Type.LayerT l -> JType.obj("org/nnc/nn/" + l.kind());
            case Type.ModelT m -> JType.obj(className(m.name()));
            case Type.ListT l -> l.elem() instanceof Type.LayerT || l.elem() instanceof Type.ModelT ? JType.MODULE_LIST : JType.LIST;
            case Type.DatasetT d -> JType.DATASET;
            case Type.LoaderT l -> JType.LOADER;
            case Type.TupleT tu -> JType.BATCH;
            case Type.RuntimeT r -> switch (r.name()) {
                case "Optimizer" -> JType.OPTIMIZER;
                case "Scheduler" -> JType.SCHEDULER;
                case "Parameters" -> JType.LIST;
                default -> JType.OBJECT;
            };
            case Type.UnitT u -> JType.VOID;
            default -> JType.OBJECT;
        };
    }

    /** A class writer whose frame computation knows the generated classes without loading them. */
    ClassWriter writer() {
        return new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                boolean ga = a.startsWith(pkg + "/"), gb = b.startsWith(pkg + "/");
                if (ga || gb) {
                    if (ga && gb) return "org/nnc/nn/Module";
                    return "java/lang/Object";
                }
                return super.getCommonSuperClass(a, b);
            }
        };
    }

    /**
     * {@code public static void main(String[])} that calls Launch.start(), then {@code body}, and turns a
     * RuntimeException into Launch.fail's one-line report: the entry point of a train class and of Main.
     */
    static void reportingMain(ClassWriter cw, java.util.function.Consumer<org.objectweb.asm.MethodVisitor> body) {
        var mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "main", "([Ljava/lang/String;)V", null, null);
        mv.visitCode();
        var start = new org.objectweb.asm.Label();
        var end = new org.objectweb.asm.Label();
        var handler = new org.objectweb.asm.Label();
        mv.visitTryCatchBlock(start, end, handler, "java/lang/RuntimeException");
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "org/nnc/train/Launch", "start", "()V", false);
        mv.visitLabel(start);
        body.accept(mv);
        mv.visitLabel(end);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitLabel(handler);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "org/nnc/train/Launch", "fail", "(Ljava/lang/Throwable;)V", false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    void begin(ClassWriter cw, String name, String superName) {
        cw.visit(Opcodes.V21, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, name, null, superName, null);
        cw.visitSource(java.nio.file.Path.of(src.name()).getFileName().toString(), null);
    }
}
