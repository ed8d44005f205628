package org.nnc.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What a run prints while it trains: on a terminal, a live bar per epoch (batches done, rate, time left,
 * running loss); otherwise one line per epoch, so logs stay readable.
 */
final class Progress {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final boolean live;
    private final int epochs;
    private long epochStart, lastDraw;

    Progress(PrintStream out, boolean live, int epochs) {
        this.out = out;
        this.live = live;
        this.epochs = epochs;
    }

    /** True when standard output is an interactive terminal. */
    static boolean terminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    void startEpoch() {
        epochStart = System.nanoTime();
        lastDraw = 0;
    }

    void batch(int epoch, int done, int total, double runningLoss) {
        if (!live) return;
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        double secs = (now - epochStart) / 1e9;
        double rate = done / Math.max(secs, 1e-9);
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s] %d/%d  %.0f batch/s  ETA %s  loss %.4f ", epoch, epochs, bar, done, total,
                rate, clock((total - done) / Math.max(rate, 1e-9)), runningLoss));
        out.flush();
    }

    /** Clears a half-drawn bar before a message about stopping. */
    void interrupted() {
        if (live) out.print("\r" + " ".repeat(100) + "\r");
    }

    void endEpoch(History.Epoch e) {
        if (live) out.print("\r" + " ".repeat(100) + "\r");
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f", e.epoch(), epochs, e.trainLoss()));
        if (!Double.isNaN(e.trainAccuracy())) sb.append(String.format(Locale.ROOT, "  accuracy %.2f%%", 100 * e.trainAccuracy()));
        if (!Double.isNaN(e.valLoss())) sb.append(String.format(Locale.ROOT, "  val_loss %.4f", e.valLoss()));
        if (!Double.isNaN(e.valAccuracy())) sb.append(String.format(Locale.ROOT, "  val_accuracy %.2f%%", 100 * e.valAccuracy()));
        sb.append(String.format(Locale.ROOT, "  (%.1fs)", e.seconds()));
        out.println(sb);
    }

    private static String clock(double seconds) {
        long s = Math.round(Math.min(seconds, 359999));
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
