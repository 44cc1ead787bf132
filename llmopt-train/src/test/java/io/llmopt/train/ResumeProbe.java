package io.llmopt.train;

import io.llmopt.tensor.kernel.WorkerPool;
import java.nio.file.Path;

/**
 * A training process for {@link KillResumeTest} to kill: trains the tiny model with a checkpoint after every
 * step, slowed down so the parent can kill it mid-run. Arguments: checkpoint file, steps.
 */
public final class ResumeProbe {
    private ResumeProbe() {
    }

    public static void main(String[] args) {
        Path ckpt = Path.of(args[0]);
        int steps = Integer.parseInt(args[1]);
        WorkerPool pool = new WorkerPool(1);
        new Trainer(ModelParameters.random(Tiny.CONFIG, 3), KillResumeTest.options(steps), new CrossEntropyObjective(pool),
                Tiny.corpus(20_000, 1), Tiny.corpus(2_000, 2), pool)
                .checkpointTo(ckpt)
                .listener(new TrainListener() {
                    @Override
                    public void onStep(int step, int total, float loss, double lr, double gradNorm, double tokensPerSecond) {
                        try {
                            Thread.sleep(150);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                })
                .run();
        pool.shutdown();
    }
}
