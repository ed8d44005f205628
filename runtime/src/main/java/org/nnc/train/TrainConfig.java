package org.nnc.train;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.nnc.data.Dataset;
import org.nnc.optim.Optimizer;
import org.nnc.optim.Scheduler;
import org.nnc.tensor.Tensor;

/**
 * Everything a train block says (LANGUAGE.md §8), with its defaults. Compiled train blocks build one and
 * hand it to {@link Trainer}; Java users can too.
 *
 * @param validationSplit the fraction of {@code data} held out when {@code validation} is null (0 for none)
 * @param checkpoint      a folder where the whole training state is saved after every epoch (null for none)
 * @param resume          continue from the checkpoint in that folder instead of starting afresh
 */
public record TrainConfig(Dataset data, Dataset validation, double validationSplit, Loss loss,
                          Function<List<Tensor>, Optimizer> optimizer, Function<Optimizer, Scheduler> scheduler,
                          int epochs, int batchSize, boolean shuffle, int workers, long seed,
                          Path init, Path save, Path log, String device, Path checkpoint, boolean resume) {

    public static TrainConfig of(Dataset data, Loss loss) {
        return new TrainConfig(data, null, 0, loss, p -> new org.nnc.optim.SGD(p, 0.01), null, 1, 32, true, 0, 0,
                null, null, null, "auto", null, false);
    }

    public TrainConfig withValidation(Dataset v) { return new TrainConfig(data, v, 0, loss, optimizer, scheduler, epochs, batchSize, shuffle, workers, seed, init, save, log, device, checkpoint, resume); }

    public TrainConfig withValidationSplit(double f) { return new TrainConfig(data, null, f, loss, optimizer, scheduler, epochs, batchSize, shuffle, workers, seed, init, save, log, device, checkpoint, resume); }

    public TrainConfig withOptimizer(Function<List<Tensor>, Optimizer> o) { return new TrainConfig(data, validation, validationSplit, loss, o, scheduler, epochs, batchSize, shuffle, workers, seed, init, save, log, device, checkpoint, resume); }

    public TrainConfig withScheduler(Function<Optimizer, Scheduler> s) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, s, epochs, batchSize, shuffle, workers, seed, init, save, log, device, checkpoint, resume); }

    public TrainConfig withEpochs(int e) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, e, batchSize, shuffle, workers, seed, init, save, log, device, checkpoint, resume); }

    public TrainConfig withBatchSize(int b) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, epochs, b, shuffle, workers, seed, init, save, log, device, checkpoint, resume); }

    public TrainConfig withShuffle(boolean s) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, epochs, batchSize, s, workers, seed, init, save, log, device, checkpoint, resume); }

    public TrainConfig withWorkers(int w) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, epochs, batchSize, shuffle, w, seed, init, save, log, device, checkpoint, resume); }

    public TrainConfig withSeed(long s) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, epochs, batchSize, shuffle, workers, s, init, save, log, device, checkpoint, resume); }

    public TrainConfig withInit(Path p) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, epochs, batchSize, shuffle, workers, seed, p, save, log, device, checkpoint, resume); }

    public TrainConfig withSave(Path p) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, epochs, batchSize, shuffle, workers, seed, init, p, log, device, checkpoint, resume); }

    public TrainConfig withLog(Path p) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, epochs, batchSize, shuffle, workers, seed, init, save, p, device, checkpoint, resume); }

    public TrainConfig withDevice(String d) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, epochs, batchSize, shuffle, workers, seed, init, save, log, d, checkpoint, resume); }

    public TrainConfig withCheckpoint(Path dir) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, epochs, batchSize, shuffle, workers, seed, init, save, log, device, dir, resume); }

    public TrainConfig withResume(boolean r) { return new TrainConfig(data, validation, validationSplit, loss, optimizer, scheduler, epochs, batchSize, shuffle, workers, seed, init, save, log, device, checkpoint, r); }
}
