package io.llmopt.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The base-logits file on synthetic logits: round trip, KL of known distributions, and refusals. */
class LogitsFileTest {
    static final int VOCAB = 50;

    @Test
    void roundTripAndExactKlWhenTopKCoversTheVocabulary(@TempDir Path dir) {
        Random random = new Random(7);
        float[][] p = new float[20][VOCAB];
        float[][] q = new float[20][VOCAB];
        for (int i = 0; i < p.length; i++) {
            for (int v = 0; v < VOCAB; v++) {
                p[i][v] = (float) (3 * random.nextGaussian());
                q[i][v] = p[i][v] + (float) (0.3 * random.nextGaussian());
            }
        }
        int[] targets = random.ints(20, 0, VOCAB).toArray();
        for (int k : new int[] {VOCAB, 5}) {
            Path file = dir.resolve("k" + k + ".kld");
            LogitsFileHeader h = new LogitsFileHeader(VOCAB, 8, 0, 1, k, 20, new int[] {1, 2, 3}, 1, "synthetic");
            try (LogitsFileWriter w = new LogitsFileWriter(file, h)) {
                for (int i = 0; i < 20; i++) {
                    w.accept(p[i], 0, VOCAB, targets[i], LogSoftmax.logSumExp(p[i], 0, VOCAB));
                }
                w.finish();
            }
            assertThat(file).hasSize(h.fileBytes());
            assertThat(dir.resolve("k" + k + ".kld.tmp")).doesNotExist();
            double exact = 0;
            try (LogitsFileReader r = LogitsFileReader.open(file)) {
                assertThat(r.header().modelName()).isEqualTo("synthetic");
                assertThat(r.header().tokens()).containsExactly(1, 2, 3);
                KlDivergence kl = new KlDivergence(r);
                for (int i = 0; i < 20; i++) {
                    double lp = LogSoftmax.logSumExp(p[i], 0, VOCAB);
                    double lq = LogSoftmax.logSumExp(q[i], 0, VOCAB);
                    for (int v = 0; v < VOCAB; v++) {
                        exact += Math.exp(p[i][v] - lp) * ((p[i][v] - lp) - (q[i][v] - lq)) / 20;
                    }
                    kl.accept(q[i], 0, VOCAB, targets[i], lq);
                }
                KlDivergenceResult res = kl.result(true);
                System.out.printf("K=%d: KLD %.7f, exact %.7f, tail %.3e%n", k, res.kldMean(), exact, res.baseTailMassMean());
                if (k == VOCAB) {
                    assertThat(res.kldMean()).isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-6));
                } else {
                    assertThat(res.kldMean()).isLessThanOrEqualTo(exact + 1e-9).isGreaterThan(0);
                }
            }
        }
    }

    @Test
    void refusesOtherFilesTruncationAndMismatches(@TempDir Path dir) throws IOException {
        Path junk = dir.resolve("junk.kld");
        Files.write(junk, new byte[200]);
        assertThatThrownBy(() -> LogitsFileReader.open(junk)).isInstanceOf(LlmoptException.class).hasMessageContaining("not an llmopt logits file");

        Path file = dir.resolve("base.kld");
        LogitsFileHeader h = new LogitsFileHeader(VOCAB, 8, 0, 1, 4, 2, new int[] {1, 5, 9}, 1, "m");
        try (LogitsFileWriter w = new LogitsFileWriter(file, h)) {
            float[] row = new float[VOCAB];
            w.accept(row, 0, VOCAB, 3, LogSoftmax.logSumExp(row, 0, VOCAB));
            w.accept(row, 0, VOCAB, 4, LogSoftmax.logSumExp(row, 0, VOCAB));
            w.finish();
        }
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.kld");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> LogitsFileReader.open(cut)).isInstanceOf(LlmoptException.class).hasMessageContaining("truncated");

        try (LogitsFileReader r = LogitsFileReader.open(file)) {
            assertThatThrownBy(() -> BaseLogits.checkModel(file, r.header(), 32000)).isInstanceOf(LlmoptException.class)
                    .hasMessageContaining("vocabulary of 50 tokens but the model has 32000");
            assertThatThrownBy(() -> BaseLogits.checkText(file, r.header(), new int[] {1, 5, 8, 10}, "other.txt"))
                    .isInstanceOf(LlmoptException.class).hasMessageContaining("different text");
            BaseLogits.checkText(file, r.header(), new int[] {1, 5, 9, 10}, "same.txt");
            assertThatThrownBy(() -> BaseLogits.checkContext(file, r.header(), 16)).isInstanceOf(LlmoptException.class)
                    .hasMessageContaining("-c 8");
        }
    }
}
