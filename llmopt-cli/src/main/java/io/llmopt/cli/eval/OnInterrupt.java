package io.llmopt.cli.eval;

/**
 * Prints the partial result when the JVM is stopped (Ctrl-C) during an evaluation: a shutdown hook that is
 * removed again when the evaluation finishes normally.
 */
final class OnInterrupt implements AutoCloseable {
    private final Thread hook;

    OnInterrupt(Runnable printPartial) {
        hook = new Thread(printPartial, "llmopt-eval-partial-result");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is already running: it prints the partial result.
        }
    }
}
