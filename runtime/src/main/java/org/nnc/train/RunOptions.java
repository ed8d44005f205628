package org.nnc.train;

import java.util.Locale;

/**
 * Command-line overrides of a train block ({@code --epochs 5 --batch-size 64 --lr 0.01 --seed 1
 * --device cpu --workers 2}), read by every compiled train class's {@code main}. Flags win over the block.
 */
public record RunOptions(Integer epochs, Integer batchSize, Double lr, Long seed, String device, Integer workers, String checkpoint,
                         boolean resume) {
    public static final RunOptions NONE = new RunOptions(null, null, null, null, null, null, null, false);

    public static RunOptions parse(String[] args) {
        Integer epochs = null, batch = null, workers = null;
        Double lr = null;
        Long seed = null;
        String device = null, checkpoint = null;
        boolean resume = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--resume")) {
                resume = true;
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + a + " needs a value");
            String v = args[++i];
            try {
                switch (a) {
                    case "--epochs" -> epochs = Integer.parseInt(v);
                    case "--batch-size" -> batch = Integer.parseInt(v);
                    case "--lr" -> lr = Double.parseDouble(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--device" -> device = v.toLowerCase(Locale.ROOT);
                    case "--workers" -> workers = Integer.parseInt(v);
                    case "--checkpoint" -> checkpoint = v;
                    default -> throw new IllegalArgumentException("unknown option " + a
                            + " (known: --epochs, --batch-size, --lr, --seed, --device, --workers, --checkpoint, --resume)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + a + " needs a number, got \"" + v + "\"");
            }
        }
        return new RunOptions(epochs, batch, lr, seed, device, workers, checkpoint, resume);
    }

    public TrainConfig apply(TrainConfig c) {
        TrainConfig r = c;
        if (epochs != null) r = r.withEpochs(epochs);
        if (batchSize != null) r = r.withBatchSize(batchSize);
        if (seed != null) r = r.withSeed(seed);
        if (device != null) r = r.withDevice(device);
        if (workers != null) r = r.withWorkers(workers);
        if (checkpoint != null) r = r.withCheckpoint(Launch.output(checkpoint));
        if (resume) r = r.withResume(true);
        if (lr != null) {
            var make = r.optimizer();
            double rate = lr;
            r = r.withOptimizer(p -> {
                var o = make.apply(p);
                o.setLr(rate);
                return o;
            });
        }
        return r;
    }

    /** The seed the run should use: the flag if given, else the block's. */
    public long seedOr(long block) { return seed != null ? seed : block; }
}
