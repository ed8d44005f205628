package org.nnc.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Per-epoch metrics of a run: written as CSV, and as a PNG of loss and accuracy curves. */
public final class History {
    /** NaN where a metric does not apply (no validation, or a regression without accuracy). */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy, double seconds) {}

    private final List<Epoch> epochs = new ArrayList<>();

    public void add(Epoch e) { epochs.add(e); }

    public List<Epoch> epochs() { return List.copyOf(epochs); }

    public Epoch last() { return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1); }

    private static String num(double v) { return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v); }

    public void writeCsv(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n");
        for (Epoch e : epochs) {
            sb.append(e.epoch()).append(',').append(num(e.trainLoss())).append(',').append(num(e.trainAccuracy())).append(',')
                    .append(num(e.valLoss())).append(',').append(num(e.valAccuracy())).append(',').append(num(e.seconds())).append('\n');
        }
        org.nnc.io.AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Loss (left axis) and accuracy (right axis) per epoch, training and validation. Drawn by
     * {@link HistoryPlot}, so that training itself never loads the plotting library (the GPU check's
     * runtime leaves it and java.desktop out).
     */
    public void writePlot(Path png) throws IOException { HistoryPlot.write(epochs(), png); }
}
