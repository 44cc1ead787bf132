package io.llmopt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.checkpoint.CheckpointFile;
import io.llmopt.train.data.TokenCorpus;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final WorkerPool ONE = new WorkerPool(1);
    private static final WorkerPool TWO = new WorkerPool(2);
    private static final TokenCorpus TRAIN = Tiny.corpus(20_000, 1);
    private static final TokenCorpus VALID = Tiny.corpus(2_000, 2);

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        ONE.shutdown();
        TWO.shutdown();
    }

    private static Trainer trainer(TrainOptions o, long initSeed, WorkerPool pool) {
        return new Trainer(ModelParameters.random(Tiny.CONFIG, initSeed), o, new CrossEntropyObjective(pool), TRAIN, VALID, pool);
    }

    @Test
    void lossFallsOnALearnableCorpus() {
        TrainResult r = trainer(Tiny.options(60).withEvalEvery(20, 0), 3, TWO).run();
        float[] loss = r.history().trainLoss();
        System.out.printf("tiny model, 60 steps: train loss %.3f -> %.3f, valid %.3f -> %.3f, %.0f tokens/s%n",
                loss[0], r.trainLossLast(), r.validLossFirst(), r.validLossLast(), r.tokensPerSecond());
        assertThat(loss[0]).isBetween(3.9f, 4.5f); // ≈ log(64) = 4.16 at random init
        assertThat(r.validLossLast()).isLessThan(r.validLossFirst() - 1.0f);
        assertThat(r.history().evalSteps()).containsExactly(0, 20, 40, 60);
        assertThat(r.steps()).isEqualTo(60);
        assertThat(r.tokensSeen()).isEqualTo(60L * 4 * 16 * 2);
    }

    @Test
    void sameLossCurveOnOneAndTwoThreads() {
        TrainResult a = trainer(Tiny.options(6), 3, ONE).run();
        TrainResult b = trainer(Tiny.options(6), 3, TWO).run();
        assertThat(a.history().trainLoss()).isEqualTo(b.history().trainLoss());
        assertThat(a.history().gradNorm()).isEqualTo(b.history().gradNorm());
        assertThat(a.history().evalLoss()).isEqualTo(b.history().evalLoss());
    }

    @Test
    void stoppedRunResumesOnTheSameCurveBitForBit() {
        int n = 10;
        TrainOptions o = Tiny.options(n).withCheckpointEvery(n / 2);
        Trainer straight = trainer(o, 3, TWO);
        TrainResult full = straight.run();

        Path ckpt = dir.resolve("checkpoint.bin");
        TrainResult half = trainer(o, 3, TWO).checkpointTo(ckpt).stopAfter(n / 2).run();
        assertThat(half.steps()).isEqualTo(n / 2);
        // a fresh process would start from other random weights: the checkpoint must carry everything
        Trainer resumed = trainer(o, 999, TWO).checkpointTo(ckpt).resume(CheckpointFile.read(ckpt));
        TrainResult rest = resumed.run();

        System.out.printf("resume: straight %s%n        resumed  %s%n", java.util.Arrays.toString(full.history().trainLoss()),
                java.util.Arrays.toString(rest.history().trainLoss()));
        assertThat(rest.steps()).isEqualTo(n);
        assertThat(rest.history().trainLoss()).isEqualTo(full.history().trainLoss());
        assertThat(rest.history().gradNorm()).isEqualTo(full.history().gradNorm());
        assertThat(rest.history().evalSteps()).isEqualTo(full.history().evalSteps());
        assertThat(rest.history().evalLoss()).isEqualTo(full.history().evalLoss());
        assertThat(resumed.state().params()).isEqualTo(straight.state().params());
        assertThat(resumed.state().firstMoments()).isEqualTo(straight.state().firstMoments());
        assertThat(rest.tokensSeen()).isEqualTo(full.tokensSeen());
    }

    @Test
    void resumingWithOtherSettingsIsAClearError() {
        Path ckpt = dir.resolve("c.bin");
        trainer(Tiny.options(2), 3, ONE).checkpointTo(ckpt).run();
        TrainOptions other = new TrainOptions(4, 16, 2, 2, 1e-3, 2, 0, 0.1, 0.1, 0.9, 0.95, 1.0, 2, 0, 0, 5);
        assertThatThrownBy(() -> trainer(other, 3, ONE).resume(CheckpointFile.read(ckpt)))
                .isInstanceOf(LlmoptException.class)
                .hasMessageContaining("--lr 0.003, this run has 0.001");
    }
}
