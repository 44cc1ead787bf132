package io.llmopt.eval.report;

import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;

/**
 * A small speed measurement, in the spirit of llama-bench's pp/tg: prompt processing = one forward pass
 * over {@code promptTokens} tokens; text generation = {@code genTokens} forward passes of one token each
 * after that prompt. One warm-up round (JIT), then the best of {@code rounds}.
 */
public final class SpeedBench {
    private SpeedBench() {
    }

    /** Tokens per second for prompt processing and for generation. */
    public record Speed(double ppTokensPerSecond, double tgTokensPerSecond) {
    }

    public static Speed measure(LlamaModel model, int[] tokens, int promptTokens, int genTokens, int rounds) {
        int prompt = Math.min(promptTokens, tokens.length - genTokens);
        ForwardState state = model.newState(prompt + genTokens, prompt);
        double bestPp = Double.MAX_VALUE;
        double bestTg = Double.MAX_VALUE;
        for (int round = 0; round <= rounds; round++) {
            long t0 = System.nanoTime();
            model.forward(state, tokens, 0, prompt, 0, false);
            long t1 = System.nanoTime();
            for (int i = 0; i < genTokens; i++) {
                model.forward(state, tokens, prompt + i, 1, prompt + i, false);
            }
            long t2 = System.nanoTime();
            if (round > 0) {
                bestPp = Math.min(bestPp, (t1 - t0) / 1e9);
                bestTg = Math.min(bestTg, (t2 - t1) / 1e9);
            }
        }
        return new Speed(prompt / bestPp, genTokens / bestTg);
    }
}
