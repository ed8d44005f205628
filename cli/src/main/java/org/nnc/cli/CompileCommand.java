package org.nnc.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nnc.codegen.Compiler;
import org.nnc.frontend.Frontend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnc compile FILE -o DIR|FILE.jar}: checks, then writes the JVM classes. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Compile a .nnet file to JVM classes: a folder of .class files, or a jar.")
final class CompileCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the .nnet file")
    Path file;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR|FILE.jar", description = "where to write the classes")
    Path output;

    @Option(names = "--standalone", description = "put the runtime in the jar too, so java -jar needs nothing else")
    boolean standalone;

    @Override
    public Integer call() {
        Frontend.Result r = CheckCommand.checkForUse(spec, file);
        if (r == null) return 2;
        if (!r.ok()) return 1;
        Compiler.Output out = Compiler.compile(r);
        try {
            if (output.toString().endsWith(".jar")) {
                Programs.writeJar(out, output, standalone, Programs.runtimeJars());
                spec.commandLine().getOut().println("wrote " + output + " (" + out.classes().size() + " classes"
                        + (standalone ? ", with the runtime" : "") + "); run it with: java --add-modules jdk.incubator.vector -jar " + output);
            } else {
                if (standalone) {
                    spec.commandLine().getErr().println("error: --standalone applies to jars; give -o FILE.jar");
                    return 2;
                }
                Programs.writeClasses(out, output);
                spec.commandLine().getOut().println("wrote " + out.classes().size() + " classes to " + output + " (package " + out.packageName() + ")");
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("error: cannot write " + output + ": " + e.getMessage());
            return 2;
        }
        return 0;
    }
}
