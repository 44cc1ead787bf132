package io.llmopt.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopLogprobsTest {

    @Test
    void logSoftmaxOfASmallExample() {
        // logits ln(0.5), ln(0.25), ln(0.125), ln(0.125) shifted by 3: log-probs are the logs of those probabilities
        float[] logits = {(float) Math.log(0.5) + 3, (float) Math.log(0.25) + 3, (float) Math.log(0.125) + 3,
            (float) Math.log(0.125) + 3};
        TopLogprobs top = new TopLogprobs(4);
        top.compute(logits, 4, 3);
        assertThat(top.size()).isEqualTo(3);
        assertThat(top.token(0)).isEqualTo(0);
        assertThat(top.token(1)).isEqualTo(1);
        assertThat(top.token(2)).isEqualTo(2); // tie between 2 and 3 goes to the lower id
        assertThat((double) top.logprob(0)).isCloseTo(Math.log(0.5), within(1e-6));
        assertThat((double) top.logprob(2)).isCloseTo(Math.log(0.125), within(1e-6));
        assertThat((double) top.logprobOf(logits, 3)).isCloseTo(Math.log(0.125), within(1e-6));
        assertThat(top.logSumExp()).isCloseTo(3, within(1e-6));
    }

    @Test
    void topNIsCappedByTheVocabularyAndCapacity() {
        TopLogprobs top = new TopLogprobs(5);
        top.compute(new float[] {1f, Float.NEGATIVE_INFINITY}, 2, 5);
        assertThat(top.size()).isEqualTo(2);
        assertThat(top.logprob(0)).isEqualTo(0f);
        assertThat(top.logprob(1)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThatThrownBy(() -> top.compute(new float[3], 3, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> top.compute(new float[] {0f, Float.NaN}, 2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 1 is NaN");
        assertThatThrownBy(() -> top.token(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void topTokensMatchAFullSortOnRandomLogitsWithTies() {
        Random random = new Random(8);
        TopLogprobs top = new TopLogprobs(20);
        for (int trial = 0; trial < 50; trial++) {
            int vocab = 1 + random.nextInt(700);
            float[] logits = new float[vocab];
            for (int i = 0; i < vocab; i++) {
                logits[i] = random.nextInt(40) / 4f; // many exact ties
            }
            int n = random.nextInt(21);
            top.compute(logits, vocab, n);
            Integer[] order = new Integer[vocab];
            for (int i = 0; i < vocab; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> logits[a] != logits[b]
                    ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
            double lse = Math.log(java.util.Arrays.stream(order).mapToDouble(i -> Math.exp(logits[i])).sum());
            assertThat(top.size()).isEqualTo(Math.min(n, vocab));
            for (int r = 0; r < top.size(); r++) {
                assertThat(top.token(r)).isEqualTo(order[r]);
                assertThat((double) top.logprob(r)).isCloseTo(logits[order[r]] - lse, within(1e-5));
            }
        }
    }

    /**
     * llama-server's top-10 log-probs (n_probs = 10, post_sampling_probs = false, f32 KV cache) at the 32 greedy
     * positions of ref-tinystories, against ours on the same rows of the reference logits.f32. The README reports the
     * two agree to 9.2e-6; the greedy tokens must also be the sampler's argmax.
     */
    @Test
    void matchesLlamaCppTopTenOnReferenceLogits() throws IOException {
        Path dir = SharedData.require("reference/ref-tinystories");
        ObjectMapper json = new ObjectMapper();
        JsonNode meta = json.readTree(dir.resolve("logits.json").toFile());
        int rows = meta.get("shape").get(0).asInt();
        int vocab = meta.get("shape").get(1).asInt();
        int prompt = meta.get("n_prompt_tokens").asInt();
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("logits.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        float[][] logits = new float[rows][vocab];
        for (float[] row : logits) {
            bytes.asFloatBuffer().get(row);
            bytes.position(bytes.position() + 4 * vocab);
        }
        JsonNode run = null;
        for (JsonNode r : json.readTree(dir.resolve("logits_llamacpp_top10.json").toFile()).get("runs")) {
            if (r.get("kv_cache").asText().equals("f32kv")) {
                run = r;
            }
        }
        assertThat(run).as("f32kv run in logits_llamacpp_top10.json").isNotNull();
        JsonNode positions = run.get("completion_probabilities");
        assertThat(positions.size()).isEqualTo(32);

        TopLogprobs top = new TopLogprobs(10);
        Sampler greedy = new Sampler(SamplingParams.greedy(), vocab);
        double maxDiff = 0;
        for (int k = 0; k < positions.size(); k++) {
            float[] row = logits[prompt - 1 + k];
            JsonNode expected = positions.get(k).get("top_logprobs");
            top.compute(row, vocab, expected.size());
            for (int r = 0; r < expected.size(); r++) {
                assertThat(top.token(r)).as("rank %d at position %d", r, k).isEqualTo(expected.get(r).get("id").asInt());
                maxDiff = Math.max(maxDiff, Math.abs(top.logprob(r) - expected.get(r).get("logprob").asDouble()));
            }
            int generated = run.get("generated_ids").get(k).asInt();
            assertThat(greedy.sample(row, vocab)).isEqualTo(generated);
            assertThat((double) top.logprobOf(row, generated))
                    .isCloseTo(positions.get(k).get("logprob").asDouble(), within(2e-5));
        }
        assertThat(maxDiff).as("max |logprob − llama.cpp|").isLessThan(2e-5);
    }
}
