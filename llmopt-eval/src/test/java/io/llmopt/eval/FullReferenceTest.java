package io.llmopt.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whole-file runs against ../shared/reference, opt-in ({@link FullTier}): several minutes on two cores.
 * PPL: 1e-4 relative for f32 (numpy float64 column where recorded), 0.5 % for quantized files against
 * llama-perplexity (both engines round the activations to 8 bits in the quantized dot products; the tighter
 * whole-text checks of the -pure Q8_0 and Q4_0 files run by default in {@link RefTinyStoriesPerplexityTest}).
 * KLD: the README's table (quant.json kld_vs_f32, llama-perplexity --kl-divergence, whole first100 at -c 256).
 */
class FullReferenceTest {

    @ParameterizedTest(name = "{0} {1} -c {2} --chunks {3}")
    @CsvSource({
        "models/stories260K/stories260K-f32.gguf,  tinystories-validation-head,        128, 200, 4.046617, 1e-4",   // numpy
        "models/stories260K/stories260K-f32.gguf,  wikitext-2-raw-v1-test,             128, 200, 121.662349, 1e-4", // numpy
        "models/stories260K/stories260K.bin,       tinystories-validation-head,        512, 50,  3.8662, 1e-4",     // llama-perplexity
        "models/stories260K/stories260K-Q8_0.gguf, tinystories-v2-gpt4-valid-first100, 128, 0,   6.1921, 5e-3",     // quant.json
        "models/stories260K/stories260K-Q4_0.gguf, tinystories-v2-gpt4-valid-first100, 128, 0,   6.6832, 5e-3",     // quant.json
        "models/ref-tinystories/ref-tinystories-f32.gguf,       tinystories-v2-gpt4-valid-first100, 256, 0,   6.493555, 1e-4", // numpy
        "models/ref-tinystories/ref-tinystories.bin,            tinystories-v2-gpt4-valid-first100, 256, 0,   6.493555, 1e-4", // numpy
        "models/ref-tinystories/ref-tinystories-f32.gguf,       tinystories-validation-head,        256, 100, 5.087366, 1e-4", // numpy
        "models/ref-tinystories/ref-tinystories-Q8_0.gguf,      tinystories-v2-gpt4-valid-first100, 256, 0,   6.4934, 5e-3",   // quant.json
        "models/ref-tinystories/ref-tinystories-Q4_0-pure.gguf, tinystories-v2-gpt4-valid-first100, 256, 0,   6.5556, 5e-3",   // quant.json
    })
    void wholeFileMatchesLlamaPerplexity(String modelPath, String text, int ctx, int chunks, double expected, double tolerance) {
        FullTier.require(modelPath + " " + text);
        PerplexityReferenceTest.check(modelPath, text, ctx, chunks, expected, tolerance);
    }

    @Test
    void klDivergenceTableLikeTheReadme(@TempDir Path dir) {
        FullTier.require("KLD of the quantized ref-tinystories files on the whole first100 text");
        Path base = KlDivergenceTest.saveBase(dir, 0, BaseLogits.DEFAULT_TOP_K);
        // label, README mean KLD, README same top p (quant.json kld_vs_f32), accepted ratio ours / README.
        // Q8_0: both engines round the activations to 8 bits in every Q8_0 dot product, which is most of this
        // file's KLD (the numpy oracle on the first 6 chunks: 3.1e-5 with f32 activations, 8.4e-5 with Q8_0-rounded
        // ones); ours measured 0.000091 (ratio 0.983) in session 21. With f32 activations (before) it was about 1/3
        // of the README's. For the coarser types the weight error dominates.
        Object[][] rows = {
            {"Q8_0", 0.000093, 0.99292, 0.8, 1.2}, {"Q6_K", 0.000541, 0.98673, 0.5, 1.2}, {"Q4_K_M", 0.004913, 0.95830, 0.8, 1.2},
            {"Q4_0", 0.006904, 0.95058, 0.8, 1.2}, {"Q2_K", 0.079984, 0.84628, 0.8, 1.2},
        };
        List<KlDivergenceResult> results = new java.util.ArrayList<>();
        for (Object[] row : rows) {
            KlDivergenceResult r = KlDivergenceTest.compare("models/ref-tinystories/ref-tinystories-" + row[0] + ".gguf", base, 0);
            results.add(r);
            System.out.printf("%-7s mean KLD %.6f ± %.6f (README %.6f, ratio %.3f)  same top p %.3f %% (README %.3f %%)  "
                            + "PPL %.4f, ratio %.4f  tail mass %.2e%n", row[0], r.kldMean(), r.kldStderr(), (double) row[1],
                    r.kldMean() / (double) row[1], 100 * r.sameTopP(), 100 * (double) row[2], r.pplVariant(), r.pplRatio(),
                    r.baseTailMassMean());
        }
        double previous = 0;
        for (int i = 0; i < rows.length; i++) {
            KlDivergenceResult r = results.get(i);
            assertThat(r.kldMean()).isGreaterThan(previous);
            previous = r.kldMean();
            assertThat(r.kldMean() / (double) rows[i][1]).as("%s KLD ratio to README", rows[i][0]).isBetween((double) rows[i][3], (double) rows[i][4]);
        }
    }
}
