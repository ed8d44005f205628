package org.nnc.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nnc.frontend.Frontend;
import org.nnc.frontend.diag.TextRenderer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnc summary FILE}: the torchinfo-style table of a model's layers, shapes and parameters. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print every layer of a model with its input and output shapes and parameter count.")
final class SummaryCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the .nnet file")
    Path file;

    @Option(names = "--input", paramLabel = "DIMS", split = ",",
            description = "input shape, batch first or per sample (e.g. 1,28,28); default: batch 1 and the shape forward declares")
    List<Long> input;

    @Option(names = "--model", paramLabel = "NAME", description = "the model (default: the one trained first)")
    String model;

    @Override
    public Integer call() {
        Frontend.Result r = CheckCommand.checkForUse(spec, file);
        if (r == null) return 2;
        if (!r.ok()) return 1;
        String s = summary(spec, r, model, input);
        if (s == null) return 2;
        spec.commandLine().getOut().print(s);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The summary text, or null after printing why there is none. */
    static String summary(CommandLine.Model.CommandSpec spec, Frontend.Result r, String model, List<Long> input) {
        String name = model != null ? model : r.checker().mainModel();
        if (name == null || !r.checker().modelNames().contains(name)) {
            spec.commandLine().getErr().println(name == null ? "error: the file declares no model"
                    : "error: no model named " + name + " (models: " + String.join(", ", r.checker().modelNames()) + ")");
            return null;
        }
        List<Long> declared = r.checker().declaredInput(name);
        List<Long> dims = new ArrayList<>(input == null ? List.of() : input);
        if (dims.isEmpty()) {
            if (declared == null) {
                spec.commandLine().getErr().println("error: " + name + ".forward's input has symbolic dimensions; give --input, e.g. --input 1,28,28");
                return null;
            }
            dims.add(1L);
            dims.addAll(declared);
        } else if (declared != null && dims.size() == declared.size()) {
            dims.add(0, 1L);
        }
        String s = r.checker().summary(name, dims);
        if (s == null) {
            spec.commandLine().getErr().println("error: " + name + " has no forward taking one tensor");
            return null;
        }
        if (r.diagnostics().hasErrors()) {
            spec.commandLine().getOut().print(TextRenderer.render(r.diagnostics()));
        }
        return s;
    }
}
