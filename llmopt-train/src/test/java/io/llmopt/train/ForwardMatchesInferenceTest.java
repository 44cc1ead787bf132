package io.llmopt.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.ForwardState;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The training forward pass computes the inference model's logits: on the shared stories260K (llama2.c .bin,
 * interleaved RoPE) and its HF directory (rotate-half RoPE), against LlamaModel and against the float64 numpy
 * reference logits of ../shared/reference/stories260K.
 */
class ForwardMatchesInferenceTest {
    /** Max |Δlogit|, training forward vs LlamaModel and vs the float64 reference (README: 1e-4 for an fp32 engine). */
    static final double LOGIT_TOLERANCE = 1e-4;

    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    @Test
    void stories260KLogitsMatchLlamaModelAndReference() throws Exception {
        Path dir = SharedData.require("reference/stories260K");
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("logits.json").toFile());
        int[] tokens = new int[meta.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = meta.get("tokens").get(i).asInt();
        }
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("logits.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] reference = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(reference);
        for (String model : new String[] {"models/stories260K/stories260K.bin", "models/stories260K/stories260K-hf"}) {
            try (LoadedModel m = ModelLoader.load(SharedData.require(model))) {
                ModelParameters params = ModelParameters.fromWeights(m.config(), m.weights());
                TrainingModel training = new TrainingModel(params, 1, tokens.length, POOL);
                float[] ours = training.forward(tokens, 1);
                LlamaModel inference = new LlamaModel(m.config(), m.weights(), KernelProvider.get(), POOL);
                ForwardState state = inference.newState(tokens.length, tokens.length);
                float[] theirs = inference.forward(state, tokens, 0, tokens.length, 0, true);
                double vsModel = maxAbs(ours, theirs, reference.length);
                double vsReference = maxAbs(ours, reference, reference.length);
                System.out.printf("%s (%s RoPE): max |Δlogit| vs LlamaModel %.2e, vs float64 reference %.2e%n",
                        model, m.config().ropeLayout(), vsModel, vsReference);
                assertThat(vsModel).isLessThan(LOGIT_TOLERANCE);
                assertThat(vsReference).isLessThan(LOGIT_TOLERANCE);

                // the inference weights the trainer exports hold exactly the trained values
                ModelParameters back = ModelParameters.fromWeights(m.config(), params.toWeights());
                assertThat(back.values()).isEqualTo(params.values());
                LlamaModel roundTrip = new LlamaModel(m.config(), params.toWeights(), KernelProvider.get(), POOL);
                float[] again = roundTrip.forward(roundTrip.newState(tokens.length, tokens.length), tokens, 0, tokens.length, 0, true);
                assertThat(maxAbs(again, theirs, reference.length)).isLessThan(LOGIT_TOLERANCE);
            }
        }
    }

    private static double maxAbs(float[] a, float[] b, int n) {
        double m = 0;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
