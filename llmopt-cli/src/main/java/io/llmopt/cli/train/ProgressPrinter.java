package io.llmopt.cli.train;

import io.llmopt.train.TrainListener;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Progress lines on stderr: about 50 step lines per run (and at least one every 10 s), every evaluation. */
final class ProgressPrinter implements TrainListener {
    private final PrintWriter err;
    private final int every;
    private long lastPrint = System.nanoTime();

    ProgressPrinter(PrintWriter err, int steps) {
        this.err = err;
        this.every = Math.max(1, steps / 50);
    }

    @Override
    public void onStep(int step, int steps, float loss, double lr, double gradNorm, double tokensPerSecond) {
        long now = System.nanoTime();
        if (step % every == 0 || step == steps || step == 1 || now - lastPrint > 10_000_000_000L) {
            lastPrint = now;
            err.printf("step %d/%d  loss %.4f  lr %.2e  |g| %.3f  %,.0f tokens/s%n", step, steps, loss, lr, gradNorm, tokensPerSecond);
            err.flush();
        }
    }

    @Override
    public void onEval(int step, float loss) {
        err.printf("validation after %d steps: loss %.4f  perplexity %.3f%n", step, loss, Math.exp(loss));
        err.flush();
    }

    @Override
    public void onCheckpoint(int step, Path file) {
        if (step % every == 0) {
            err.printf("checkpoint: %s (step %d)%n", file, step);
            err.flush();
        }
    }
}
