package org.nnc.train;

import java.nio.file.Path;

/** What compiled programs' {@code main} methods share: paths, and failing with a message rather than a stack trace. */
public final class Launch {
    private Launch() {}

    /**
     * Compiled programs start here: the CPU kernels need the Vector API, an incubator module the JVM
     * loads only when asked, so say how to ask rather than fail with a missing class.
     */
    public static void start() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.err.println("error: nnc's CPU kernels need the Vector API; run java with --add-modules jdk.incubator.vector"
                    + " (for a jar: java --add-modules jdk.incubator.vector -jar FILE.jar)");
            System.exit(2);
        }
    }

    /** A path a program reads (init weights), relative to the .nnet file's folder. */
    public static Path input(String base, String path) { return Sources.resolve(base, path); }

    /** A path a program writes (save, log), relative to the current folder (or to the system property nnc.output.dir). */
    public static Path output(String path) {
        String dir = System.getProperty("nnc.output.dir");
        return dir == null ? Path.of(path) : Path.of(dir).resolve(path);
    }

    /**
     * Reports a failure the way the nnc command does: one line, and the stack trace only when the system
     * property nnc.trace is set; then exits with status 1.
     */
    public static void fail(Throwable t) {
        if (Boolean.getBoolean("nnc.trace")) t.printStackTrace();
        String message = t.getMessage() == null ? t.toString() : t.getMessage();
        System.err.println("error: " + message);
        System.exit(1);
    }
}
