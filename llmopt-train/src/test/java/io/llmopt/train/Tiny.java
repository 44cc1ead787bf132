package io.llmopt.train;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.train.data.TokenCorpus;
import java.util.SplittableRandom;

/** Tiny configs and synthetic corpora for fast training tests. */
public final class Tiny {
    public static final LlamaConfig CONFIG = new LlamaConfig("llama", 32, 64, 2, 4, 2, 8, 64, 1e-5f, 10000, 8,
            RopeLayout.INTERLEAVED, RopeScaling.NONE, 64, true, false, 0);

    private Tiny() {
    }

    /**
     * A learnable synthetic language: documents (BOS = 1) of short arithmetic-like progressions with noise, so a
     * model can lower its loss well below the uniform log(64).
     */
    public static TokenCorpus corpus(int tokens, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] t = new int[tokens];
        int docs = 0;
        int i = 0;
        while (i < tokens) {
            t[i++] = 1;
            docs++;
            int start = 2 + rng.nextInt(60);
            int stride = 1 + rng.nextInt(3);
            int len = 5 + rng.nextInt(30);
            for (int k = 0; k < len && i < tokens; k++) {
                t[i++] = rng.nextInt(10) == 0 ? 2 + rng.nextInt(62) : 2 + (start + k * stride) % 62;
            }
        }
        return new TokenCorpus("synthetic", t, docs);
    }

    public static TrainOptions options(int steps) {
        return new TrainOptions(4, 16, steps, 2, 3e-3, 2, 0, 0.1, 0.1, 0.9, 0.95, 1.0, 2, 0, 0, 5);
    }
}
