package io.llmopt.model.loader;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.generate.GenerationRequest;
import io.llmopt.model.generate.GenerationResult;
import io.llmopt.model.generate.Generator;
import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every form of every shared model (llama2.c .bin, f32 GGUF, HF directory), loaded through
 * {@link ModelLoader}: logits at all positions within 1e-4 of the float64 reference, and the full pipeline
 * (tokenizer → prompt → greedy generation) reproduces llama.cpp's recorded token ids and text.
 */
class AllFormatsReferenceTest {
    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    static Stream<Arguments> forms() {
        return Stream.of(
                Arguments.of("stories260K", "models/stories260K/stories260K.bin"),
                Arguments.of("stories260K", "models/stories260K/stories260K-f32.gguf"),
                Arguments.of("stories260K", "models/stories260K/stories260K-hf"),
                Arguments.of("ref-tinystories", "models/ref-tinystories/ref-tinystories.bin"),
                Arguments.of("ref-tinystories", "models/ref-tinystories/ref-tinystories-f32.gguf"),
                Arguments.of("ref-tinystories", "models/ref-tinystories/ref-tinystories-hf"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("forms")
    void logitsMatchTheReference(String ref, String modelPath) throws Exception {
        Path refDir = SharedData.require("reference/" + ref);
        JsonNode meta = new ObjectMapper().readTree(refDir.resolve("logits.json").toFile());
        int[] tokens = ints(meta.get("tokens"));
        int vocab = meta.get("shape").get(1).asInt();
        ByteBuffer expected = ByteBuffer.wrap(Files.readAllBytes(refDir.resolve("logits.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        try (LoadedModel loaded = ModelLoader.load(SharedData.require(modelPath))) {
            LlamaModel m = new LlamaModel(loaded.config(), loaded.weights(), KernelProvider.get(), POOL);
            ForwardState s = m.newState(tokens.length, tokens.length);
            float[] logits = m.forward(s, tokens, 0, tokens.length, 0, true);
            double max = 0;
            for (int i = 0; i < tokens.length * vocab; i++) {
                max = Math.max(max, Math.abs(logits[i] - expected.getFloat(4 * i)));
            }
            System.out.printf("%s: max |dlogit| %.3g over %d positions%n", modelPath, max, tokens.length);
            assertThat(max).isLessThan(1e-4);
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("forms")
    void tokenizeAndGenerateLikeLlamaCpp(String ref, String modelPath) throws Exception {
        JsonNode greedy = new ObjectMapper().readTree(SharedData.require("reference/" + ref + "/greedy.json").toFile());
        try (LoadedModel loaded = ModelLoader.load(SharedData.require(modelPath))) {
            LlamaModel m = new LlamaModel(loaded.config(), loaded.weights(), KernelProvider.get(), POOL);
            Generator g = new Generator(m, loaded.tokenizer());
            for (JsonNode r : greedy.get("results")) {
                int[] prompt = loaded.tokenizer().encode(r.get("prompt").asText(), true, false);
                assertThat(prompt).as("prompt ids").containsExactly(ints(r.get("prompt_ids")));
                int[] expected = ints(r.get("generated_ids"));
                StringBuilder streamed = new StringBuilder();
                GenerationResult out = g.generate(new GenerationRequest(prompt, expected.length, SamplingParams.greedy(),
                        java.util.List.of(), true), 512, streamed::append);
                assertThat(out.tokens()).as("greedy ids after '%s'", r.get("prompt").asText()).containsExactly(expected);
                assertThat(r.get("prompt").asText() + streamed).isEqualTo(r.get("text").asText());
            }
        }
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
