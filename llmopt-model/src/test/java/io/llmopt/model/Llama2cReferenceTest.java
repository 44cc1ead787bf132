package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.formats.llama2c.Llama2cCheckpoint;
import io.llmopt.model.loader.Llama2cLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.ScalarKernels;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The llama2.c checkpoints against the float64 numpy logits and llama.cpp's greedy continuations. */
class Llama2cReferenceTest {
    private static final WorkerPool POOL = new WorkerPool(2);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("stories260K", "models/stories260K/stories260K.bin", new ScalarKernels()),
                Arguments.of("stories260K", "models/stories260K/stories260K.bin", KernelProvider.get()),
                Arguments.of("ref-tinystories", "models/ref-tinystories/ref-tinystories.bin", KernelProvider.get()));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void logitsMatchTheReferenceAtEveryPosition(String ref, String model, Kernels kernels) throws Exception {
        Path bin = SharedData.require(model);
        ReferenceLogits expected = ReferenceLogits.read(SharedData.require("reference/" + ref));
        try (Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(bin)) {
            LlamaModel m = new LlamaModel(Llama2cLoader.config(ckpt.header()), Llama2cLoader.weights(ckpt), kernels, POOL);
            int n = expected.tokens().length;
            // whole sequence as one batch (prefill path)
            ForwardState batch = m.newState(n, n);
            float[] all = m.forward(batch, expected.tokens(), 0, n, 0, true);
            double maxErr = 0;
            for (int t = 0; t < n; t++) {
                for (int v = 0; v < 512; v++) {
                    maxErr = Math.max(maxErr, Math.abs(all[t * 512 + v] - expected.logits()[t][v]));
                }
            }
            System.out.printf("%s %s: max |dlogit| batched %.3g%n", ref, kernels.name(), maxErr);
            assertThat(maxErr).as("max |Δlogit| (batched)").isLessThan(1e-4);
            // token by token (decode path)
            ForwardState seq = m.newState(n, 1);
            double maxErrDecode = 0;
            for (int t = 0; t < n; t++) {
                float[] logits = m.forward(seq, expected.tokens(), t, 1, t, false);
                for (int v = 0; v < 512; v++) {
                    maxErrDecode = Math.max(maxErrDecode, Math.abs(logits[v] - expected.logits()[t][v]));
                }
            }
            System.out.printf("%s %s: max |dlogit| token-by-token %.3g%n", ref, kernels.name(), maxErrDecode);
            assertThat(maxErrDecode).as("max |Δlogit| (token by token)").isLessThan(1e-4);
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void greedyContinuationsEqualLlamaCpp(String ref, String model, Kernels kernels) throws Exception {
        Path bin = SharedData.require(model);
        JsonNode greedy = new ObjectMapper().readTree(SharedData.require("reference/" + ref + "/greedy.json").toFile());
        try (Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(bin)) {
            LlamaModel m = new LlamaModel(Llama2cLoader.config(ckpt.header()), Llama2cLoader.weights(ckpt), kernels, POOL);
            for (JsonNode result : greedy.get("results")) {
                int[] prompt = ints(result.get("prompt_ids"));
                int[] expected = ints(result.get("generated_ids"));
                assertThat(GreedyForTests.generate(m, prompt, expected.length))
                        .as("greedy continuation of '%s'", result.get("prompt").asText())
                        .containsExactly(expected);
            }
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
