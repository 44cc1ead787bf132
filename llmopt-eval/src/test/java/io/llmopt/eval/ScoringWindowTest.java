package io.llmopt.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoringWindowTest {

    @Test
    void chunksFollowLlamaPerplexity() {
        List<ScoringWindow> w = ScoringWindow.chunks(40710, 256, 0, true);
        assertThat(w).hasSize(159);
        assertThat(w.get(1)).isEqualTo(new ScoringWindow(256, 256, 128, true));
        assertThat(w.stream().mapToInt(ScoringWindow::scoredCount).sum()).isEqualTo(20193);
        assertThat(ScoringWindow.chunks(40710, 256, 100, true)).hasSize(100);
    }

    @Test
    void textShorterThanTwoContextsIsRefused() {
        assertThatThrownBy(() -> ScoringWindow.chunks(511, 256, 0, true)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("511 tokens").hasMessageContaining("at least 512");
    }

    @Test
    void stridedWindowsScoreEveryTokenButTheFirstOnce() {
        // With stride == ctx (no overlap) the recipe cannot score a window's first token: HF's known gap.
        for (int[] c : new int[][] {{1000, 256, 128}, {1000, 100, 7}, {300, 256, 64}, {10, 256, 128}, {1000, 256, 255}}) {
            int[] seen = new int[c[0]];
            for (ScoringWindow w : ScoringWindow.strided(c[0], c[1], c[2], 0)) {
                assertThat(w.length()).isLessThanOrEqualTo(c[1]);
                for (int p = w.firstScored(); p < w.length() - 1; p++) {
                    seen[w.start() + p + 1]++;
                }
            }
            assertThat(seen[0]).isZero();
            for (int t = 1; t < seen.length; t++) {
                assertThat(seen[t]).as("token %d of %s", t, java.util.Arrays.toString(c)).isEqualTo(1);
            }
        }
    }

    @Test
    void withoutOverlapEachWindowsFirstTokenIsNotScored() {
        List<ScoringWindow> w = ScoringWindow.strided(1000, 256, 256, 0);
        assertThat(w).hasSize(4);
        assertThat(w.stream().mapToInt(ScoringWindow::scoredCount).sum()).isEqualTo(999 - 3);
    }

    @Test
    void nllStatsGiveLlamaCppsError() {
        NllStats s = new NllStats();
        double[] nll = {1.0, 2.0, 3.0, 2.5};
        for (double x : nll) {
            s.add(x);
        }
        double mean = 2.125;
        double var = (1 + 4 + 9 + 6.25) / 4 - mean * mean;
        assertThat(s.perplexity()).isCloseTo(Math.exp(mean), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.perplexityStderr()).isCloseTo(Math.exp(mean) * Math.sqrt(var / 3), org.assertj.core.data.Offset.offset(1e-12));
    }
}
