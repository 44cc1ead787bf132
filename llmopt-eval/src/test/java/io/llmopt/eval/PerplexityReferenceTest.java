package io.llmopt.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.loader.LoadedModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * llama-perplexity's figures recorded in ../shared/reference (same model file, text, context and chunk cap):
 * an f32 engine must agree to 1e-4 relative (README §3d, numpy float64 column where it exists); the
 * quantized files (dequantized weights, f32 activations, unlike llama.cpp's Q8 activations) within 0.5 %.
 */
class PerplexityReferenceTest {

    @ParameterizedTest(name = "{0} {1} -c {2} --chunks {3}")
    @CsvSource({
        // model, text, ctx, chunks (0 = all), expected PPL, tolerance (relative), source
        "models/stories260K/stories260K-f32.gguf, tinystories-v2-gpt4-valid-first100, 128, 0,   6.178076, 1e-4",   // perplexity.json numpy float64
    })
    void matchesLlamaPerplexity(String modelPath, String text, int ctx, int chunks, double expected, double tolerance) {
        check(modelPath, text, ctx, chunks, expected, tolerance);
    }

    static void check(String modelPath, String text, int ctx, int chunks, double expected, double tolerance) {
        try (LoadedModel m = TestModels.load(modelPath)) {
            int[] tokens = Perplexity.tokenize(m.tokenizer(), TestModels.text("data/" + text + ".txt"));
            Perplexity ppl = new Perplexity(TestModels.model(m), PerplexityOptions.chunks(ctx).withMaxChunks(chunks));
            PerplexityResult r = ppl.run(tokens, Perplexity.chunkBos(m.tokenizer(), tokens), ScoredPositionListener.NONE, ProgressListener.NONE);
            System.out.printf("%s %s -c %d: PPL = %.6f +/- %.5f (%d chunks, %d tokens, %.1f s), expected %.6f, rel diff %.1e%n",
                    modelPath, text, ctx, r.ppl(), r.pplStderr(), r.chunks(), r.tokensScored(), r.elapsedSeconds(), expected,
                    Math.abs(r.ppl() / expected - 1));
            assertThat(r.complete()).isTrue();
            assertThat(r.tokensScored()).isEqualTo((long) r.chunks() * (ctx / 2 - 1));
            assertThat(Math.abs(r.ppl() / expected - 1)).isLessThan(tolerance);
        }
    }
}
