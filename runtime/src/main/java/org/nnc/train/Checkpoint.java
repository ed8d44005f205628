package org.nnc.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nnc.io.SafeTensors;
import org.nnc.nn.Module;
import org.nnc.optim.Optimizer;
import org.nnc.optim.Scheduler;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/**
 * The whole state of a training run, in one safetensors file inside the checkpoint folder: the model
 * ({@code model.*}, PyTorch's names), the optimizer ({@code optimizer.*}), the scheduler's epoch, the
 * random generator, where in the data the run is (epoch and batch) with that epoch's running sums, and
 * the metrics so far. Saved atomically, so a crash at any moment leaves the previous checkpoint or the
 * new one. A run resumed from it ends with the same weights, bit for bit, as one never interrupted.
 */
public final class Checkpoint {
    public static final String FILE = "checkpoint.safetensors";

    /** Where a run stands: epoch (1-based) and batches of it already done, with the epoch's running sums. */
    record Position(int epoch, int batch, double lossSum, long correct, long seen) {}

    private Checkpoint() {}

    static Path file(Path dir) { return dir.resolve(FILE); }

    static void save(Path dir, Module model, Optimizer opt, Scheduler sched, Position pos, History history) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> t.put("model." + k, v));
        opt.stateDict().forEach((k, v) -> t.put("optimizer." + k, v));
        if (sched != null) t.put("scheduler.epoch", Tensor.scalar(DType.INT64, sched.epoch()));
        t.put("rng.global", Tensor.of(Generator.global().getState(), 3));
        t.put("position", Tensor.of(new long[] {pos.epoch(), pos.batch(), pos.correct(), pos.seen()}, 4));
        t.put("position.loss_sum", Tensor.of(new double[] {pos.lossSum()}, 1));
        int n = history.epochs().size();
        double[] h = new double[n * 6];
        for (int i = 0; i < n; i++) {
            History.Epoch e = history.epochs().get(i);
            double[] row = {e.epoch(), e.trainLoss(), e.trainAccuracy(), e.valLoss(), e.valAccuracy(), e.seconds()};
            System.arraycopy(row, 0, h, 6 * i, 6);
        }
        t.put("history", Tensor.of(h, n, 6));
        try {
            Files.createDirectories(dir);
            SafeTensors.write(t, Map.of("format", "nnc-checkpoint", "version", "1"), file(dir));
        } catch (IOException e) {
            throw new TrainingException("cannot write the checkpoint in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Restores everything into the given objects and returns where the run stood. */
    static Position load(Path dir, Module model, Optimizer opt, Scheduler sched, History history) {
        Path f = file(dir);
        if (!Files.exists(f)) throw new TrainingException("there is no checkpoint to resume from: " + f + " does not exist");
        Map<String, Tensor> t;
        try {
            SafeTensors.Contents c = SafeTensors.read(f);
            if (!"nnc-checkpoint".equals(c.metadata().get("format"))) {
                throw new TrainingException(f + " is not an nnc checkpoint (its metadata has no format = nnc-checkpoint)");
            }
            t = c.tensors();
        } catch (IOException e) {
            throw new TrainingException("cannot read the checkpoint: " + e.getMessage(), e);
        }
        Map<String, Tensor> m = new LinkedHashMap<>(), o = new LinkedHashMap<>();
        t.forEach((k, v) -> {
            if (k.startsWith("model.")) m.put(k.substring(6), v);
            if (k.startsWith("optimizer.")) o.put(k.substring(10), v);
        });
        try {
            model.loadStateDict(m);
        } catch (IllegalArgumentException e) {
            throw new TrainingException("the checkpoint in " + dir + " is for another model: " + e.getMessage(), e);
        }
        opt.loadStateDict(o);
        if (sched != null && t.containsKey("scheduler.epoch")) sched.setEpoch((int) t.get("scheduler.epoch").item());
        Generator.global().setState(t.get("rng.global").toLongArray());
        Tensor h = t.get("history");
        for (int i = 0; i < h.size(0); i++) {
            double[] r = h.select(0, i).toDoubleArray();
            history.add(new History.Epoch((int) r[0], r[1], r[2], r[3], r[4], r[5]));
        }
        long[] p = t.get("position").toLongArray();
        return new Position((int) p[0], (int) p[1], t.get("position.loss_sum").item(), p[2], p[3]);
    }
}
