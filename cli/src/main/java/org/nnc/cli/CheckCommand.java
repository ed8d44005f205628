package org.nnc.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nnc.frontend.Frontend;
import org.nnc.frontend.diag.JsonRenderer;
import org.nnc.frontend.diag.TextRenderer;
import org.nnc.frontend.source.SourceFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnc check FILE}: proves every shape, or explains why it cannot. Exit 0 ok, 1 errors, 2 usage or I/O. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check a .nnet file's names, types and tensor shapes without running anything.")
final class CheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the .nnet file")
    Path file;

    @Option(names = "--json", description = "print diagnostics as JSON lines")
    boolean json;

    @Option(names = "--shapes", description = "also print each layer's input and output shapes and parameters")
    boolean shapes;

    @Option(names = "--input", paramLabel = "DIMS", split = ",",
            description = "input shape for --shapes, batch first (e.g. 1,1,28,28); default: batch 1 and the shape forward declares")
    List<Long> input;

    @Option(names = "--model", paramLabel = "NAME", description = "the model to summarise (default: the one trained first)")
    String model;

    @Override
    public Integer call() {
        SourceFile src = read(spec, file);
        if (src == null) return 2;
        Frontend.Result r = Frontend.check(src);
        var out = spec.commandLine().getOut();
        out.print(json ? JsonRenderer.render(r.diagnostics()) : TextRenderer.render(r.diagnostics()));
        if (!r.ok()) {
            out.flush();
            return 1;
        }
        if (shapes) {
            String s = SummaryCommand.summary(spec, r, model, input);
            if (s == null) return 2;
            out.print(s);
        } else if (!json) {
            out.println("ok: " + src.name());
        }
        out.flush();
        return 0;
    }

    /** The source file, or null after printing why it cannot be read. */
    /**
     * For commands that need a valid program (summary, compile, run): the checked file, with its
     * diagnostics already printed when it has errors; null when it could not be read (said on stderr).
     */
    static Frontend.Result checkForUse(CommandLine.Model.CommandSpec spec, Path file) {
        SourceFile src = read(spec, file);
        if (src == null) return null;
        Frontend.Result r = Frontend.check(src);
        if (!r.ok()) {
            spec.commandLine().getOut().print(TextRenderer.render(r.diagnostics()));
            spec.commandLine().getOut().flush();
        }
        return r;
    }

    static SourceFile read(CommandLine.Model.CommandSpec spec, Path file) {
        try {
            if (Files.isDirectory(file)) {
                spec.commandLine().getErr().println("error: " + file + " is a folder; give a .nnet file");
                return null;
            }
            return SourceFile.read(file);
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("error: no such file: " + file);
        } catch (IOException e) {
            spec.commandLine().getErr().println("error: cannot read " + file + ": " + e.getMessage());
        }
        return null;
    }

    static List<Long> orEmpty(List<Long> l) { return l == null ? new ArrayList<>() : l; }
}
