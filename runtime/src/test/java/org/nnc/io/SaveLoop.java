package org.nnc.io;

import java.nio.file.Path;
import java.util.Map;
import org.nnc.tensor.Tensor;

/** A process that saves checkpoints without pause, for AtomicSaveTest to kill at random moments. */
public final class SaveLoop {
    private SaveLoop() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        for (int i = 0; ; i++) {
            SafeTensors.write(Map.of("w", Tensor.full(i, 1 << 21), "step", Tensor.scalar(i)), file);
            System.out.println("saved " + i);
        }
    }
}
