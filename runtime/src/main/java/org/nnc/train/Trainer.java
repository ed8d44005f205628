package org.nnc.train;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nnc.autograd.GradMode;
import org.nnc.backend.Devices;
import org.nnc.data.DataLoader;
import org.nnc.data.Dataset;
import org.nnc.data.Subset;
import org.nnc.io.SafeTensors;
import org.nnc.nn.Module;
import org.nnc.optim.Optimizer;
import org.nnc.optim.Scheduler;
import org.nnc.tensor.Device;
import org.nnc.tensor.Generator;
import org.nnc.tensor.StepScope;
import org.nnc.tensor.Tensor;

/**
 * Runs a train block (LANGUAGE.md §8): epochs of batches from a DataLoader, the loss, the optimizer, an
 * optional scheduler, validation each epoch, then the saved weights, the metrics CSV and its plot. The
 * same seed gives the same weights whatever the worker count.
 */
public final class Trainer {
    private Trainer() {}

    /** What a run ends with: the final metrics and the files it wrote. */
    public record Result(History history, List<String> written) {}

    private static volatile boolean stopRequested;

    /**
     * Asks the running training to stop after its current batch (what Ctrl-C does): it saves a checkpoint
     * when one is configured, then throws {@link Stopped}.
     */
    public static void requestStop() { stopRequested = true; }

    /** Training stopped on request; the message says whether and where its state was saved. */
    public static final class Stopped extends TrainingException {
        Stopped(String message) { super(message); }
    }

    public static Result fit(Module model, TrainConfig c, PrintStream out) {
        return fit(model, c, out, Progress.terminal());
    }

    public static Result fit(Module model, TrainConfig c, PrintStream out, boolean live) {
        return fit(model, c, out, live, e -> { });
    }

