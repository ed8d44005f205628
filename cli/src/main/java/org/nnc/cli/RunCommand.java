package org.nnc.cli;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nnc.codegen.Compiler;
import org.nnc.frontend.Frontend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nnc run FILE|JAR}: check, compile in memory and train (or run {@code main}). Flags override the
 * train block. Failures are one line with exit status 1; {@code --trace} shows the stack.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Train a .nnet program (or run its main), compiling it in memory first; or run a jar from nnc compile.",
            "A file with fun main runs main unless --train names a train block."})
final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE|JAR", description = "a .nnet file, or a jar made by nnc compile")
    Path file;

    @Option(names = "--train", paramLabel = "NAME", description = "the train block to run: its model's name or its number (1, 2, …)")
    String train;

    @Option(names = "--epochs", paramLabel = "N") Integer epochs;
    @Option(names = "--batch-size", paramLabel = "N") Integer batchSize;
    @Option(names = "--lr", paramLabel = "X") Double lr;
    @Option(names = "--seed", paramLabel = "N") Long seed;
    @Option(names = "--workers", paramLabel = "N") Integer workers;

    @Option(names = "--device", paramLabel = "cpu|cuda[:N]|auto", description = "where to train (default: the block's, else auto)")
    String device;

    @Option(names = "--tf32", description = "let float32 matrix products on a GPU use TF32 tensor cores (cuBLAS's, where"
            + " installed, or nnc's own kernel): faster, with 10 bits of mantissa in the products' inputs")
    boolean tf32;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "save the whole training state in DIR after every epoch")
    String checkpoint;

    @Option(names = "--resume", description = "continue from the checkpoint (the block's, or --checkpoint DIR)")
    boolean resume;

    @Option(names = "--out", paramLabel = "DIR", description = "write saved weights, metrics, plots and checkpoints under DIR"
            + " (created when missing) instead of the current folder")
    Path out;

    @Option(names = "--trace", description = "print the stack trace of a failure")
    boolean trace;

    /** Exit status after Ctrl-C, as shells report a SIGINT death (128 + 2). */
    static final int INTERRUPTED = 130;

    @Override
    public Integer call() {
        if (device != null && !device.matches("cpu|cuda(:\\d+)?|auto")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--device must be cpu, cuda, cuda:N or auto, not " + device);
        }
        if (tf32) System.setProperty("nnc.cuda.tf32", "true");   // read by the GPU's products (Cuda.tf32)
        Programs.Loaded program;
        List<String> blocks;
        try {
            if (file.toString().endsWith(".jar")) {
                program = Programs.fromJar(file);
                blocks = program.trains();
            } else {
                Frontend.Result r = CheckCommand.checkForUse(spec, file);
                if (r == null) return 2;
                if (!r.ok()) return 1;
                program = Programs.inMemory(Compiler.compile(r));
                blocks = new ArrayList<>();
                for (var t : r.checker().trainBlocks()) blocks.add(t.model() instanceof org.nnc.frontend.ast.Expr.Call c
                        && c.callee() instanceof org.nnc.frontend.ast.Expr.Name n ? n.name() : "");
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("error: cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        try {
            if (program.main() != null && train == null) {
                if (epochs != null || batchSize != null || lr != null || seed != null || workers != null) {
                    spec.commandLine().getErr().println("note: the training flags apply to train blocks; this file's main runs as written");
                }
                Method m = program.loader().loadClass(program.main()).getMethod("main", String[].class);
                if (out == null) return invoke(() -> m.invoke(null, (Object) new String[0]));
                return inOutputFolder(() -> invoke(() -> m.invoke(null, (Object) new String[0])));
            }
            String cls = pick(program, blocks);
            if (cls == null) return 2;
            Method m = program.loader().loadClass(cls).getMethod("train", String[].class);
            String[] args = overrides();
            StopOnInterrupt.install();
            if (out == null) return invoke(() -> m.invoke(null, (Object) args));
            return inOutputFolder(() -> invoke(() -> m.invoke(null, (Object) args)));
        } catch (ReflectiveOperationException e) {
            spec.commandLine().getErr().println("error: the program's classes cannot be run: " + e);
            return 2;
        }
    }

    /**
     * Runs with {@code --out DIR} as the folder that train blocks' relative save, log and checkpoint paths
     * resolve against (the runtime reads it from nnc.output.dir, which compiled jars also accept as -D).
     */
    private int inOutputFolder(java.util.function.IntSupplier run) {
        try {
            java.nio.file.Files.createDirectories(out);
        } catch (IOException e) {
            spec.commandLine().getErr().println("error: cannot create the output folder " + out + ": " + e.getMessage());
            return 2;
        }
        String before = System.getProperty("nnc.output.dir");
        System.setProperty("nnc.output.dir", out.toString());
        try {
            return run.getAsInt();
        } finally {
            if (before == null) System.clearProperty("nnc.output.dir");
            else System.setProperty("nnc.output.dir", before);
        }
    }

    private String pick(Programs.Loaded p, List<String> names) {
        if (p.trains().isEmpty()) {
            spec.commandLine().getErr().println("error: " + file + " has no train block and no fun main");
            return null;
        }
        if (train == null) return p.trains().get(0);
        try {
            int k = Integer.parseInt(train);
            if (k >= 1 && k <= p.trains().size()) return p.trains().get(k - 1);
        } catch (NumberFormatException e) {
            int i = names.indexOf(train);
            if (i >= 0) return p.trains().get(i);
        }
        spec.commandLine().getErr().println("error: no train block " + train + " (there are " + p.trains().size()
                + (names.isEmpty() ? "" : ": " + String.join(", ", names)) + ")");
        return null;
    }

    private String[] overrides() {
        List<String> a = new ArrayList<>();
        if (epochs != null) a.addAll(List.of("--epochs", epochs.toString()));
        if (batchSize != null) a.addAll(List.of("--batch-size", batchSize.toString()));
        if (lr != null) a.addAll(List.of("--lr", lr.toString()));
        if (seed != null) a.addAll(List.of("--seed", seed.toString()));
        if (workers != null) a.addAll(List.of("--workers", workers.toString()));
        if (device != null) a.addAll(List.of("--device", device));
        if (checkpoint != null) a.addAll(List.of("--checkpoint", checkpoint));
        if (resume) a.add("--resume");
        return a.toArray(new String[0]);
    }

    private interface Body {
        void run() throws ReflectiveOperationException;
    }

    private int invoke(Body body) {
        try {
            body.run();
            return 0;
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (trace) t.printStackTrace(new java.io.PrintWriter(spec.commandLine().getErr(), true));
            String msg = t.getMessage() == null ? t.toString() : t.getMessage();
            if (t instanceof org.nnc.train.Trainer.Stopped) {
                spec.commandLine().getErr().println(t.getMessage());
                return INTERRUPTED;
            }
            boolean expected = t instanceof org.nnc.data.DataException || t instanceof org.nnc.train.TrainingException
                    || t instanceof IllegalArgumentException;
            spec.commandLine().getErr().println("error: " + msg + (expected || trace ? "" : " (" + t.getClass().getSimpleName()
                    + "; run with --trace for details)"));
            return 1;
        } catch (ReflectiveOperationException e) {
            spec.commandLine().getErr().println("error: " + e);
            return 2;
        }
    }
}
