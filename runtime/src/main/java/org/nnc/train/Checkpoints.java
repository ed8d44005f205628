package org.nnc.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.nnc.io.SafeTensors;
import org.nnc.nn.Module;

/** {@code save(model, path)} and {@code load(model, path)} of LANGUAGE.md §9, as safetensors with PyTorch's names. */
public final class Checkpoints {
    private Checkpoints() {}

    public static void save(Module model, String path) {
        try {
            SafeTensors.write(model.stateDict(), Map.of("format", "pt", "written_by", "nnc"), Launch.output(path));
        } catch (IOException e) {
            throw new TrainingException("cannot save " + path + ": " + e.getMessage(), e);
        }
    }

    public static void load(Module model, String base, String path) {
        try {
            model.loadStateDict(SafeTensors.read(Sources.resolve(base, path)).tensors());
        } catch (IOException e) {
            throw new TrainingException("cannot load " + path + ": " + e.getMessage(), e);
        }
    }
}
