package io.llmopt.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KL divergence against base log-probs saved from ref-tinystories-f32 on the first chunks of
 * tinystories-v2-gpt4-valid-first100 at -c 256 (the whole-file table is in {@link FullReferenceTest}).
 */
class KlDivergenceTest {
    static final String BASE = "models/ref-tinystories/ref-tinystories-f32.gguf";
    static final int CHUNKS = 4;
    /** One base file (top-64) for the tests of this class, saved once. */
    @TempDir
    static Path shared;
    private static Path base;

    static synchronized Path base() {
        if (base == null) {
            base = saveBase(shared, CHUNKS, BaseLogits.DEFAULT_TOP_K);
        }
        return base;
    }

    @Test
    void aModelAgainstItsOwnLogitsIsZero() {
        Path base = base();
        for (String same : List.of(BASE, "models/ref-tinystories/ref-tinystories.bin")) {
            KlDivergenceResult r = compare(same, base, 0);
            System.out.printf("%s vs its own logits: KLD %.2e (max %.2e), same top %.4f, PPL ratio %.8f, RMS dp %.2e%n",
                    same, r.kldMean(), r.kld().max(), r.sameTopP(), r.pplRatio(), r.deltaPRms());
            assertThat(r.positions()).isEqualTo(CHUNKS * 127);
            assertThat(Math.abs(r.kldMean())).isLessThan(1e-6);
            assertThat(r.kld().max()).isLessThan(1e-5);
            assertThat(r.sameTopP()).isEqualTo(1.0);
            assertThat(Math.abs(r.pplRatio() - 1)).isLessThan(1e-6);
            assertThat(r.deltaPRms()).isLessThan(1e-6);
            assertThat(r.pplBase()).isCloseTo(r.pplVariant(), org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void coarserQuantizationDivergesMore() {
        Path base = base();
        double previous = 0;
        // README table (whole file): Q8_0 0.000093, Q4_0 0.006904, Q2_K 0.079984
        for (String label : List.of("Q8_0", "Q4_0", "Q2_K")) {
            KlDivergenceResult r = compare("models/ref-tinystories/ref-tinystories-" + label + ".gguf", base, 0);
            System.out.printf("%s (%d positions): mean KLD %.6f ± %.6f, median %.6f, p99 %.6f, max %.6f, same top %.2f %%, "
                            + "PPL ratio %.4f ± %.4f, mean dp %.3f %%, tail mass %.1e%n", label, r.positions(), r.kldMean(),
                    r.kldStderr(), r.kld().median(), r.kld().p99(), r.kld().max(), 100 * r.sameTopP(), r.pplRatio(),
                    r.pplRatioStderr(), 100 * r.deltaPMean(), r.baseTailMassMean());
            assertThat(r.kldMean()).isGreaterThan(previous);
            previous = r.kldMean();
        }
    }

    @Test
    void topKFileAgreesWithTheFullDistribution(@TempDir Path dir) {
        // One base run writes a file per K; K = 512 is the whole vocabulary (exact KL). Measured once with K = 32
        // and 128 as well (LogitsFileHeader's comment); the suite keeps the default and the exact file.
        int[] ks = {BaseLogits.DEFAULT_TOP_K, 512};
        try (LoadedModel m = TestModels.load(BASE)) {
            int[] tokens = Perplexity.tokenize(m.tokenizer(), TestModels.text(RefTinyStoriesPerplexityTest.TEXT));
            int bos = Perplexity.chunkBos(m.tokenizer(), tokens);
            Perplexity ppl = new Perplexity(TestModels.model(m), PerplexityOptions.chunks(256).withMaxChunks(4));
            List<ScoringWindow> windows = ppl.plan(tokens.length, bos);
            int vocab = m.config().vocabSize();
            List<LogitsFileWriter> writers = new java.util.ArrayList<>();
            for (int k : ks) {
                writers.add(new LogitsFileWriter(dir.resolve("top" + k + ".kld"),
                        BaseLogits.header(ppl.options(), windows, tokens, bos, vocab, k, "f32")));
            }
            ppl.run(tokens, bos, (l, o, v, t, lse) -> writers.forEach(w -> w.accept(l, o, v, t, lse)), ProgressListener.NONE);
            writers.forEach(LogitsFileWriter::finish);
        }
        for (String label : List.of("Q4_0", "Q2_K")) {
            String variant = "models/ref-tinystories/ref-tinystories-" + label + ".gguf";
            KlDivergenceResult exact = compare(variant, dir.resolve("top512.kld"), 0);
            assertThat(exact.baseTailMassMean()).isEqualTo(0.0);
            for (int k : ks) {
                KlDivergenceResult approx = compare(variant, dir.resolve("top" + k + ".kld"), 0);
                System.out.printf("%s: KLD top-%d %.7f vs full vocabulary %.7f (rel %.2e), base tail mass %.2e%n", label, k,
                        approx.kldMean(), exact.kldMean(), approx.kldMean() / exact.kldMean() - 1, approx.baseTailMassMean());
                assertThat(approx.kldMean()).isLessThanOrEqualTo(exact.kldMean() * (1 + 1e-6));
                assertThat(approx.sameTopP()).isEqualTo(exact.sameTopP());
                assertThat(approx.pplRatio()).isCloseTo(exact.pplRatio(), org.assertj.core.data.Offset.offset(1e-9));
                if (k == BaseLogits.DEFAULT_TOP_K) {
                    assertThat(approx.kldMean() / exact.kldMean()).isGreaterThan(0.98);
                }
            }
        }
    }

    /** Scores the f32 base on the first {@code chunks} chunks (0 = all) and saves its log-probs. */
    static Path saveBase(Path dir, int chunks, int topK) {
        Path file = dir.resolve("base-" + chunks + "-" + topK + ".kld");
        try (LoadedModel m = TestModels.load(BASE)) {
            int[] tokens = Perplexity.tokenize(m.tokenizer(), TestModels.text(RefTinyStoriesPerplexityTest.TEXT));
            int bos = Perplexity.chunkBos(m.tokenizer(), tokens);
            Perplexity ppl = new Perplexity(TestModels.model(m), PerplexityOptions.chunks(256).withMaxChunks(chunks));
            LogitsFileHeader h = BaseLogits.header(ppl.options(), ppl.plan(tokens.length, bos), tokens, bos,
                    m.config().vocabSize(), topK, "ref-tinystories-f32");
            try (LogitsFileWriter w = new LogitsFileWriter(file, h)) {
                PerplexityResult r = ppl.run(tokens, bos, w, ProgressListener.NONE);
                w.finish();
                System.out.printf("base saved: PPL %.6f over %d tokens, %d bytes (%d per position)%n", r.ppl(), r.tokensScored(),
                        h.fileBytes(), h.recordBytes());
            }
        }
        return file;
    }

    /** Scores {@code variant} on the positions of the base file (its first maxChunks chunks when > 0). */
    static KlDivergenceResult compare(String variant, Path baseFile, int maxChunks) {
        try (LogitsFileReader reader = LogitsFileReader.open(baseFile); LoadedModel m = TestModels.load(variant)) {
            LogitsFileHeader h = reader.header();
            BaseLogits.checkModel(baseFile, h, m.config().vocabSize());
            LlamaModel model = TestModels.model(m);
            KlDivergence kl = new KlDivergence(reader);
            new Perplexity(model, BaseLogits.options(h, 256, maxChunks)).run(h.tokens(), h.bos(), kl, ProgressListener.NONE);
            return kl.result(true);
        }
    }
}