    /** As {@link #fit(Module, TrainConfig, PrintStream)}, calling {@code onEpoch} after each epoch (for monitoring). */
    public static Result fit(Module model, TrainConfig c, PrintStream out, boolean live, java.util.function.Consumer<History.Epoch> onEpoch) {
        if (c.epochs() < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + c.epochs());
        Device device = chooseDevice(c.device(), out);
        if (c.init() != null) {
            try {
                model.loadStateDict(SafeTensors.read(c.init()).tensors());
            } catch (IOException e) {
                throw new TrainingException("cannot load init weights: " + e.getMessage(), e);
            }
        }
        model.to(device);
        Dataset train = c.data(), val = c.validation();
        if (val == null && c.validationSplit() > 0) {
            List<Subset> parts = Subset.randomSplit(c.data(), new double[] {1 - c.validationSplit(), c.validationSplit()}, new Generator(c.seed()));
            train = parts.get(0);
            val = parts.get(1);
        }
        Optimizer opt = c.optimizer().apply(model.parameters());
        Scheduler sched = c.scheduler() == null ? null : c.scheduler().apply(opt);
        History history = new History();
        Progress progress = new Progress(out, live, c.epochs());
        Checkpoint.Position start = new Checkpoint.Position(1, 0, 0, 0, 0);
        if (c.resume()) {
            if (c.checkpoint() == null) throw new TrainingException("resume needs a checkpoint folder (checkpoint = \"dir\" or --checkpoint DIR)");
            start = Checkpoint.load(c.checkpoint(), model, opt, sched, history);
            out.println("resuming from " + Checkpoint.file(c.checkpoint()) + " at epoch " + start.epoch()
                    + (start.batch() > 0 ? ", batch " + (start.batch() + 1) : ""));
        }
        stopRequested = false;
        StepScope steps = new StepScope();
        try (DataLoader loader = new DataLoader(train, c.batchSize(), c.shuffle(), false, c.workers(), c.seed());
             DataLoader valLoader = val == null ? null : new DataLoader(val, Math.max(c.batchSize(), 256), false, false, 0, 0)) {
            warmUp(model, c, device, (long) (c.epochs() - start.epoch() + 1) * loader.size(), out);
            for (int epoch = start.epoch(); epoch <= c.epochs(); epoch++) {
                long t0 = System.nanoTime();
                progress.startEpoch();
                model.train();
                boolean resumed = epoch == start.epoch();
                double lossSum = resumed ? start.lossSum() : 0, lastFinite = Double.NaN;
                long correct = resumed ? start.correct() : 0, seen = resumed ? start.seen() : 0;
                int batches = loader.size(), b = resumed ? start.batch() : 0;
                loader.setEpoch(epoch - 1);
                java.util.Iterator<DataLoader.Batch> it = loader.iterator(b);
                while (it.hasNext()) {
                    DataLoader.Batch host = it.next();
                    double value;
                    long right = 0;
                    try (StepScope step = steps.begin()) {   // the step's arrays serve the next step again
                        DataLoader.Batch batch = on(device, host);   // on a GPU, the step's copy of the batch
                        opt.zeroGrad();
                        Tensor output = model.forward(batch.x());
                        Tensor loss = c.loss().apply(output, batch.y());
                        // The backward pass and the count of correct predictions are queued before the loss is
                        // read, so that on a GPU the host waits once a step, for all of it, rather than after the
                        // forward pass (the GPU then idle while the host queued the rest) and again for the count.
                        // The update waits for the loss: a NaN loss leaves the parameters as they were.
                        loss.backward();
                        Tensor hits = GradMode.noGrad(() -> c.loss().hits(output.detach(), batch.y()));
                        value = loss.item();
                        if (Double.isFinite(value)) {
                            if (hits != null) right = (long) hits.item();
                            opt.step();
                        }
                    }
                    if (!Double.isFinite(value)) {
                        throw new TrainingException(String.format(Locale.ROOT, "the loss became %s at epoch %d, batch %d%s; "
                                + "try a smaller learning rate, or check the data for extreme values%s", value, epoch, b + 1,
                                Double.isNaN(lastFinite) ? "" : String.format(Locale.ROOT, " (the last finite loss was %.6g)", lastFinite),
                                c.checkpoint() != null && java.nio.file.Files.exists(Checkpoint.file(c.checkpoint()))
                                        ? "; the last good checkpoint is " + Checkpoint.file(c.checkpoint()) : ""));
                    }
                    lastFinite = value;
                    int n = host.x().size(0);
                    lossSum += value * n;
                    seen += n;
                    correct += right;
                    progress.batch(epoch, ++b, batches, lossSum / seen);
                    if (stopRequested && (b < batches || epoch < c.epochs())) {
                        progress.interrupted();
                        String where = "";
                        if (c.checkpoint() != null) {
                            Checkpoint.save(c.checkpoint(), model, opt, sched, new Checkpoint.Position(epoch, b, lossSum, correct, seen), history);
                            where = "; saved " + Checkpoint.file(c.checkpoint()) + ", continue with --resume";
                        }
                        throw new Stopped("stopped at epoch " + epoch + ", batch " + b + where);
                    }
                }
                double valLoss = Double.NaN, valAcc = Double.NaN;
                if (valLoader != null) {
                    double[] m = evaluate(model, valLoader, c.loss());
                    valLoss = m[0];
                    valAcc = m[1];
                }
                if (sched != null) sched.step();
                History.Epoch e = new History.Epoch(epoch, lossSum / Math.max(seen, 1),
                        c.loss().hasAccuracy() ? (double) correct / Math.max(seen, 1) : Double.NaN, valLoss, valAcc,
                        (System.nanoTime() - t0) / 1e9);
                history.add(e);
                progress.endEpoch(e);
                onEpoch.accept(e);
                if (c.checkpoint() != null) {
                    Checkpoint.save(c.checkpoint(), model, opt, sched, new Checkpoint.Position(epoch + 1, 0, 0, 0, 0), history);
                }
            }
        }
        List<String> written = new java.util.ArrayList<>();
        try {
            if (c.save() != null) {
                SafeTensors.write(model.stateDict(), Map.of("format", "pt", "written_by", "nnc"), c.save());
                written.add(c.save().toString());
            }
            if (c.log() != null) {
                history.writeCsv(c.log());
                java.nio.file.Path png = c.log().resolveSibling(c.log().getFileName().toString().replaceFirst("\\.[^.]*$", "") + ".png");
                history.writePlot(png);
                written.add(c.log().toString());
                written.add(png.toString());
            }
        } catch (IOException e) {
            throw new TrainingException("cannot write results: " + e.getMessage(), e);
        }
        History.Epoch last = history.last();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "done: %d epochs, loss %.4f", c.epochs(), last.trainLoss()));
        if (!Double.isNaN(last.valLoss())) sb.append(String.format(Locale.ROOT, ", val_loss %.4f", last.valLoss()));
        if (!Double.isNaN(last.valAccuracy())) sb.append(String.format(Locale.ROOT, ", val_accuracy %.2f%%", 100 * last.valAccuracy()));
        else if (!Double.isNaN(last.trainAccuracy())) sb.append(String.format(Locale.ROOT, ", accuracy %.2f%%", 100 * last.trainAccuracy()));
        if (!written.isEmpty()) sb.append("; wrote ").append(String.join(", ", written));
        out.println(sb);
        return new Result(history, written);
    }

    /**
     * Where a run trains: {@code cpu}, {@code cuda[:N]} or {@code auto} (also what no choice means). A GPU
     * run says which GPU; auto without a usable GPU says why in one line; cuda without one is an error.
     */
    static Device chooseDevice(String choice, PrintStream out) {
        Devices.Choice where;
        try {
            where = Devices.resolve(choice);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new TrainingException("device = " + choice + " was asked for, but " + e.getMessage()
                    + "; use device = auto to fall back to the CPU");
        }
        if (where.note() != null && (choice != null || where.device().kind() != Device.Kind.CPU)) out.println(where.note());
        return where.device();
    }

    /** {@link JitWarmup} on the run's device before a run of {@code steps} steps where it is {@link JitWarmup#wanted wanted}. */
    private static void warmUp(Module model, TrainConfig c, Device device, long steps, PrintStream out) {
        if (!JitWarmup.wanted(steps)) return;
        long ms = JitWarmup.run(JitWarmup.familiesOf(model), c.optimizer(), c.loss(), device);
        out.printf(Locale.ROOT, "JIT warm-up: %.1f s%n", ms / 1000.0);
    }

    /** The batch on the model's device: one copy of each tensor per step. */
    private static DataLoader.Batch on(Device device, DataLoader.Batch b) {
        if (device.kind() == Device.Kind.CPU) return b;
        return new DataLoader.Batch(b.x().to(device), b.y().to(device));
    }

    /**
     * Mean loss and accuracy (NaN for regression) over a data set, in eval mode without gradients. Each
     * batch is a {@link StepScope} step of its own (unless the caller has one open), so its arrays, and on a
     * GPU its device memory, serve the next batch.
     */
    public static double[] evaluate(Module model, DataLoader loader, Loss loss) {
        model.eval();
        StepScope steps = StepScope.isOpen() ? null : new StepScope();
        try (GradMode.Scope s = GradMode.disable()) {
            double sum = 0;
            long correct = 0, seen = 0;
            for (DataLoader.Batch host : loader) {
                try (StepScope step = steps == null ? null : steps.begin()) {
                    DataLoader.Batch batch = on(model.device(), host);
                    Tensor out = model.forward(batch.x());
                    int n = batch.x().size(0);
                    Tensor value = loss.apply(out, batch.y()), hits = loss.hits(out, batch.y());   // both queued, then read
                    sum += value.item() * n;
                    if (hits != null) correct += (long) hits.item();
                    seen += n;
                }
            }
            return new double[] {sum / Math.max(seen, 1), loss.hasAccuracy() ? (double) correct / Math.max(seen, 1) : Double.NaN};
        } finally {
            model.train();
        }
    }
}
