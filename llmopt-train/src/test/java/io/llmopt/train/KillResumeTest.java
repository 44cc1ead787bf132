package io.llmopt.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.checkpoint.CheckpointFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real kill: a child JVM trains with a checkpoint after every step and is killed with SIGKILL mid-run (maybe in
 * the middle of writing a checkpoint); training resumed from whatever checkpoint survived lands on the loss curve
 * of an uninterrupted run, bit for bit.
 */
class KillResumeTest {
    static final int STEPS = 16;

    static TrainOptions options(int steps) {
        return Tiny.options(steps).withCheckpointEvery(1);
    }

    @TempDir
    Path dir;

    @Test
    void killedProcessResumesOnTheUninterruptedCurve() throws Exception {
        Path ckpt = dir.resolve("checkpoint.bin");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), ResumeProbe.class.getName(), ckpt.toString(), Integer.toString(STEPS)));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long killedAfter = -1;
        while (System.nanoTime() < deadline && child.isAlive()) {
            if (Files.exists(ckpt)) {
                long step = CheckpointFile.read(ckpt).step();
                if (step >= 5) {
                    child.destroyForcibly(); // SIGKILL
                    child.waitFor();
                    killedAfter = step;
                    break;
                }
            }
            Thread.sleep(20);
        }
        assertThat(killedAfter).as("child log: " + (Files.exists(dir.resolve("child.log")) ? Files.readString(dir.resolve("child.log")) : ""))
                .isBetween(5L, (long) STEPS - 1);

        WorkerPool pool = new WorkerPool(2);
        try {
            var state = CheckpointFile.read(ckpt);
            System.out.printf("killed the training process after checkpoint of step %d (its last checkpoint: step %d)%n", killedAfter, state.step());
            TrainResult resumed = new Trainer(ModelParameters.random(Tiny.CONFIG, 77), options(STEPS), new CrossEntropyObjective(pool),
                    Tiny.corpus(20_000, 1), Tiny.corpus(2_000, 2), pool).resume(state).run();
            TrainResult straight = new Trainer(ModelParameters.random(Tiny.CONFIG, 3), options(STEPS), new CrossEntropyObjective(pool),
                    Tiny.corpus(20_000, 1), Tiny.corpus(2_000, 2), pool).run();
            assertThat(resumed.history().trainLoss()).hasSize(STEPS).isEqualTo(straight.history().trainLoss());
            assertThat(resumed.history().evalLoss()).isEqualTo(straight.history().evalLoss());
            assertThat(resumed.validLossLast()).isEqualTo(straight.validLossLast());
        } finally {
            pool.shutdown();
        }
    }
}
