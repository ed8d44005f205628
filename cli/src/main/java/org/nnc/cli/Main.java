package org.nnc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nnc} command: checks, compiles and trains {@code .nnet} models. */
@Command(name = "nnc",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "nnc: a shape-checked language for neural networks, compiled to JVM classes and trained on CPU or GPU.",
            ""
        },
        subcommands = {CheckCommand.class, CompileCommand.class, RunCommand.class, SummaryCommand.class, DescribeCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Prints the build's version, read from a resource filled in by Maven. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[] {"nnc " + p.getProperty("version", "unknown") + " (Java " + Runtime.version() + ", "
                    + System.getProperty("os.arch") + ", " + org.nnc.backend.cpu.Parallel.threads() + " CPU threads)"};
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and returns its exit status: 0 ok, 1 errors in the input, 2 usage or I/O error. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage());
            c.usage(c.getErr());
            return 2;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(execute(out, err, args));
    }
}
