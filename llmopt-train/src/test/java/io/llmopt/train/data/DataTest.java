package io.llmopt.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.model.loader.TokenizerFiles;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import io.llmopt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DataTest {
    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    private static Tokenizer tok512() {
        return TokenizerFiles.load(SharedData.require("models/stories260K/tok512.model"), 512);
    }

    @Test
    void bosBeforeEachStrippedStory() {
        Tokenizer t = tok512();
        TokenCorpus c = TokenCorpus.of("text", "  Once upon a time.\n<|endoftext|>\n<|endoftext|>The end.  ", t, 512, POOL);
        int[] a = t.encode("Once upon a time.", false, false);
        int[] b = t.encode("The end.", false, false);
        int[] expected = new int[2 + a.length + b.length];
        expected[0] = 1;
        System.arraycopy(a, 0, expected, 1, a.length);
        expected[1 + a.length] = 1;
        System.arraycopy(b, 0, expected, 2 + a.length, b.length);
        assertThat(c.tokens()).isEqualTo(expected);
        assertThat(c.documents()).isEqualTo(2);
    }

    @Test
    void wholeTrainingFileGivesTheReferenceTrainersTokenCount() {
        long t0 = System.nanoTime();
        TokenCorpus c = TokenCorpus.read(SharedData.require("data/tinystories-train.txt"), tok512(), 512, POOL);
        System.out.printf("tokenized tinystories-train.txt: %d stories, %d tokens in %.1f s%n", c.documents(),
                c.tokens().length, (System.nanoTime() - t0) / 1e9);
        // ../shared README: the ref-tinystories trainer's cache has 3,671,347 tokens for 9,029 stories
        assertThat(c.documents()).isEqualTo(9029);
        assertThat(c.tokens().length).isEqualTo(3_671_347);
    }

    @Test
    void emptyTextAndTooShortTextAreClearErrors() {
        Tokenizer t = tok512();
        assertThatThrownBy(() -> TokenCorpus.of("empty.txt", " \n<|endoftext|>\n", t, 512, POOL))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("empty.txt: no text to train on");
        TokenCorpus small = TokenCorpus.of("small.txt", "Hi.", t, 512, POOL);
        assertThatThrownBy(() -> small.requireWindow(64)).isInstanceOf(LlmoptException.class).hasMessageContaining("--seq-len 64");
        assertThatThrownBy(() -> TokenCorpus.of("x", "Once upon a time", t, 300, POOL))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("outside the model's vocabulary of 300");
    }

    @Test
    void samplerVisitsEveryWindowOncePerEpochAndResumesFromItsPosition() {
        int[] tokens = new int[1000];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i;
        }
        int t = 16;
        WindowSampler s = new WindowSampler(tokens, t, 7);
        int perEpoch = s.windowsPerEpoch();
        int[] in = new int[t];
        int[] out = new int[t];
        Set<Integer> starts = new HashSet<>();
        for (int i = 0; i < perEpoch; i++) {
            s.next(in, out, 0);
            assertThat(out[0]).isEqualTo(in[0] + 1);
            assertThat(in[t - 1]).isEqualTo(in[0] + t - 1);
            starts.add(in[0]);
        }
        assertThat(starts).hasSize(perEpoch);
        List<Integer> rest = new ArrayList<>();
        WindowSampler.Position mid = null;
        for (int i = 0; i < 3 * perEpoch; i++) {
            if (i == perEpoch + 5) {
                mid = s.position();
            }
            s.next(in, out, 0);
            rest.add(in[0]);
        }
        WindowSampler again = new WindowSampler(tokens, t, 7);
        again.seek(mid);
        for (int i = perEpoch + 5; i < rest.size(); i++) {
            again.next(in, out, 0);
            assertThat(in[0]).isEqualTo(rest.get(i));
        }
        // another seed, another order
        WindowSampler other = new WindowSampler(tokens, t, 8);
        int[] a = new int[8];
        int[] b = new int[8];
        WindowSampler first = new WindowSampler(tokens, t, 7);
        for (int i = 0; i < 8; i++) {
            first.next(in, out, 0);
            a[i] = in[0];
            other.next(in, out, 0);
            b[i] = in[0];
        }
        assertThat(Arrays.equals(a, b)).isFalse();
    }

    @Test
    void validationWindowsAreConsecutive() {
        int[] tokens = new int[50];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i;
        }
        ValidationWindows v = new ValidationWindows(tokens, 8, 0);
        assertThat(v.count()).isEqualTo(6);
        assertThat(new ValidationWindows(tokens, 8, 4).count()).isEqualTo(4);
        int[] in = new int[16];
        int[] out = new int[16];
        v.fill(in, out, 5, 1);
        assertThat(in[0]).isEqualTo(40);
        assertThat(out[7]).isEqualTo(48);
    }
}
