package io.llmopt.eval.mc;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.eval.LogSoftmax;
import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Continuation scores with a shared, reused context cache equal a plain forward pass over each full request. */
class ContinuationScorerTest {

    @Test
    void reusedContextGivesTheSameLogLikelihoodAsAFullPass() {
        WorkerPool pool = new WorkerPool(2);
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"))) {
            LlamaModel model = new LlamaModel(m.config(), m.weights(), KernelProvider.get(), pool);
            McItem item = new McItem("x", List.of(
                    new McChoice("Once upon a time, there was a little girl named Lily.", " She liked to play outside in the sun.", "a"),
                    new McChoice("Once upon a time, there was a little girl named Lily.", " The dog ran.", "b"),
                    new McChoice("Once upon a time, there was a little girl named Lily. ", "One day she found a big red ball.", "c")), 0);
            ContinuationScorer scorer = new ContinuationScorer(model, m.tokenizer(), 128, 4);
            double[] scores = scorer.score(item);
            for (int i = 0; i < 3; i++) {
                McChoice c = item.choices().get(i);
                ContinuationScorer.Encoded e = scorer.encode(c.context(), c.continuation());
                int[] all = new int[e.context().length + e.continuation().length];
                System.arraycopy(e.context(), 0, all, 0, e.context().length);
                System.arraycopy(e.continuation(), 0, all, e.context().length, e.continuation().length);
                ForwardState s = model.newState(128, 128);
                float[] logits = model.forward(s, all, 0, all.length, 0, true);
                int vocab = m.config().vocabSize();
                double expected = 0;
                for (int t = e.context().length; t < all.length; t++) {
                    int row = (t - 1) * vocab;
                    expected += logits[row + all[t]] - LogSoftmax.logSumExp(logits, row, vocab);
                }
                System.out.printf("choice %d: %d + %d tokens, log-likelihood %.6f (full pass %.6f)%n", i, e.context().length,
                        e.continuation().length, scores[i], expected);
                assertThat(scores[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
            }
            // Trailing whitespace of the context moves to the continuation: choices 0 and 2 share context tokens.
            assertThat(scorer.encode(item.choices().get(2).context(), item.choices().get(2).continuation()).context())
                    .containsExactly(scorer.encode(item.choices().get(0).context(), item.choices().get(0).continuation()).context());
        } finally {
            pool.shutdown();
        }
    }
}
