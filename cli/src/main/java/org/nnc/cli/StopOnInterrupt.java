package org.nnc.cli;

import org.nnc.train.Trainer;

/**
 * Ctrl-C during training: the first asks the trainer to stop after its current batch (saving a checkpoint
 * when one is configured, then exiting with status 130); a second one ends the process at once.
 */
final class StopOnInterrupt {
    private static volatile boolean asked;

    private StopOnInterrupt() {}

    @SuppressWarnings("removal")
    static void install() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> {
                if (asked) {
                    Runtime.getRuntime().halt(130);
                }
                asked = true;
                System.err.println();
                System.err.println("stopping after this batch (Ctrl-C again to quit at once)");
                Trainer.requestStop();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // No SIGINT on this platform: Ctrl-C keeps its default meaning.
        }
    }
}
